package dev.scratchnet.backend;

import dev.scratchnet.backend.cpu.CpuBackend;
import dev.scratchnet.nn.Network;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A device without fp64 (many GPUs' OpenCL drivers) asked for fp64 gets one clear error, from the
 * checks every backend shares. A CPU backend that claims fp32 only stands in for such a device.
 */
class PrecisionSupportTest {

    /** Reports no fp64; delegates nothing else, since nothing else may be reached. */
    static final class Fp32OnlyBackend extends AbstractBackend {
        private final CpuBackend cpu = new CpuBackend();

        @Override public String name() { return "opencl"; }
        @Override public String deviceName() { return "a device without cl_khr_fp64"; }
        @Override public boolean supports(Precision p) { return p == Precision.FP32; }
        @Override public List<String> gemmVariants() { return List.of("default"); }
        @Override public void synchronize() { }
        @Override protected Tensor doAllocate(int rows, int cols, Precision p) { return cpu.zeros(rows, cols, p); }
        @Override protected void doFree(Tensor t) { t.close(); }
        @Override protected void doCopyIn(double[] src, Tensor dst) { throw new AssertionError(); }
        @Override protected void doDownload(Tensor t, double[] dst) { throw new AssertionError(); }
        @Override protected IndexBuffer doAllocateIndices(int length) { throw new AssertionError(); }
        @Override protected void doFreeIndices(IndexBuffer b) { throw new AssertionError(); }
        @Override protected void doCopyIn(int[] values, IndexBuffer dst) { throw new AssertionError(); }
        @Override protected void doClose() { cpu.close(); }
        @Override protected void doGemm(String v, boolean ta, boolean tb, int m, int n, int k, double alpha, Tensor a, Tensor b, double beta, Tensor c) { throw new AssertionError(); }
        @Override protected void doDenseForward(Tensor x, Tensor w, Tensor b, ActivationKind act, double p, Tensor out) { throw new AssertionError(); }
        @Override protected void doAddRowVector(Tensor bias, Tensor c) { throw new AssertionError(); }
        @Override protected void doActivationForward(ActivationKind k, double p, Tensor z, Tensor a) { throw new AssertionError(); }
        @Override protected void doActivationBackward(ActivationKind k, double p, Tensor a, Tensor dA, Tensor dZ) { throw new AssertionError(); }
        @Override protected void doSoftmaxRows(Tensor z, Tensor p) { throw new AssertionError(); }
        @Override protected void doSoftmaxBackward(Tensor p, Tensor dP, Tensor dZ) { throw new AssertionError(); }
        @Override protected void doLossAndGradient(LossKind k, double e, Tensor o, Tensor y, double s, Tensor g, Tensor r) { throw new AssertionError(); }
        @Override protected void doSumColumns(double alpha, Tensor a, double beta, Tensor out) { throw new AssertionError(); }
        @Override protected void doSumInto(Tensor v, double s, Tensor acc, int slot) { throw new AssertionError(); }
        @Override protected void doCountCorrect(Tensor o, Tensor y, Tensor acc, int slot) { throw new AssertionError(); }
        @Override protected void doArgmaxRows(Tensor o, Tensor l) { throw new AssertionError(); }
        @Override protected void doScale(double alpha, Tensor x) { throw new AssertionError(); }
        @Override protected void doAxpy(double alpha, Tensor x, Tensor y) { throw new AssertionError(); }
        @Override protected void doFill(Tensor t, double v) { throw new AssertionError(); }
        @Override protected void doCopy(Tensor s, Tensor d) { throw new AssertionError(); }
        @Override protected void doGatherRows(Tensor s, IndexBuffer i, int o, Tensor d) { throw new AssertionError(); }
        @Override protected void doSgdUpdate(Tensor p, Tensor g, double lr) { throw new AssertionError(); }
        @Override protected void doMomentumUpdate(Tensor p, Tensor g, Tensor v, double lr, double mu) { throw new AssertionError(); }
        @Override protected void doRmspropUpdate(Tensor p, Tensor g, Tensor s, double lr, double rho, double eps) { throw new AssertionError(); }
        @Override protected void doAdamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double b1, double b2, double eps, double c1, double c2) { throw new AssertionError(); }
    }

    @Test
    void askingForFp64WhereTheDeviceHasNoneIsOneClearLine() {
        try (Fp32OnlyBackend be = new Fp32OnlyBackend()) {
            String expected = "opencl backend (a device without cl_khr_fp64) does not support fp64: use --precision fp32";
            assertEquals(expected, assertThrows(UnsupportedOperationException.class, () -> be.zeros(2, 2, Precision.FP64)).getMessage());
            assertEquals(expected, assertThrows(UnsupportedOperationException.class,
                    () -> be.upload(Matrix.of(new double[] {1}), Precision.FP64)).getMessage());
            assertEquals(expected, assertThrows(UnsupportedOperationException.class,
                    () -> Network.builder(be, Precision.FP64, 3)).getMessage());
            assertEquals(0, be.bytesInUse());
        }
    }
}
