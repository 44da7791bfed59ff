package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.ActivationKind;
import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.Moons;
import dev.scratchnet.nn.Activation;
import dev.scratchnet.nn.History;
import dev.scratchnet.nn.Initializer;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;
import dev.scratchnet.nn.Optimizer;
import dev.scratchnet.nn.Trainer;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.testing.Reference;
import dev.scratchnet.testing.Tolerance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --tf32} on the CUDA backend, on the emulated driver, whose device 0 reports compute
 * capability 9.0 and device 1 7.5 in Maven's test run (SCRATCHNET_EMULATED_CC=9.0,7.5): fp32 products
 * and dense layers go through matmul_tf32 and match the CPU reference on TF32-rounded inputs; fp64
 * and the default are untouched; a short training run with it is reproducible and stays within what
 * TF32 explains of the fp32 run; and where TF32 cannot run, the refusal is one line.
 */
class CudaTf32Test {
    private static final int DEVICE_WITH_TF32 = 0;

    private static CudaBackend open(boolean tf32) {
        EmulatedCuda.require();
        return new CudaBackend(new BackendOptions(null, DEVICE_WITH_TF32).withTf32(tf32));
    }

    private static Matrix product(CudaBackend be, Precision p, Matrix a, Matrix b) {
        try (Tensor ta = be.upload(a, p); Tensor tb = be.upload(b, p); Tensor tc = be.zeros(a.rows(), b.cols(), p)) {
            be.gemm(false, false, 1.0, ta, tb, 0.0, tc);
            return be.download(tc);
        }
    }

    @Test
    void withTf32Fp32ProductsUseTheTensorCoreVariantAndMatchTheReferenceOnTf32RoundedInputs() {
        Random r = new Random(13);
        Matrix a = Reference.random(r, 37, 70, Precision.FP32), b = Reference.random(r, 70, 45, Precision.FP32);
        Matrix[] ref = Reference.gemm(false, false, 1.0, Reference.tf32(a), Reference.tf32(b), 0.0, null);
        Matrix[] exact = Reference.gemm(false, false, 1.0, a, b, 0.0, null);
        try (CudaBackend tf32 = open(true); CudaBackend plain = open(false)) {
            assertTrue(tf32.tf32() && tf32.tf32Capable(), "device 0 reports 9.0");
            assertEquals(CudaBackend.TF32_VARIANT, tf32.gemmVariantFor(37, 45, 70, Precision.FP32));
            assertEquals(CudaBackend.GEMM_VARIANTS.get(0), tf32.gemmVariantFor(37, 45, 70, Precision.FP64), "fp64: not affected");
            Matrix got = product(tf32, Precision.FP32, a, b);
            Tolerance.assertClose("gemm with --tf32", Precision.FP32, ref[0], ref[1], 70, got);
            Matrix fp32 = product(plain, Precision.FP32, a, b);
            assertFalse(java.util.Arrays.equals(got.data(), fp32.data()), "TF32's rounding shows in the results");
            // and the difference from the exact product is what TF32 explains, no more
            for (int i = 0; i < got.size(); i++) {
                double allowed = dev.scratchnet.lab.Tolerance.allowedTf32(exact[1].data()[i], 70);
                assertTrue(Math.abs(got.data()[i] - exact[0].data()[i]) <= allowed, "element " + i);
            }
            // fp64 products under --tf32 are bit for bit those without it
            assertArrayEquals(product(plain, Precision.FP64, a, b).data(), product(tf32, Precision.FP64, a, b).data());
        }
    }

    @Test
    void withoutTf32NothingChangesOnADeviceThatHasIt() {
        Random r = new Random(14);
        Matrix a = Reference.random(r, 33, 20, Precision.FP32), b = Reference.random(r, 20, 17, Precision.FP32);
        try (CudaBackend be = open(false)) {
            assertFalse(be.tf32());
            assertTrue(be.gemmVariants().contains(CudaBackend.TF32_VARIANT), "listed, for kernels check and bench --tf32");
            assertEquals(CudaBackend.GEMM_VARIANTS.get(0), be.gemmVariantFor(33, 17, 20, Precision.FP32));
            try (Tensor ta = be.upload(a, Precision.FP32); Tensor tb = be.upload(b, Precision.FP32);
                 Tensor tc = be.zeros(33, 17, Precision.FP32)) {
                be.gemm(CudaBackend.GEMM_VARIANTS.get(0), false, false, 1.0, ta, tb, 0.0, tc);
                assertArrayEquals(be.download(tc).data(), product(be, Precision.FP32, a, b).data(), "the default is warptile's");
            }
        }
    }

