package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.AbstractBackend;
import dev.scratchnet.backend.ActivationKind;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.IndexBuffer;
import dev.scratchnet.backend.KernelSource;
import dev.scratchnet.backend.LossKind;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Probe;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.backend.tuning.RefusedConfiguration;
import dev.scratchnet.backend.tuning.TileParams;
import dev.scratchnet.backend.tuning.Tunable;
import dev.scratchnet.backend.tuning.TuningKey;
import dev.scratchnet.backend.tuning.TuningSpace;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The CUDA backend (JCuda driver API): the device's primary context, the default stream, the
 * modules of {@code kernels/cuda} (see {@link CudaModules}), and a memory pool that keeps freed
 * blocks for reuse, so building and closing networks does not call cuMemAlloc/cuMemFree each time.
 * Every op is one or two kernel launches (copy is a device-to-device copy), and a list-form
 * optimizer update is one launch over all its tensors (see {@link OptimTable}); only downloads,
 * {@link #synchronize} and timing wait for the GPU. Launch geometry follows kernels/KERNELS.md and
 * the comments at the top of each .cu file.
 *
 * <p>Errors during a run (out of memory, an illegal address, a driver too old for the PTX) become
 * one line naming the kernel or copy and the cause. A kernel's failure while running surfaces at
 * the next wait, so that message names the last kernel launched.
 */
public final class CudaBackend extends AbstractBackend implements Tunable {
    /** The matmul variants; the first is the one training uses. */
    public static final List<String> GEMM_VARIANTS = List.of("warptile", "vectorized", "blocktile", "tiled", "naive");
    /**
     * The TF32 tensor-core variant (matmul_tf32, fp32 only): listed after {@link #GEMM_VARIANTS} on a
     * device that can run it (compute capability 8.0 or later, kernels with code for it), and what
     * fp32 products use under {@link BackendOptions#tf32}.
     */
    public static final String TF32_VARIANT = "tf32";
    /** matmul_tf32's launch shape: threads, BM, BN (TC_ in matmul.cu). */
    private static final int[] TF32_GEOMETRY = {256, 128, 128};
    private static final int THREADS = 256;

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CudaModules modules;
    /** The tile parameters of the tunable matmul variants, and their modules (kernels tune). */
    private final CudaMatmulTuning tuning;
    private final String name;
    private final int major;
    private final int minor;
    private final int sms;
    private final int clockKhz;
    private final long totalMemory;
    private final boolean emulated;
    /** Whether matmul_tf32 can run here (compute capability 8.0 or later and kernels with code for it). */
    private final boolean tf32Capable;
    /** Whether fp32 products use matmul_tf32 ({@link BackendOptions#tf32}). */
    private final boolean tf32;
    private final List<String> variants;
    private final Map<Long, ArrayDeque<CUdeviceptr>> pool = new HashMap<>();
    private long pooledBytes;
    private final Map<Precision, CudaTensor> partials = new EnumMap<>(Precision.class);
    /** The tables of the list-form optimizer updates, by their words (see {@link OptimTable}). */
    private final Map<List<Long>, OptimTable> optimTables = new HashMap<>();
    private String lastKernel = "(none yet)";
    private long launches;

    public CudaBackend(BackendOptions options) {
        Probe probe = CudaProbe.probe();
        if (!probe.available) {
            throw new IllegalArgumentException("the cuda backend cannot run here: " + probe.reason);
        }
        JCudaDriver.setExceptionsEnabled(false);
        Integer wanted = options.deviceFor("cuda");
        int index = wanted == null ? 0 : wanted;
        if (index < 0 || index >= probe.devices.size()) {
            throw new IllegalArgumentException("CUDA device " + index + " does not exist: 'scratchnet devices' lists 0.."
                    + (probe.devices.size() - 1));
        }
        CudaErrors.check(JCudaDriver.cuDeviceGet(device, index), "cuDeviceGet(" + index + ")");
        CudaErrors.check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "creating a CUDA context");
        CudaErrors.check(JCudaDriver.cuCtxSetCurrent(context), "making the CUDA context current");
        this.name = probe.devices.get(index).name;
        this.emulated = CudaProbe.isEmulated(name);
        this.totalMemory = probe.devices.get(index).memoryBytes;
        this.major = CudaProbe.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        this.minor = CudaProbe.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        this.sms = CudaProbe.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        this.clockKhz = CudaProbe.attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
        if (options.tf32 && major < 8) {
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
            throw new IllegalArgumentException(BackendOptions.tf32Refusal("this one, " + name + ": " + major + "." + minor));
        }
        try {
            KernelSource source = KernelSource.of(options);
            this.modules = new CudaModules(source, emulated);
            this.tuning = new CudaMatmulTuning(modules, source, device, name, options);
        } catch (RuntimeException e) {
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
            throw e;
        }
        this.tf32Capable = major >= 8 && modules.tf32Code();
        if (options.tf32 && !tf32Capable) {
            close();
            throw new IllegalArgumentException(BackendOptions.tf32Name() + ": the CUDA kernels from " + modules.origin()
                    + " are compute_75 PTX, where matmul_tf32 has no tensor-core code (it comes from the jar's fatbin: run without"
                    + " --kernels)");
        }
        this.tf32 = options.tf32;
        List<String> v = new ArrayList<>(GEMM_VARIANTS);
        if (tf32Capable) {
            v.add(TF32_VARIANT);
        }
        this.variants = List.copyOf(v);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String deviceName() {
        return name + " (compute capability " + major + "." + minor + ", " + sms + " SMs)";
    }

    @Override
    public boolean supports(Precision precision) {
        return true;
    }

    /**
     * Whether this runs on scratchnet's emulated driver (kernels on the CPU, see native/cuda-emulator):
     * right or wrong answers mean what they mean on a GPU, timings mean nothing.
     */
    public boolean emulated() {
        return emulated;
    }

    @Override
    public List<String> gemmVariants() {
        return variants;
    }

    /** Whether this device runs the TF32 tensor-core variant (compute capability 8.0 or later, and its code loaded). */
    public boolean tf32Capable() {
        return tf32Capable;
    }

    /** Whether fp32 products use TF32 tensor cores ({@link BackendOptions#tf32}). */
    public boolean tf32() {
        return tf32;
    }

    /** Whether {@code be} is a CUDA backend whose fp32 products use TF32 tensor cores. */
    public static boolean usesTf32(Backend be) {
        return be instanceof CudaBackend && ((CudaBackend) be).tf32;
    }

    /** The TF32 variant for fp32 products under {@link BackendOptions#tf32}; else the first variant. */
    @Override
    public String gemmVariantFor(int m, int n, int k, Precision precision) {
        return tf32 && precision == Precision.FP32 ? TF32_VARIANT : GEMM_VARIANTS.get(0);
    }

    /** dense_forward is matmul_blocktile's core with the epilogue; under TF32, matmul_tf32 and then the epilogue's ops. */
    @Override
    public String denseForwardVariant(int m, int n, int k, Precision precision) {
        return tf32 && precision == Precision.FP32 ? TF32_VARIANT : "blocktile";
    }

    // ---- tile parameters (Tunable, kept in CudaMatmulTuning) -----------------------------------

    @Override
    public List<TuningSpace> tuningSpaces() {
        return CudaTuning.SPACES;
    }

    @Override
    public TuningKey tuningKey() {
        return tuning.key();
    }

    /** Which matmul parameters the CUDA device called {@code deviceName} would run with, and whence (scratchnet devices). */
    public static List<String> describeTuning(String deviceName, dev.scratchnet.backend.BackendOptions options) {
        return CudaMatmulTuning.describe(deviceName, options);
    }

    @Override
    public TileParams params(String variant, Precision precision) {
        return tuning.params(variant, precision);
    }

    @Override
    public String paramsOrigin(Precision precision) {
        return tuning.origin(precision);
    }

    @Override
    public List<String> notes() {
        return tuning.notes();
    }

    @Override
    public String refusal(String variant, Precision precision, TileParams params) {
        return tuning.refusal(variant, precision, params);
    }

    @Override
    public void useParams(String variant, Precision precision, TileParams params) throws RefusedConfiguration {
        tuning.use(variant, precision, params);
    }

    /**
     * The device's peak rate of fused multiply-adds in GFLOP/s: SMs × FP32 (or FP64) units per SM ×
     * 2 × clock, with the units per SM of each compute capability.
     */
    @Override
    public double peakGflops(Precision p) {
        if (emulated) {
            return Double.NaN;
        }
        int fp32PerSm = major >= 9 || (major == 8 && minor > 0) ? 128 : 64;
        int fp64PerSm = major == 9 || (major == 8 && minor == 0) ? fp32PerSm / 2 : major == 7 && minor == 0 ? 32 : fp32PerSm / 32;
        int units = p == Precision.FP32 ? fp32PerSm : fp64PerSm;
        return 2.0 * sms * units * clockKhz / 1e6;
    }

    // ---- memory ---------------------------------------------------------------------------

    private static long blockSize(long bytes) {
        return (bytes + 255) / 256 * 256;
    }

    /**
     * Makes this backend's context the calling thread's current one. Every entry point that calls the
     * driver does this first: another backend (or a close() on another thread) may have changed it.
     */
    private void current() {
        CudaErrors.check(JCudaDriver.cuCtxSetCurrent(context), "making the CUDA context current");
    }

    private CUdeviceptr allocate(long bytes, String what) {
        current();
        long size = blockSize(bytes);
        ArrayDeque<CUdeviceptr> free = pool.get(size);
        if (free != null && !free.isEmpty()) {
            pooledBytes -= size;
            return free.pop();
        }
        if (bytesInUse() + size > totalMemory) {
            throw new IllegalArgumentException(String.format("%s needs %.1f MiB, but %.1f MiB of the %s's %.1f GiB are already in use",
                    what, size / 1048576.0, bytesInUse() / 1048576.0, name, totalMemory / 1073741824.0));
        }
        CUdeviceptr ptr = new DevicePointer();
        int result = JCudaDriver.cuMemAlloc(ptr, size);
        if (result == CUresult.CUDA_ERROR_OUT_OF_MEMORY && pooledBytes > 0) {
            releasePool();
            result = JCudaDriver.cuMemAlloc(ptr, size);
        }
        CudaErrors.check(result, "allocating " + size + " bytes for " + what + " on " + name);
        return ptr;
    }

    private void recycle(CUdeviceptr ptr, long capacity) {
        pool.computeIfAbsent(capacity, k -> new ArrayDeque<>()).push(ptr);
        pooledBytes += capacity;
    }

    /** Frees the pooled blocks, once the work queued before has finished with them (cuMemFree only may wait). */
    private void releasePool() {
        JCudaDriver.cuCtxSynchronize();
        for (ArrayDeque<CUdeviceptr> q : pool.values()) {
            for (CUdeviceptr p : q) {
                JCudaDriver.cuMemFree(p);
            }
        }
        pool.clear();
        pooledBytes = 0;
    }

    private static CUdeviceptr ptr(Tensor t) {
        return ((CudaTensor) t).ptr;
    }

    @Override
    protected Tensor doAllocate(int rows, int cols, Precision precision) {
        long bytes = (long) rows * cols * precision.bytes();
        CUdeviceptr p = allocate(bytes, "a " + rows + "×" + cols + " " + precision + " tensor");
        CudaErrors.check(JCudaDriver.cuMemsetD8Async(p, (byte) 0, blockSize(bytes), null), "clearing a new tensor");
        return new CudaTensor(this, rows, cols, precision, p, blockSize(bytes));
    }

    @Override
    protected void doFree(Tensor t) {
        CudaTensor c = (CudaTensor) t;
        forgetOptimTables(address(c.ptr));
        recycle(c.ptr, c.capacity);
    }

    @Override
    protected void doCopyIn(double[] src, Tensor dst) {
        current();
        int n = dst.size();
        Pointer host;
        long bytes;
        if (dst.precision() == Precision.FP64) {
            host = Pointer.to(src);
            bytes = (long) n * Sizeof.DOUBLE;
        } else {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) {
                f[i] = (float) src[i];
            }
            host = Pointer.to(f);
            bytes = (long) n * Sizeof.FLOAT;
        }
        sync(JCudaDriver.cuMemcpyHtoD(ptr(dst), host, bytes), "uploading a " + dst.shape() + " tensor");
    }

    @Override
    protected void doDownload(Tensor t, double[] dst) {
        current();
        int n = t.size();
        if (t.precision() == Precision.FP64) {
            sync(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), ptr(t), (long) n * Sizeof.DOUBLE), "downloading a " + t.shape() + " tensor");
        } else {
            float[] f = new float[n];
            sync(JCudaDriver.cuMemcpyDtoH(Pointer.to(f), ptr(t), (long) n * Sizeof.FLOAT), "downloading a " + t.shape() + " tensor");
            for (int i = 0; i < n; i++) {
                dst[i] = f[i];
            }
        }
    }

    /** A copy or wait that fails may be reporting an earlier kernel's failure: say which ran last. */
    private void sync(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException(what + " failed: " + CudaErrors.explain(result) + "; the last kernel launched was '"
                    + lastKernel + "'");
        }
    }

    @Override
    protected IndexBuffer doAllocateIndices(int length) {
        CUdeviceptr p = allocate(4L * length, "an index buffer of " + length);
        CudaErrors.check(JCudaDriver.cuMemsetD8Async(p, (byte) 0, blockSize(4L * length), null), "clearing an index buffer");
        return new CudaIndexBuffer(this, length, p, blockSize(4L * length));
    }

    @Override
    protected void doFreeIndices(IndexBuffer b) {
        CudaIndexBuffer c = (CudaIndexBuffer) b;
        recycle(c.ptr, c.capacity);
    }

    @Override
    protected void doCopyIn(int[] values, IndexBuffer dst) {
        current();
        sync(JCudaDriver.cuMemcpyHtoD(((CudaIndexBuffer) dst).ptr, Pointer.to(values), 4L * values.length), "uploading indices");
    }

    @Override
    public void synchronize() {
        checkOpen();
        current();
        sync(JCudaDriver.cuCtxSynchronize(), "waiting for the GPU");
    }

    /** Device time between two events around {@code work}. */
    @Override
    public double timeMillis(Runnable work) {
        current();
        CUevent start = new CUevent(), stop = new CUevent();
        CudaErrors.check(JCudaDriver.cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT), "creating an event");
        CudaErrors.check(JCudaDriver.cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT), "creating an event");
        try {
            CudaErrors.check(JCudaDriver.cuEventRecord(start, null), "recording an event");
            work.run();
            CudaErrors.check(JCudaDriver.cuEventRecord(stop, null), "recording an event");
            sync(JCudaDriver.cuEventSynchronize(stop), "waiting for an event");
            float[] ms = new float[1];
            CudaErrors.check(JCudaDriver.cuEventElapsedTime(ms, start, stop), "reading an event");
            return ms[0];
        } finally {
            JCudaDriver.cuEventDestroy(start);
            JCudaDriver.cuEventDestroy(stop);
        }
    }

    @Override
    protected void doClose() {
        JCudaDriver.cuCtxSetCurrent(context);   // close() may come from another thread (a shutdown hook)
        for (CudaTensor t : partials.values()) {
            recycle(t.ptr, t.capacity);
        }
        partials.clear();
        for (OptimTable t : optimTables.values()) {
            recycle(t.ptr, t.capacity);
        }
        optimTables.clear();
        releasePool();
        modules.close();
        JCudaDriver.cuDevicePrimaryCtxRelease(device);
    }

    // ---- launches -------------------------------------------------------------------------

    /** Collects one launch's arguments in order, then launches. */
    private final class Launch {
        private final String file;
        private final String kernel;
        private final Precision p;
        private final List<NativePointerObject> args = new ArrayList<>();

        Launch(String file, String kernel, Precision p) {
            this.file = file;
            this.kernel = kernel + "_" + p.suffix();
            this.p = p;
        }

        Launch i(int v) {
            args.add(Pointer.to(new int[] {v}));
            return this;
        }

        Launch r(double v) {
            args.add(p == Precision.FP32 ? Pointer.to(new float[] {(float) v}) : Pointer.to(new double[] {v}));
            return this;
        }

        Launch t(Tensor t) {
            args.add(Pointer.to(CudaBackend.ptr(t)));
            return this;
        }

        Launch device(CUdeviceptr d) {
            args.add(Pointer.to(d));
            return this;
        }

        /** 1-D over n, blocks of 256. */
        void over(long n) {
            run((int) ((n + THREADS - 1) / THREADS), 1, THREADS, 1);
        }

        void run(int gx, int gy, int bx, int by) {
            current();
            CUfunction tuned = file.equals("matmul") ? tuning.function(kernel.substring(0, kernel.length() - 4), p) : null;
            CUfunction f = tuned != null ? tuned : modules.function(file, kernel);
            lastKernel = kernel;
            int result = JCudaDriver.cuLaunchKernel(f, gx, gy, 1, bx, by, 1, 0, null,
                    Pointer.to(args.toArray(new NativePointerObject[0])), null);
            if (result != CUresult.CUDA_SUCCESS) {
                throw new IllegalStateException("CUDA kernel '" + kernel + "' failed to launch on " + name + " (grid " + gx + "×" + gy
                        + ", block " + bx + "×" + by + "): " + CudaErrors.explain(result));
            }
            launches++;
        }
    }

    private Launch launch(String file, String kernel, Precision p) {
        return new Launch(file, kernel, p);
    }

    private static int blocks(long n, int size) {
        return (int) ((n + size - 1) / size);
    }

    /** Threads per row for the softmax kernels: the next power of two at or above cols, 32 to 256. */
    static int softmaxBlock(int cols) {
        int b = 32;
        while (b < cols && b < THREADS) {
            b <<= 1;
        }
        return b;
    }

    // ---- ops --------------------------------------------------------------------------------

    @Override
    protected void doGemm(String variant, boolean transA, boolean transB, int m, int n, int k, double alpha, Tensor a, Tensor b,
                          double beta, Tensor c) {
        if (variant.equals(TF32_VARIANT) && c.precision() != Precision.FP32) {
            throw new IllegalArgumentException("the CUDA matmul variant '" + TF32_VARIANT + "' multiplies fp32 tensors only (TF32 has"
                    + " no fp64 form), not " + c.precision());
        }
        Launch l = launch("matmul", "matmul_" + variant, c.precision()).i(m).i(n).i(k).i(transA ? 1 : 0).i(transB ? 1 : 0)
                .r(alpha).t(a).t(b).r(beta).t(c);
        switch (variant) {
            case "naive": l.run(blocks(n, 16), blocks(m, 16), 16, 16); break;
            case "tiled": l.run(blocks(n, 32), blocks(m, 32), 32, 32); break;
            case TF32_VARIANT: l.run(blocks(n, TF32_GEOMETRY[2]), blocks(m, TF32_GEOMETRY[1]), TF32_GEOMETRY[0], 1); break;
            default:
                int[] g = tuning.geometry(variant, c.precision());   // threads, BM, BN
                l.run(blocks(n, g[2]), blocks(m, g[1]), g[0], 1);
                break;
        }
    }

    @Override
    protected void doDenseForward(Tensor x, Tensor w, Tensor bias, ActivationKind act, double actParam, Tensor out) {
        int m = x.rows(), n = w.cols(), k = x.cols();
        if (tf32 && out.precision() == Precision.FP32) {
            // TF32: the tensor-core product, then the bias and the activation as their own kernels (the
            // same float operations as dense_forward's epilogue, one launch each)
            doGemm(TF32_VARIANT, false, false, m, n, k, 1.0, x, w, 0.0, out);
            doAddRowVector(bias, out);
            if (act == ActivationKind.SOFTMAX) {
                doSoftmaxRows(out, out);
            } else if (act != ActivationKind.IDENTITY) {
                doActivationForward(act, actParam, out, out);
            }
            return;
        }
        int code = act == ActivationKind.SOFTMAX ? ActivationKind.IDENTITY.code() : act.code();
        int[] g = tuning.geometry("blocktile", out.precision());   // threads, BM, BN
        launch("matmul", "dense_forward", out.precision()).i(m).i(n).i(k).t(x).t(w).t(bias).i(code).r(actParam).t(out)
                .run(blocks(n, g[2]), blocks(m, g[1]), g[0], 1);
        if (act == ActivationKind.SOFTMAX) {
            doSoftmaxRows(out, out);
        }
    }

    @Override
    protected void doAddRowVector(Tensor bias, Tensor c) {
        launch("activations", "add_row_vector", c.precision()).i(c.rows()).i(c.cols()).t(bias).t(c).over(c.size());
    }

    @Override
    protected void doActivationForward(ActivationKind kind, double param, Tensor z, Tensor a) {
        launch("activations", "activation_forward", z.precision()).i(z.size()).i(kind.code()).r(param).t(z).t(a).over(z.size());
    }

    @Override
    protected void doActivationBackward(ActivationKind kind, double param, Tensor a, Tensor dA, Tensor dZ) {
        launch("activations", "activation_backward", a.precision()).i(a.size()).i(kind.code()).r(param).t(a).t(dA).t(dZ)
                .over(a.size());
    }

    @Override
    protected void doSoftmaxRows(Tensor z, Tensor p) {
        launch("softmax", "softmax_rows", z.precision()).i(z.rows()).i(z.cols()).t(z).t(p).run(z.rows(), 1, softmaxBlock(z.cols()), 1);
    }

    @Override
    protected void doSoftmaxBackward(Tensor p, Tensor dP, Tensor dZ) {
        launch("softmax", "softmax_backward", p.precision()).i(p.rows()).i(p.cols()).t(p).t(dP).t(dZ)
                .run(p.rows(), 1, softmaxBlock(p.cols()), 1);
    }

    @Override
    protected void doLossAndGradient(LossKind kind, double epsilon, Tensor out, Tensor target, double gradScale, Tensor grad,
                                     Tensor rowLoss) {
        String kernel;
        switch (kind) {
            case SOFTMAX_CROSS_ENTROPY: kernel = "loss_softmax_cross_entropy"; break;
            case SIGMOID_BINARY_CROSS_ENTROPY: kernel = "loss_sigmoid_bce"; break;
            case BINARY_CROSS_ENTROPY: kernel = "loss_bce"; break;
            default: kernel = "loss_mse"; break;
        }
        launch("loss", kernel, out.precision()).i(out.rows()).i(out.cols()).r(epsilon).r(gradScale).t(out).t(target).t(grad)
                .t(rowLoss).over(out.rows());
    }

    @Override
    protected void doSumColumns(double alpha, Tensor a, double beta, Tensor out) {
        Precision p = a.precision();
        int rows = a.rows(), cols = a.cols();
        int chunks = Math.max(1, Math.min(64, (rows + 63) / 64));
        int perGroup = (rows + chunks - 1) / chunks;
        CudaTensor partial = partial(p, chunks * cols);
        launch("reduce", "sum_columns_partial", p).i(rows).i(cols).i(perGroup).t(a).t(partial).run(blocks(cols, 16), chunks, 16, 16);
        launch("reduce", "sum_columns_final", p).i(chunks).i(cols).r(alpha).r(beta).t(partial).t(out).over(cols);
    }

    /** The scratch of sum_columns_partial: at least n elements, grown as needed and kept. */
    private CudaTensor partial(Precision p, int n) {
        CudaTensor t = partials.get(p);
        if (t == null || t.size() < n) {
            if (t != null) {
                recycle(t.ptr, t.capacity);
            }
            int size = Math.max(n, 8192);
            long bytes = (long) size * p.bytes();
            CUdeviceptr d = allocate(bytes, "the column-sum scratch");
            t = new CudaTensor(this, 1, size, p, d, blockSize(bytes));
            partials.put(p, t);
        }
        return t;
    }

    @Override
    protected void doSumInto(Tensor values, double scale, Tensor acc, int slot) {
        launch("reduce", "sum_into", values.precision()).i(values.size()).r(scale).t(values).t(acc).i(slot).run(1, 1, THREADS, 1);
    }

    @Override
    protected void doCountCorrect(Tensor out, Tensor target, Tensor acc, int slot) {
        launch("reduce", "count_correct", out.precision()).i(out.rows()).i(out.cols()).t(out).t(target).t(acc).i(slot)
                .run(1, 1, THREADS, 1);
    }

    @Override
    protected void doArgmaxRows(Tensor out, Tensor labels) {
        launch("reduce", "argmax_rows", out.precision()).i(out.rows()).i(out.cols()).t(out).t(labels).over(out.rows());
    }

    @Override
    protected void doScale(double alpha, Tensor x) {
        launch("tensor", "scale", x.precision()).i(x.size()).r(alpha).t(x).over(x.size());
    }

    @Override
    protected void doAxpy(double alpha, Tensor x, Tensor y) {
        launch("tensor", "axpy", x.precision()).i(x.size()).r(alpha).t(x).t(y).over(x.size());
    }

    @Override
    protected void doFill(Tensor t, double value) {
        launch("tensor", "fill", t.precision()).i(t.size()).r(value).t(t).over(t.size());
    }

    @Override
    protected void doCopy(Tensor src, Tensor dst) {
        current();
        CudaErrors.check(JCudaDriver.cuMemcpyDtoDAsync(ptr(dst), ptr(src), src.bytes(), null), "copying a " + src.shape() + " tensor");
    }

    @Override
    protected void doGatherRows(Tensor src, IndexBuffer idx, int offset, Tensor dst) {
        launch("tensor", "gather_rows", dst.precision()).i(dst.rows()).i(dst.cols()).i(src.rows()).device(((CudaIndexBuffer) idx).ptr)
                .i(offset).t(src).t(dst).run(blocks(dst.cols(), 16), blocks(dst.rows(), 16), 16, 16);
    }

    @Override
    protected void doSgdUpdate(Tensor p, Tensor g, double lr) {
        launch("optim", "sgd_update", p.precision()).i(p.size()).r(lr).t(g).t(p).over(p.size());
    }

    @Override
    protected void doMomentumUpdate(Tensor p, Tensor g, Tensor v, double lr, double mu) {
        launch("optim", "momentum_update", p.precision()).i(p.size()).r(lr).r(mu).t(g).t(v).t(p).over(p.size());
    }

    @Override
    protected void doRmspropUpdate(Tensor p, Tensor g, Tensor s, double lr, double rho, double eps) {
        launch("optim", "rmsprop_update", p.precision()).i(p.size()).r(lr).r(rho).r(eps).t(g).t(s).t(p).over(p.size());
    }

    @Override
    protected void doAdamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                                double correction1, double correction2) {
        launch("optim", "adam_update", p.precision()).i(p.size()).r(lr).r(beta1).r(beta2).r(eps).r(correction1).r(correction2)
                .t(g).t(m).t(v).t(p).over(p.size());
    }

    // ---- the list-form optimizer updates: one launch over every tensor (NAME_update_multi) ----------

    /** The kernels only this backend has (kernels/opencl has no counterpart): the one-launch optimizer steps. */
    public static final List<String> CUDA_ONLY_KERNELS = List.of("sgd_update_multi", "momentum_update_multi",
            "rmsprop_update_multi", "adam_update_multi");
    /** Words (64 bits) per entry of an optimizer table: p, g, s0, s1, then n and first_block as two ints (optim.cu's OptimEntry). */
    static final int OPTIM_ENTRY_WORDS = 5;

    /**
     * One optimizer table in device memory: {@code words} (the cache's key) as uploaded, for a grid
     * of {@code blocks} blocks of 256. Its content is a function of the tensors' addresses and sizes
     * only, so a table stays right while those tensors live; it is dropped when any of them is freed
     * (and on close), and its memory goes back to the pool. Like the column-sum scratch it is the
     * backend's own memory, not counted in {@link #bytesInUse()}.
     */
    private static final class OptimTable {
        final CUdeviceptr ptr;
        final long capacity;
        final int blocks;
        final List<Long> words;

        OptimTable(CUdeviceptr ptr, long capacity, int blocks, List<Long> words) {
            this.ptr = ptr;
            this.capacity = capacity;
            this.blocks = blocks;
            this.words = words;
        }

        boolean refersTo(long address) {
            for (int i = 0; i < words.size(); i++) {
                if (i % OPTIM_ENTRY_WORDS != OPTIM_ENTRY_WORDS - 1 && words.get(i) == address) {
                    return true;
                }
            }
            return false;
        }
    }

    private static long address(CUdeviceptr p) {
        return ((DevicePointer) p).address();
    }

    /** Kernel launches this backend has made (tests count them: an optimizer step is one). */
    long launches() {
        return launches;
    }

    /** How many optimizer tables are cached (tests: none left once their tensors are closed). */
    int optimTables() {
        return optimTables.size();
    }

    /** Drops the optimizer tables that point into the allocation at {@code address}. */
    private void forgetOptimTables(long address) {
        for (Iterator<OptimTable> it = optimTables.values().iterator(); it.hasNext(); ) {
            OptimTable t = it.next();
            if (t.refersTo(address)) {
                recycle(t.ptr, t.capacity);
                it.remove();
            }
        }
    }

    /**
     * The table for these entries (lists of equal length, s0 and s1 null where the optimizer has no
     * such state): found in the cache, or written and uploaded once (a synchronous copy, the first
     * step over a new list of tensors only).
     */
    private OptimTable optimTable(List<Tensor> ps, List<Tensor> gs, List<Tensor> s0, List<Tensor> s1) {
        int count = ps.size();
        Long[] words = new Long[count * OPTIM_ENTRY_WORDS];
        long blocks = 0;
        for (int i = 0; i < count; i++) {
            int n = ps.get(i).size();
            int w = i * OPTIM_ENTRY_WORDS;
            words[w] = address(ptr(ps.get(i)));
            words[w + 1] = address(ptr(gs.get(i)));
            words[w + 2] = s0 == null ? 0L : address(ptr(s0.get(i)));
            words[w + 3] = s1 == null ? 0L : address(ptr(s1.get(i)));
            words[w + 4] = (n & 0xffffffffL) | (blocks << 32);
            blocks += blocks(n, THREADS);
            if (blocks > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("an optimizer step over " + count + " tensors needs more than 2^31 blocks of "
                        + THREADS + " threads");
            }
        }
        List<Long> key = List.of(words);
        OptimTable table = optimTables.get(key);
        if (table == null) {
            long bytes = (long) words.length * Long.BYTES;
            CUdeviceptr d = allocate(bytes, "the optimizer's table of " + count + " tensors");
            long[] host = new long[words.length];
            for (int i = 0; i < host.length; i++) {
                host[i] = words[i];
            }
            try {
                sync(JCudaDriver.cuMemcpyHtoD(d, Pointer.to(host), bytes), "uploading the optimizer's table of " + count + " tensors");
            } catch (RuntimeException e) {
                recycle(d, blockSize(bytes));
                throw e;
            }
            table = new OptimTable(d, blockSize(bytes), (int) blocks, key);
            optimTables.put(key, table);
        }
        return table;
    }

    /** One launch of optim.cu's NAME_update_multi over the table; the caller adds the scalars and runs it. */
    private Launch multi(String kernel, Precision p, OptimTable table, int count) {
        return launch("optim", kernel + "_multi", p).i(count).device(table.ptr);
    }

    @Override
    protected void doSgdUpdate(List<Tensor> ps, List<Tensor> gs, double lr) {
        OptimTable t = optimTable(ps, gs, null, null);
        multi("sgd_update", ps.get(0).precision(), t, ps.size()).r(lr).run(t.blocks, 1, THREADS, 1);
    }

    @Override
    protected void doMomentumUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> vs, double lr, double mu) {
        OptimTable t = optimTable(ps, gs, vs, null);
        multi("momentum_update", ps.get(0).precision(), t, ps.size()).r(lr).r(mu).run(t.blocks, 1, THREADS, 1);
    }

    @Override
    protected void doRmspropUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> ss, double lr, double rho, double eps) {
        OptimTable t = optimTable(ps, gs, ss, null);
        multi("rmsprop_update", ps.get(0).precision(), t, ps.size()).r(lr).r(rho).r(eps).run(t.blocks, 1, THREADS, 1);
    }

    @Override
    protected void doAdamUpdate(List<Tensor> ps, List<Tensor> gs, List<Tensor> ms, List<Tensor> vs, double lr, double beta1,
                                double beta2, double eps, double correction1, double correction2) {
        OptimTable t = optimTable(ps, gs, ms, vs);
        multi("adam_update", ps.get(0).precision(), t, ps.size()).r(lr).r(beta1).r(beta2).r(eps).r(correction1).r(correction2)
                .run(t.blocks, 1, THREADS, 1);
    }
}
