package dev.scratchnet.backend.opencl;

import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.KernelBuildException;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Probe;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.testing.TestBackends;
import dev.scratchnet.testing.TestKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the OpenCL host does with kernel directories, build errors and oversized allocations. */
class OpenClBackendTest {

    /** A fresh OpenCL backend reading kernels from {@code dir} (skips where OpenCL cannot run). */
    static OpenClBackend open(Path dir) {
        TestBackends.open("opencl");   // skips, or fails when required, with the probe's reason
        return new OpenClBackend(new BackendOptions(dir, null));
    }

    @Test
    void anEditedKernelInADirectoryRunsOnTheNextStart(@TempDir Path tmp) throws IOException {
        Path dir = TestKernels.copyOfKernels(tmp);
        Path tensor = dir.resolve("opencl/tensor.cl");
        Files.writeString(tensor, Files.readString(tensor).replace("x[i] = value;", "x[i] = 2 * value;"));
        try (OpenClBackend be = open(dir); Tensor t = be.zeros(3, 5, Precision.FP32)) {
            be.fill(t, 1.5);
            assertEquals(3.0, be.download(t).get(2, 4), 0.0, "the edited fill doubles its value");
        }
    }

    @Test
    void aKernelThatDoesNotCompileReportsTheCompilersLogAndTheFile(@TempDir Path tmp) throws IOException {
        Path dir = TestKernels.copyOfKernels(tmp);
        Path loss = dir.resolve("opencl/loss.cl");
        Files.writeString(loss, Files.readString(loss).replace("REAL l = 0;", "REAL l = undeclared_thing;"));
        try (OpenClBackend be = open(dir)) {
            KernelBuildException e = assertThrows(KernelBuildException.class, () -> {
                try (Tensor t = be.zeros(2, 2, Precision.FP32)) {
                    be.fill(t, 1);
                }
            });
            String first = e.getMessage().split("\n")[0];
            assertTrue(first.startsWith("OpenCL kernels (fp32) failed to build on "), first);
            assertTrue(first.contains(dir.resolve("opencl").toString()), "names the directory: " + first);
            assertTrue(first.contains("loss.cl:") && first.contains("undeclared_thing"), "names the file and the error: " + first);
            assertTrue(e.getMessage().split("\n").length > 1, "the whole log follows");
        }
    }

    @Test
    void anAllocationLargerThanTheDeviceAllowsIsAClearError() {
        OpenClBackend be = (OpenClBackend) TestBackends.open("opencl");
        long before = be.bytesInUse();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.zeros(40000, 40000, Precision.FP64));
        assertTrue(e.getMessage().startsWith("a 40000×40000 fp64 tensor needs 11.9 GiB, more than the "), e.getMessage());
        assertEquals(before, be.bytesInUse(), "nothing was counted as allocated");
        try (Tensor t = be.upload(Matrix.of(new double[] {1, 2}), Precision.FP32)) {
            assertEquals(2.0, be.download(t).get(0, 1), 0.0, "the backend still works");
        }
    }

    @Test
    void aDeviceNumberThatDoesNotExistIsNamed() {
        TestBackends.open("opencl");
        Probe p = Backends.probe("opencl");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OpenClBackend(new BackendOptions(null, 99)));
        assertEquals("OpenCL device 99 does not exist: 'scratchnet devices' lists 0.." + (p.devices.size() - 1), e.getMessage());
    }

    @Test
    void aMissingKernelDirectoryIsNamed(@TempDir Path tmp) {
        TestBackends.open("opencl");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OpenClBackend(new BackendOptions(tmp.resolve("nowhere"), null)));
        assertEquals("kernel directory " + tmp.resolve("nowhere") + " does not exist (--kernels / SCRATCHNET_KERNELS)", e.getMessage());
    }
}
