package dev.scratchnet.backend.cuda;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static dev.scratchnet.backend.cuda.EmulatedCuda.ok;
import static dev.scratchnet.backend.cuda.EmulatedCuda.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scratchnet's emulated CUDA driver, called as JCuda calls it: the result codes NVIDIA's driver
 * returns where a GPU refuses or faults (launch limits, unknown kernels, images the build did not
 * produce, pointers outside every live allocation, use after free, double free, writes past an
 * allocation), that a fault while work runs is sticky until the context is released, and what the
 * driver's text says about each. Every test works in the primary context of the emulator's small
 * second device and releases it, so the context the other CUDA tests share is never touched.
 */
class EmulatedCudaDriverTest {
    private EmulatedCuda.Context ctx;
    private CUmodule tensor;
    private CUfunction fillF32;
    private CUfunction fillF64;

    @BeforeEach
    void open() {
        EmulatedCuda.require();
        ctx = new EmulatedCuda.Context();
        tensor = new CUmodule();
        ok(JCudaDriver.cuModuleLoadData(tensor, EmulatedCuda.image("tensor")));
        fillF32 = function(tensor, "fill_f32");
        fillF64 = function(tensor, "fill_f64");
    }

    @AfterEach
    void close() {
        if (ctx != null) {
            ctx.close();
        }
    }

    private static CUfunction function(CUmodule m, String name) {
        CUfunction f = new CUfunction();
        ok(JCudaDriver.cuModuleGetFunction(f, m, name));
        return f;
    }

    private static CUdeviceptr alloc(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        ok(JCudaDriver.cuMemAlloc(p, bytes));
        return p;
    }

    private static Pointer params(NativePointerObject... args) {
        return Pointer.to(args);
    }

    /** fill_f32(n, value, x) over n with blocks of 256, as the backend launches it. */
    private int fill(int n, float value, CUdeviceptr x) {
        return JCudaDriver.cuLaunchKernel(fillF32, (n + 255) / 256, 1, 1, 256, 1, 1, 0, null,
                params(Pointer.to(new int[] {n}), Pointer.to(new float[] {value}), Pointer.to(x)), null);
    }

    private static float[] download(CUdeviceptr p, int n) {
        float[] out = new float[n];
        ok(JCudaDriver.cuMemcpyDtoH(Pointer.to(out), p, (long) n * Sizeof.FLOAT));
        return out;
    }

    private static void assertFails(int expected, int result, String... textHas) {
        assertEquals(CUresult.stringFor(expected), CUresult.stringFor(result), text(result));
        String t = text(result);
        for (String s : textHas) {
            assertTrue(t.contains(s), "'" + s + "' missing from: " + t);
        }
    }

    @Test
    void aLaunchWithinTheLimitsRunsTheKernel() {
        CUdeviceptr x = alloc(1000 * Sizeof.FLOAT);
        ok(fill(1000, 2.5f, x));
        float[] want = new float[1000];
        Arrays.fill(want, 2.5f);
        assertArrayEquals(want, download(x, 1000));
        ok(JCudaDriver.cuMemFree(x));
    }