    @Test
    void aDenseLayerWithTf32IsTheTf32ProductThenBiasAndActivation() {
        Random r = new Random(15);
        int m = 19, k = 40, n = 11;
        try (CudaBackend be = open(true)) {
            for (ActivationKind act : ActivationKind.values()) {
                double param = act == ActivationKind.LEAKY_RELU ? 0.1 : 0.0;
                Matrix x = Reference.random(r, m, k, Precision.FP32), w = Reference.random(r, k, n, Precision.FP32);
                Matrix bias = Reference.random(r, 1, n, Precision.FP32);
                Matrix[] z = Reference.gemm(false, false, 1.0, Reference.tf32(x), Reference.tf32(w), 0.0, null);
                Matrix zb = Reference.addRowVector(bias, z[0]);
                Matrix want = Reference.activation(act, param, zb);
                // fp32's error scales with Σ|x||w| + |bias| (the activations do not magnify it)
                Matrix absBias = bias.copy();
                for (int j = 0; j < n; j++) {
                    absBias.set(0, j, Math.abs(bias.get(0, j)));
                }
                Matrix magnitude = Reference.addRowVector(absBias, z[1]);
                try (Tensor tx = be.upload(x, Precision.FP32); Tensor tw = be.upload(w, Precision.FP32);
                     Tensor tbias = be.upload(bias, Precision.FP32); Tensor out = be.zeros(m, n, Precision.FP32)) {
                    be.denseForward(tx, tw, tbias, act, param, out);
                    Tolerance.assertClose("dense_forward --tf32 " + act.label(), Precision.FP32, want, magnitude, k + 1, be.download(out));
                }
            }
        }
    }

    /** The per-epoch training losses of a small classifier on {@code be} in fp32. */
    private static List<Double> train(CudaBackend be) {
        Dataset moons = Moons.make(96, 0.1, 5);
        try (Network net = Network.builder(be, Precision.FP32, 2).dense(32, Activation.tanh()).dense(32, Activation.relu())
                .dense(2, Activation.softmax()).build(Initializer.he(), new NumpyRandom(7));
             Optimizer adam = Optimizer.adam(0.01, 0.9, 0.999, 1e-8)) {
            History h = Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(adam).batchSize(32).epochs(15)
                    .shuffle(new NumpyRandom(8)).build().fit(net, moons, moons);
            return new ArrayList<>(h.trainLoss());
        }
    }

    @Test
    void aShortTrainingRunWithTf32IsReproducibleAndCloseToTheFp32Run() {
        List<Double> first, second, fp32;
        try (CudaBackend be = open(true)) {
            first = train(be);
            second = train(be);
        }
        try (CudaBackend be = open(false)) {
            fp32 = train(be);
        }
        assertEquals(first, second, "same seed, options and backend: bit-identical");
        assertFalse(first.equals(fp32), "TF32 rounding changes the run");
        for (int e = 0; e < fp32.size(); e++) {
            // TF32 keeps about 3 decimal digits of each product: losses of a 15-epoch run stay within a
            // few parts in a thousand of fp32's (an error in the kernel's layout would not)
            double diff = Math.abs(first.get(e) - fp32.get(e));
            assertTrue(diff <= 5e-3 * Math.max(1.0, fp32.get(e)), "epoch " + e + ": " + first.get(e) + " with TF32, " + fp32.get(e)
                    + " in fp32");
        }
        assertTrue(first.get(first.size() - 1) < first.get(0) * 0.8, "and it learns: " + first);
    }

    @Test
    void tf32IsRefusedInOneLineBelowComputeCapability8() {
        EmulatedCuda.require();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CudaBackend(new BackendOptions(null, EmulatedCuda.SMALL).withTf32(true)));
        assertEquals("--tf32: TF32 tensor cores need the cuda backend on a device of compute capability 8.0 or later (this one,"
                + " scratchnet CUDA device 1, emulated on the CPU: 7.5)", e.getMessage());
        try (CudaBackend be = new CudaBackend(new BackendOptions(null, EmulatedCuda.SMALL))) {
            assertFalse(be.gemmVariants().contains(CudaBackend.TF32_VARIANT), "no TF32 variant on a 7.5 device");
        }
    }

    @Test
    void theFp64FormDoesNotExist() {
        try (CudaBackend be = open(true); Tensor a = be.zeros(2, 2, Precision.FP64); Tensor c = be.zeros(2, 2, Precision.FP64)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> be.gemm(CudaBackend.TF32_VARIANT, false, false, 1, a, a, 0, c));
            assertEquals("the CUDA matmul variant 'tf32' multiplies fp32 tensors only (TF32 has no fp64 form), not fp64", e.getMessage());
        }
    }
}
