package dev.scratchnet.backend.opencl;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.profile.Profile;
import dev.scratchnet.profile.ProfilingBackend;
import dev.scratchnet.testing.Reference;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which matmul kernel training runs on OpenCL: on a CPU device (PoCL) the naive kernel for products
 * of at most {@link OpenClBackend#SMALL_OUTPUT_ON_CPU} outputs, the register-blocked one otherwise
 * and on every GPU; the choice gives the named variant's bits and shows in the profile.
 */
class OpenClSmallProductsTest {

    private static boolean cpuDevice(Backend be) {
        return be.deviceName().contains("(CPU,");
    }

    @Test
    void aCpuDeviceRunsSmallProductsNaiveAndLargeOnesRegisterBlocked() {
        Backend be = TestBackends.open("opencl");
        String small = cpuDevice(be) ? "naive" : "regblock";
        assertEquals(small, be.gemmVariantFor(10, 2, 210, Precision.FP64), be.deviceName());
        assertEquals(small, be.gemmVariantFor(64, 64, 288, Precision.FP32), "4096 outputs, the limit");
        assertEquals("regblock", be.gemmVariantFor(65, 64, 288, Precision.FP32), "4160 outputs");
        assertEquals("regblock", be.gemmVariantFor(784, 256, 128, Precision.FP32));
    }

    @Test
    void theUnnamedGemmGivesTheChosenVariantsBitsAndTheProfileNamesIt() {
        Backend be = TestBackends.open("opencl");
        Random r = new Random(7);
        Matrix a = Reference.random(r, 210, 10, Precision.FP32), b = Reference.random(r, 210, 2, Precision.FP32);
        String chosen = be.gemmVariantFor(10, 2, 210, Precision.FP32);
        try (Tensor ta = be.upload(a, Precision.FP32); Tensor tb = be.upload(b, Precision.FP32);
             Tensor unnamed = be.zeros(10, 2, Precision.FP32); Tensor named = be.zeros(10, 2, Precision.FP32)) {
            be.gemm(true, false, 0.5, ta, tb, 0.0, unnamed);
            be.gemm(chosen, true, false, 0.5, ta, tb, 0.0, named);
            double[] got = be.download(unnamed).data();
            assertArrayEquals(be.download(named).data(), got, 0.0);
            assertArrayEquals(Reference.gemm(true, false, 0.5, a, b, 0.0, null)[0].data(), got, 1e-4);

            Profile prof = new Profile(false);
            new ProfilingBackend(be, prof).gemm(true, false, 0.5, ta, tb, 0.0, unnamed);
            assertTrue(prof.ops().stream().anyMatch(o -> o.name.equals("gemm TN 10×210·210×2") && o.variant.equals(chosen)),
                    "the profile names the variant that ran: " + prof.ops().get(0).name + " [" + prof.ops().get(0).variant + "]");
        }
    }
}