    @Test
    void launchesOutsideAGpusLimitsAreRefusedWithTheDriversCodes() {
        CUdeviceptr x = alloc(4096 * Sizeof.FLOAT);
        Pointer args = params(Pointer.to(new int[] {4096}), Pointer.to(new float[] {1f}), Pointer.to(x));
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuLaunchKernel(fillF32, 4, 1, 1, 1025, 1, 1, 0, null, args, null),
                "fill_f32", "1..1024");
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuLaunchKernel(fillF32, 4, 1, 1, 32, 33, 1, 0, null, args, null),
                "1056 threads a block; the device allows 1024");
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuLaunchKernel(fillF32, 4, 1, 1, 1, 1, 65, 0, null, args, null));
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuLaunchKernel(fillF32, 1, 65536, 1, 256, 1, 1, 0, null, args, null),
                "grid");
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuLaunchKernel(fillF32, 0, 1, 1, 256, 1, 1, 0, null, args, null));
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuLaunchKernel(fillF32, 1, 1, 1, 256, 1, 1, 48 * 1024 + 1, null, args,
                null), "shared memory");
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuLaunchKernel(fillF32, 1, 1, 1, 256, 1, 1, 0, null, null, null),
                "kernelParams is null");
        assertFails(CUresult.CUDA_ERROR_INVALID_HANDLE, JCudaDriver.cuLaunchKernel(new CUfunction(), 1, 1, 1, 256, 1, 1, 0, null, args,
                null));
        // __launch_bounds__(256) on matmul_naive: a GPU refuses a 32 x 32 block for it
        CUmodule matmul = new CUmodule();
        ok(JCudaDriver.cuModuleLoadData(matmul, EmulatedCuda.image("matmul")));
        CUfunction naive = function(matmul, "matmul_naive_f32");
        assertFails(CUresult.CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES,
                JCudaDriver.cuLaunchKernel(naive, 1, 1, 1, 32, 32, 1, 0, null, args, null), "at most 256 (__launch_bounds__)");
        // none of these reached the device: the context is as good as before
        ok(JCudaDriver.cuCtxSynchronize());
        ok(JCudaDriver.cuModuleUnload(matmul));
        assertFails(CUresult.CUDA_ERROR_INVALID_HANDLE, JCudaDriver.cuModuleUnload(matmul), "unloaded already");
    }

    @Test
    void aKernelNameNotInTheModuleIsNotFound() {
        CUfunction f = new CUfunction();
        assertFails(CUresult.CUDA_ERROR_NOT_FOUND, JCudaDriver.cuModuleGetFunction(f, tensor, "fill_f16"),
                "module 'tensor' has no kernel 'fill_f16'");
        assertFails(CUresult.CUDA_ERROR_NOT_FOUND, JCudaDriver.cuModuleGetFunction(f, tensor, "softmax_rows_f32"));
    }

    @Test
    void onlyTheModuleImagesThisBuildProducedLoad() {
        CUmodule m = new CUmodule();
        // text that is not a built image: PTX (a real driver would compile it; the emulation cannot)
        byte[] ptx = ".version 9.0\n.target sm_75\n.address_size 64\n.visible .entry nothing()\n{\n\tret;\n}\n\0"
                .getBytes(StandardCharsets.US_ASCII);
        assertFails(CUresult.CUDA_ERROR_INVALID_PTX, JCudaDriver.cuModuleLoadData(m, ptx), "is not one this build produced");
        assertFails(CUresult.CUDA_ERROR_INVALID_IMAGE, JCudaDriver.cuModuleLoadData(m, "not a module\0".getBytes(StandardCharsets.US_ASCII)));
        // every built image of a module loads; the same image with one byte changed does not
        for (String kind : EmulatedCuda.kinds("reduce")) {
            byte[] built = dev.scratchnet.backend.KernelSource.of(dev.scratchnet.backend.BackendOptions.defaults())
                    .readBytesOrNull("cuda/reduce." + kind);
            byte[] image = kind.equals("fatbin") ? built : CudaModules.nulTerminated(built);
            CUmodule good = new CUmodule();
            ok(JCudaDriver.cuModuleLoadData(good, image));
            function(good, "sum_into_f64");
            ok(JCudaDriver.cuModuleUnload(good));
            byte[] changed = image.clone();
            changed[changed.length / 2] ^= 0x01;
            int result = JCudaDriver.cuModuleLoadData(m, changed);
            assertTrue(result == CUresult.CUDA_ERROR_INVALID_IMAGE || result == CUresult.CUDA_ERROR_INVALID_PTX,
                    kind + ": " + CUresult.stringFor(result));
            assertTrue(text(result).contains("not one this build produced"), text(result));
        }
    }

    @Test
    void aPointerArgumentOutsideEveryAllocationFaultsAtTheNextWaitAndTheContextStaysBroken() {
        CUdeviceptr x = alloc(1024 * Sizeof.FLOAT);
        CUdeviceptr outside = x.withByteOffset(1 << 20);
        ok(fill(256, 1f, outside));   // launches are queued: the fault shows when the host waits
        assertFails(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, JCudaDriver.cuCtxSynchronize(), "kernel 'fill_f32' (grid 1x1x1, block 256x1x1)",
                "parameter 3 (float*)", "is not inside any live allocation");
        // sticky, as on a GPU: every later call in this context fails the same way
        CUdeviceptr y = new CUdeviceptr();
        assertFails(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, JCudaDriver.cuMemAlloc(y, 64), "fill_f32");
        assertFails(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, fill(1, 1f, x));
        assertFails(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, JCudaDriver.cuMemcpyDtoH(Pointer.to(new float[1]), x, 4));
        // until the primary context is released: then it starts afresh
        ctx.close();
        ctx = new EmulatedCuda.Context();
        CUmodule m = new CUmodule();
        ok(JCudaDriver.cuModuleLoadData(m, EmulatedCuda.image("tensor")));
        fillF32 = function(m, "fill_f32");
        CUdeviceptr z = alloc(16 * Sizeof.FLOAT);
        ok(fill(16, 3f, z));
        assertEquals(3f, download(z, 16)[15]);
    }

    @Test
    void aKernelGivenFreedMemoryFaultsAndSaysTheMemoryWasFreed() {
        CUdeviceptr x = alloc(512 * Sizeof.FLOAT);
        ok(JCudaDriver.cuMemFree(x));
        ok(fill(512, 1f, x));
        assertFails(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, JCudaDriver.cuCtxSynchronize(), "fill_f32", "already freed by cuMemFree");
    }

    @Test
    void memoryFreedWhileAQueuedLaunchStillUsesItIsFound() {
        // NVIDIA's cuMemFree "may" wait for the device; the emulation does not, so the launch runs after the free
        CUdeviceptr x = alloc(512 * Sizeof.FLOAT);
        ok(fill(512, 1f, x));
        ok(JCudaDriver.cuMemFree(x));
        assertFails(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, JCudaDriver.cuCtxSynchronize(), "fill_f32", "freed");
    }

    @Test
    void freeingTwiceOrWhatWasNeverAllocatedIsAnInvalidValue() {
        CUdeviceptr x = alloc(256);
        ok(JCudaDriver.cuMemFree(x));
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemFree(x), "double free");
        CUdeviceptr y = alloc(256);
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemFree(y.withByteOffset(16)), "not its start");
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemFree(new CUdeviceptr()), "not an allocation");
        ok(JCudaDriver.cuMemFree(y));
        ok(JCudaDriver.cuCtxSynchronize());   // these are call errors, not faults: the context still works
    }

    @Test
    void copiesAndMemsetsOutsideAnAllocationAreInvalidValues() {
        CUdeviceptr x = alloc(100);
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemcpyHtoD(x, Pointer.to(new byte[101]), 101), "run past the end");
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemcpyDtoH(Pointer.to(new byte[8]), x.withByteOffset(96), 8));
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemsetD8(x, (byte) 0, 101));
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemsetD32(x.withByteOffset(2), 0, 4), "aligned");
        ok(JCudaDriver.cuMemsetD32(x, 0x3f800000, 25));
        float[] ones = new float[25];
        ok(JCudaDriver.cuMemcpyDtoH(Pointer.to(ones), x, 100));
        assertEquals(1f, ones[24]);
        ok(JCudaDriver.cuMemFree(x));
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemcpyHtoD(x, Pointer.to(new byte[4]), 4), "already freed");
        CUdeviceptr a = alloc(64), b = alloc(64);
        ok(JCudaDriver.cuMemcpyDtoD(b, a, 64));
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemcpyDtoD(b, a, 65));
    }

    @Test
    void aWriteOutsideAnAllocationIsAnIllegalAddressNamingTheKernel() {
        CUdeviceptr x = alloc(1000 * Sizeof.FLOAT);
        CUdeviceptr neighbour = alloc(1000 * Sizeof.FLOAT);
        ok(fill(1000, 0f, neighbour));
        ok(fill(1001, 7f, x));   // one element too many
        assertFails(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, JCudaDriver.cuCtxSynchronize(),
                "kernel 'fill_f32' (grid 4x1x1, block 256x1x1) wrote 4 bytes past the end of the 4000-byte allocation",
                "(passed as parameter 3, float*)");
    }

    @Test
    void aPointerNotAlignedForItsTypeIsAMisalignedAddress() {
        CUdeviceptr x = alloc(64 * Sizeof.DOUBLE);
        ok(JCudaDriver.cuLaunchKernel(fillF64, 1, 1, 1, 32, 1, 1, 0, null,
                params(Pointer.to(new int[] {8}), Pointer.to(new double[] {1}), Pointer.to(x.withByteOffset(4))), null));
        assertFails(CUresult.CUDA_ERROR_MISALIGNED_ADDRESS, JCudaDriver.cuCtxSynchronize(), "fill_f64", "parameter 3 (double*)",
                "not aligned to 8 bytes");
    }

    @Test
    void aShuffleInAPartialWarpStopsTheLaunch() {
        // softmax_rows reduces with full-warp shuffles: a block that is not a whole number of warps is
        // undefined behaviour on a GPU (CudaBackend.softmaxBlock never launches one); the emulation stops
        CUmodule softmax = new CUmodule();
        ok(JCudaDriver.cuModuleLoadData(softmax, EmulatedCuda.image("softmax")));
        CUfunction f = function(softmax, "softmax_rows_f32");
        CUdeviceptr z = alloc(2 * 40 * Sizeof.FLOAT);
        ok(JCudaDriver.cuMemsetD8(z, (byte) 0, 2 * 40 * Sizeof.FLOAT));
        ok(JCudaDriver.cuLaunchKernel(f, 2, 1, 1, 48, 1, 1, 0, null,
                params(Pointer.to(new int[] {2}), Pointer.to(new int[] {40}), Pointer.to(z), Pointer.to(z)), null));
        assertFails(CUresult.CUDA_ERROR_LAUNCH_FAILED, JCudaDriver.cuCtxSynchronize(), "softmax_rows_f32", "partial warp");
    }

    @Test
    void eventsTimeTheQueueAndRefuseWhatADriverRefuses() {
        CUevent start = new CUevent(), stop = new CUevent(), untimed = new CUevent();
        ok(JCudaDriver.cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT));
        ok(JCudaDriver.cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT));
        ok(JCudaDriver.cuEventCreate(untimed, CUevent_flags.CU_EVENT_DISABLE_TIMING));
        float[] ms = new float[1];
        assertFails(CUresult.CUDA_ERROR_INVALID_HANDLE, JCudaDriver.cuEventElapsedTime(ms, start, stop), "never recorded");
        ok(JCudaDriver.cuEventRecord(start, null));
        CUdeviceptr x = alloc(1 << 16);
        ok(fill(1 << 14, 1f, x));
        ok(JCudaDriver.cuEventRecord(stop, null));
        assertFails(CUresult.CUDA_ERROR_NOT_READY, JCudaDriver.cuEventElapsedTime(ms, start, stop));
        ok(JCudaDriver.cuEventSynchronize(stop));
        ok(JCudaDriver.cuEventElapsedTime(ms, start, stop));
        assertTrue(ms[0] >= 0, "elapsed " + ms[0]);
        ok(JCudaDriver.cuEventQuery(stop));
        ok(JCudaDriver.cuEventRecord(untimed, null));
        ok(JCudaDriver.cuEventSynchronize(untimed));
        assertFails(CUresult.CUDA_ERROR_INVALID_HANDLE, JCudaDriver.cuEventElapsedTime(ms, start, untimed), "DISABLE_TIMING");
        ok(JCudaDriver.cuEventRecord(start, null));
        ok(JCudaDriver.cuEventDestroy(start));   // destroyed while its record is queued: freed once it runs
        ok(JCudaDriver.cuCtxSynchronize());
        assertFails(CUresult.CUDA_ERROR_INVALID_HANDLE, JCudaDriver.cuEventRecord(start, null), "destroyed already");
    }

    @Test
    void theSmallDeviceRunsOutOfMemoryAsADeviceDoes() {
        long[] free = new long[1], total = new long[1];
        ok(JCudaDriver.cuMemGetInfo(free, total));
        assertEquals(EmulatedCuda.SMALL_BYTES, total[0]);
        CUdeviceptr big = alloc(48L << 20);
        CUdeviceptr more = new CUdeviceptr();
        assertFails(CUresult.CUDA_ERROR_OUT_OF_MEMORY, JCudaDriver.cuMemAlloc(more, 20L << 20), "bytes are allocated");
        assertFails(CUresult.CUDA_ERROR_OUT_OF_MEMORY, JCudaDriver.cuMemAlloc(more, 1L << 40));
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuMemAlloc(more, 0));
        ok(JCudaDriver.cuMemFree(big));
        ok(JCudaDriver.cuMemAlloc(more, 20L << 20));   // freed memory comes back (after its quarantine)
        ok(JCudaDriver.cuMemAlloc(new CUdeviceptr(), 40L << 20));
    }

    @Test
    void contextsFollowNvidiasRules() throws InterruptedException {
        // a thread with no current context
        int[] result = new int[1];
        Thread t = new Thread(() -> result[0] = JCudaDriver.cuMemAlloc(new CUdeviceptr(), 64));
        t.start();
        t.join();
        assertFails(CUresult.CUDA_ERROR_INVALID_CONTEXT, result[0], "no context is current on this thread");
        CUdevice none = new CUdevice();
        assertFails(CUresult.CUDA_ERROR_INVALID_DEVICE, JCudaDriver.cuDeviceGet(none, 99), "device 99 does not exist");
        assertFails(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuInit(1));
        // the primary context is retained once here: a second release is one too many
        ctx.close();
        assertFails(CUresult.CUDA_ERROR_INVALID_CONTEXT, JCudaDriver.cuDevicePrimaryCtxRelease(ctx.device), "not retained");
        // and a thread whose current context was released finds it destroyed
        CUcontext stale = ctx.context;
        ok(JCudaDriver.cuCtxSetCurrent(stale));
        int r = JCudaDriver.cuMemAlloc(new CUdeviceptr(), 64);
        ctx = new EmulatedCuda.Context();
        assertFails(CUresult.CUDA_ERROR_CONTEXT_IS_DESTROYED, r, "has been released");
    }

    @Test
    void whatTheEmulationDoesNotImplementSaysSoInsteadOfEndingTheProcess() {
        CUcontext other = new CUcontext();
        assertFails(CUresult.CUDA_ERROR_NOT_SUPPORTED, JCudaDriver.cuCtxCreate(other, 0, ctx.device), "is not emulated");
        assertFails(CUresult.CUDA_ERROR_NOT_SUPPORTED, JCudaDriver.cuStreamCreate(new CUstream(), 0), "is not emulated");
        int[] value = new int[1];
        assertFails(CUresult.CUDA_ERROR_NOT_SUPPORTED, JCudaDriver.cuFuncGetAttribute(value,
                jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_NUM_REGS, fillF32), "function attribute 4 is not emulated");
        ok(JCudaDriver.cuFuncGetAttribute(value, jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, fillF32));
        assertEquals(1024, value[0]);
    }

    @Test
    void errorNamesAndTextsAreNvidias() {
        String[] s = new String[1];
        ok(JCudaDriver.cuGetErrorName(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, s));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", s[0]);
        ok(JCudaDriver.cuGetErrorName(CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU, s));
        assertEquals("CUDA_ERROR_NO_BINARY_FOR_GPU", s[0]);
        ok(JCudaDriver.cuGetErrorString(CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION, s));
        assertEquals("the provided PTX was compiled with an unsupported toolchain.", s[0]);
        ok(JCudaDriver.cuGetErrorString(CUresult.CUDA_SUCCESS, s));
        assertEquals("no error", s[0]);
        assertEquals(CUresult.CUDA_ERROR_INVALID_VALUE, JCudaDriver.cuGetErrorName(12345, s));
        int[] version = new int[1];
        ok(JCudaDriver.cuDriverGetVersion(version));
        assertEquals(13000, version[0]);
    }
}
