package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.Backend;
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
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA backend's host code on scratchnet's emulated driver, where the driver's memory and
 * contexts can be watched: the memory pool over a thousand training steps, backends on two devices
 * at once, closing from another thread, the pool giving memory back while work is queued, and the
 * errors a user meets (too little memory, a device that does not exist, a launch a GPU refuses,
 * memory freed under a kernel), each one line. Backends here run on the emulator's small second
 * device, so a broken context never reaches the one the other CUDA tests share.
 */
class CudaBackendTest {
    private static CudaBackend small() {
        return new CudaBackend(new BackendOptions(null, EmulatedCuda.SMALL));
    }

    /** Bytes the driver has handed out in the current context (with its guard zones). */
    static long driverBytesInUse() {
        long[] free = new long[1], total = new long[1];
        EmulatedCuda.ok(JCudaDriver.cuMemGetInfo(free, total));
        return total[0] - free[0];
    }

    private static Matrix ramp(int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m[i][j] = i * cols + j;
            }
        }
        return Matrix.of(m);
    }

    @Test
    @SuppressWarnings("try")
    void thePoolServesAThousandTrainingStepsWithoutGrowingAndClosingGivesEverythingBack() {
        EmulatedCuda.require();
        try (EmulatedCuda.Context held = new EmulatedCuda.Context()) {   // keeps the context alive after the backend closes
            long before = driverBytesInUse();
            Dataset moons = Moons.make(64, 0.1, 3);
            long afterFirstEpoch;
            try (CudaBackend be = small()) {
                assertTrue(be.emulated());
                try (Network net = Network.builder(be, Precision.FP32, 2).dense(8, Activation.relu()).dense(2, Activation.softmax())
                        .build(Initializer.he(), new NumpyRandom(1));
                     Optimizer adam = Optimizer.adam(0.01, 0.9, 0.999, 1e-8)) {
                    Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(adam).batchSize(16).epochs(1)
                            .shuffle(new NumpyRandom(2)).build().fit(net, moons, moons);
                    afterFirstEpoch = driverBytesInUse();
                    // 64 rows in batches of 16: 4 steps an epoch, 250 epochs = 1000 steps
                    History h = Trainer.builder().loss(Loss.softmaxCrossEntropy(1e-8)).optimizer(adam).batchSize(16).epochs(250)
                            .shuffle(new NumpyRandom(2)).build().fit(net, moons, moons);
                    assertTrue(h.finalTrainLoss() < 0.3, "loss " + h.finalTrainLoss());
                    assertEquals(afterFirstEpoch, driverBytesInUse(), "the driver's memory grew: the pool did not reuse its blocks");
                }
                assertEquals(0, be.bytesInUse(), "bytes held after closing the network and optimizer");
            }
            assertEquals(before, driverBytesInUse(), "the closed backend left memory allocated in the driver");
        }
    }

    @Test
    void backendsOnTwoDevicesEachWorkInTheirOwnContext() {
        EmulatedCuda.require();
        Backend shared = dev.scratchnet.testing.TestBackends.open("cuda");
        Matrix m = ramp(3, 5);
        try (Tensor onShared = shared.upload(m, Precision.FP64)) {
            try (CudaBackend other = small(); Tensor onOther = other.upload(m, Precision.FP64)) {
                // each op must run in its own backend's context, whichever was made current last
                shared.scale(2, onShared);
                other.scale(3, onOther);
                assertEquals(2.0 * 14, shared.download(onShared).get(2, 4));
                assertEquals(3.0 * 14, other.download(onOther).get(2, 4));
            }
            shared.scale(0.5, onShared);
            assertArrayEquals(m.data(), shared.download(onShared).data());
        }
    }

    @Test
    void closingOnAnotherThreadGivesTheDriverItsMemoryBack() throws InterruptedException {
        EmulatedCuda.require();
        try (EmulatedCuda.Context held = new EmulatedCuda.Context()) {
            long before = driverBytesInUse();
            CudaBackend be = small();
            try {
                try (Tensor t = be.zeros(1000, 100, Precision.FP64)) {
                    be.fill(t, 1);
                }
                be.synchronize();
                assertTrue(driverBytesInUse() > before, "the pooled tensor is still the driver's");
                AtomicReference<Throwable> failed = new AtomicReference<>();
                Thread closer = new Thread(() -> {
                    try {
                        be.close();   // as a shutdown hook does
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                });
                closer.start();
                closer.join();
                assertEquals(null, failed.get());
            } finally {
                be.close();   // (closed already unless something above failed)
            }
            EmulatedCuda.ok(JCudaDriver.cuCtxSetCurrent(held.context));
            assertEquals(before, driverBytesInUse(), "close() on another thread left the pool's memory allocated");
        }
    }

    @Test
    void thePoolGivesBlocksBackToTheDriverOnlyAfterTheWorkThatUsesThem() {
        EmulatedCuda.require();
        try (CudaBackend be = small()) {
            // 40 MiB, used by a queued kernel and returned to the pool before the device ran it
            Tensor a = be.zeros(10 << 10, 1 << 10, Precision.FP32);
            be.fill(a, 1);
            a.close();
            // 24 MiB of another size: the driver has no room until the pool gives its 40 MiB back
            try (Tensor b = be.zeros(6 << 10, 1 << 10, Precision.FP32)) {
                be.fill(b, 2);
                assertEquals(2.0, be.download(b).get(6143, 1023));
            }
        }
    }

    @Test
    void aTensorClosedRightAfterTheKernelThatReadsItIsSafeToReuse() {
        EmulatedCuda.require();
        try (CudaBackend be = small(); Tensor out = be.upload(ramp(64, 64), Precision.FP32)) {
            Tensor tmp = be.upload(ramp(64, 64), Precision.FP32);
            be.axpy(2, tmp, out);   // queued, not yet run
            tmp.close();            // the pool keeps the block: the kernel still reads it when the device gets to it
            try (Tensor reuse = be.upload(ramp(64, 64), Precision.FP32)) {
                be.scale(0, reuse);
            }
            assertEquals(3.0 * 4095, be.download(out).get(63, 63));
        }
    }

    @Test
    void anAllocationLargerThanTheDeviceIsOneLine() {
        EmulatedCuda.require();
        try (CudaBackend be = small()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.zeros(5000, 5000, Precision.FP32));
            assertEquals("a 5000×5000 fp32 tensor needs 95.4 MiB, but 0.0 MiB of the scratchnet CUDA device 1, emulated on the CPU's"
                    + " 0.1 GiB are already in use", e.getMessage());
            // one the backend lets through, but the driver cannot place with its own bookkeeping beside it
            IllegalStateException d = assertThrows(IllegalStateException.class, () -> be.zeros(16 << 10, 1 << 10, Precision.FP32));
            assertTrue(d.getMessage().startsWith("allocating 67108864 bytes for a 16384×1024 fp32 tensor on scratchnet CUDA device 1,"
                    + " emulated on the CPU failed: CUDA_ERROR_OUT_OF_MEMORY: out of memory"), d.getMessage());
            assertFalse(d.getMessage().contains("\n"), d.getMessage());
            try (Tensor t = be.zeros(2, 2, Precision.FP32)) {   // and the backend still works
                be.fill(t, 4);
                assertEquals(4.0, be.download(t).get(1, 1));
            }
        }
    }

    @Test
    void aDeviceThatDoesNotExistIsNamedWithTheOnesThatDo() {
        EmulatedCuda.require();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CudaBackend(new BackendOptions(null, 7)));
        assertEquals("CUDA device 7 does not exist: 'scratchnet devices' lists 0..1", e.getMessage());
    }

    @Test
    void memoryFreedUnderAKernelReachesTheUserAsOneLineNamingTheKernel() {
        EmulatedCuda.require();
        try (CudaBackend be = small()) {
            Tensor t = be.zeros(100, 10, Precision.FP64);
            be.synchronize();
            EmulatedCuda.ok(JCudaDriver.cuMemFree(((CudaTensor) t).ptr));   // behind the backend's back
            be.fill(t, 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, be::synchronize);
            String line = e.getMessage();
            assertFalse(line.contains("\n"), line);
            assertTrue(line.startsWith("waiting for the GPU failed: CUDA_ERROR_ILLEGAL_ADDRESS: an illegal memory access was"
                    + " encountered [scratchnet emulated CUDA driver: kernel 'fill_f64' (grid 4x1x1, block 256x1x1): parameter 3"
                    + " (double*) = 0x"), line);
            assertTrue(line.contains("points into memory already freed by cuMemFree]"), line);
            assertTrue(line.endsWith("(a kernel read or wrote outside its memory; the context cannot be used any more); the last kernel"
                    + " launched was 'fill_f64'"), line);
        }
    }

    @Test
    void aLaunchAGpuRefusesIsOneLineNamingTheKernelAndItsGeometry() {
        EmulatedCuda.require();
        try (CudaBackend be = small()) {
            // matmul_naive puts rows on the grid's y, which a GPU limits to 65535 blocks of 16
            int rows = 16 * 65536;
            try (Tensor a = be.zeros(rows, 1, Precision.FP32); Tensor b = be.zeros(1, 1, Precision.FP32);
                 Tensor c = be.zeros(rows, 1, Precision.FP32)) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> be.gemm("naive", false, false, 1, a, b, 0, c));
                assertTrue(e.getMessage().startsWith("CUDA kernel 'matmul_naive_f32' failed to launch on scratchnet CUDA device 1,"
                        + " emulated on the CPU (grid 1×65536, block 16×16): CUDA_ERROR_INVALID_VALUE: invalid argument"), e.getMessage());
                be.gemm("warptile", false, false, 1, a, b, 0, c);   // the variant training uses takes 128 rows a block
                be.synchronize();
            }
        }
    }

    @Test
    @SuppressWarnings("try")
    void aKernelMissingFromItsModuleIsOneLine() {
        EmulatedCuda.require();
        try (EmulatedCuda.Context held = new EmulatedCuda.Context()) {
            CudaModules modules = new CudaModules(dev.scratchnet.backend.KernelSource.of(BackendOptions.defaults()), true);
            try {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> modules.function("tensor", "fill_f16"));
                assertEquals("CUDA kernel 'fill_f16' is missing from tensor.cu (the jar): CUDA_ERROR_NOT_FOUND: named symbol not found"
                        + " [scratchnet emulated CUDA driver: module 'tensor' has no kernel 'fill_f16']", e.getMessage());
            } finally {
                modules.close();
            }
        }
    }

    @Test
    void timingAndWaitingWorkButTheEmulatorHasNoPeakRate() {
        EmulatedCuda.require();
        try (CudaBackend be = small(); Tensor t = be.zeros(256, 256, Precision.FP32)) {
            double ms = be.timeMillis(() -> be.fill(t, 3));
            assertTrue(ms >= 0 && ms < 60_000, "elapsed " + ms);
            be.synchronize();
            assertEquals(3.0, be.download(t).get(255, 255));
            assertTrue(Double.isNaN(be.peakGflops(Precision.FP32)), "an emulated device has no peak rate");
            assertTrue(be.deviceName().contains(CudaProbe.EMULATED), be.deviceName());
        }
    }

    @Test
    void theCodesABackendMeetsAreExplainedWithWhatToDo() {
        EmulatedCuda.require();
        assertEquals("CUDA_ERROR_UNSUPPORTED_PTX_VERSION: the provided PTX was compiled with an unsupported toolchain. (the driver is"
                + " older than the PTX: nvcc 13 writes PTX 9.0, which needs a driver of CUDA 13 or newer; update the driver, or rebuild"
                + " the kernels with the nvcc of your driver's CUDA version)", CudaErrors.explain(jcuda.driver.CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION));
        assertTrue(CudaErrors.explain(jcuda.driver.CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU).startsWith("CUDA_ERROR_NO_BINARY_FOR_GPU: no kernel"
                + " image is available for execution on the device (the kernels were built for other GPUs"));
        assertTrue(CudaErrors.explain(jcuda.driver.CUresult.CUDA_ERROR_LAUNCH_FAILED).endsWith("(a kernel failed while running; the"
                + " context cannot be used any more)"));
        assertTrue(CudaErrors.explain(jcuda.driver.CUresult.CUDA_ERROR_OUT_OF_MEMORY).contains("use smaller batches"));
        // (the emulated driver's text adds, in brackets, what it saw at the last error of that code)
        assertEquals("CUDA_ERROR_NOT_READY: device not ready",
                CudaErrors.explain(jcuda.driver.CUresult.CUDA_ERROR_NOT_READY).replaceAll(" \\[.*\\]$", ""));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CudaErrors.check(jcuda.driver.CUresult.CUDA_ERROR_INVALID_HANDLE, "reading an event"));
        assertEquals("reading an event failed: CUDA_ERROR_INVALID_HANDLE: invalid resource handle", e.getMessage().replaceAll(" \\[.*\\]$", ""));
    }
}
