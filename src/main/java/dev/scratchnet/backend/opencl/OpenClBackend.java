package dev.scratchnet.backend.opencl;

import dev.scratchnet.backend.AbstractBackend;
import dev.scratchnet.backend.ActivationKind;
import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.IndexBuffer;
import dev.scratchnet.backend.KernelBuildException;
import dev.scratchnet.backend.KernelSource;
import dev.scratchnet.backend.LossKind;
import dev.scratchnet.backend.OutOfBoundsWrite;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.backend.tuning.RefusedConfiguration;
import dev.scratchnet.backend.tuning.TileParams;
import dev.scratchnet.backend.tuning.Tunable;
import dev.scratchnet.backend.tuning.TuningCache;
import dev.scratchnet.backend.tuning.TuningKey;
import dev.scratchnet.backend.tuning.TuningSpace;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_buffer_region;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.jocl.cl_queue_properties;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenCL backend (JOCL): one context and one in-order queue on one device; the kernels of
 * {@code kernels/opencl} built once per precision ({@code -D REAL=float|double}) on first use and
 * kept; buffers allocated once and reused. Every op is a kernel launch (copy is a buffer copy) and
 * nothing waits for the device except {@link #download}, {@link #synchronize} and timing.
 *
 * <p>The matmul kernels ({@code matmul.cl}) are a program of their own, built with their tile
 * parameters as defines ({@link OpenClTuning}): the defaults, those {@code scratchnet kernels tune}
 * stored for this device, driver and kernel sources ({@link TuningCache}), or those the tuner is
 * trying ({@link #useParams}).
 */
public final class OpenClBackend extends AbstractBackend implements Tunable {
    /** The matmul variants; the first is the one training uses for all but small products on a CPU device. */
    public static final List<String> GEMM_VARIANTS = List.of("regblock", "tiled", "naive");

    /**
     * On a CPU device (PoCL), products with at most this many outputs take the naive kernel in
     * training: PoCL runs a work-group's items as loops and each barrier splits them, so a 64 × 64
     * register-blocked tile over a 10 × 2 output spends 470 µs on barriers that the naive kernel's
     * 20 work-items never meet (moons 2.2 s → 0.7 s, digits 5.0 s → 2.1 s; docs/BENCHMARKS.md). On
     * a GPU the crossover is not measured yet, so every product stays register-blocked there.
     */
    static final long SMALL_OUTPUT_ON_CPU = 4096;
    /** The kernel files, in the order they are compiled together (later files use earlier ones). */
    static final String[] FILES = {"common.cl", "tensor.cl", "activations.cl", "softmax.cl", "loss.cl", "reduce.cl", "optim.cl", "matmul.cl"};
    /** The files of the matmul program, built with the tile parameters as defines. */
    static final String[] MATMUL_FILES = {"common.cl", "matmul.cl"};
    /** The tunable matmul variants. */
    static final List<TuningSpace> SPACES = List.of(OpenClTuning.REGBLOCK, OpenClTuning.TILED);
    /** Matmul programs kept built (the tuner builds one per candidate). */
    private static final int MATMUL_PROGRAMS_KEPT = 4;
    private static final int LOCAL_1D = 256;
    private static final int TILE = 16;

    private final OpenClProbe.Found found;
    private final cl_device_id device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final KernelSource source;
    private final long maxAlloc;
    private final long globalMemory;
    private final int maxWorkGroup;
    private final long[] maxItems;
    private final long localMemory;
    private final TuningKey tuningKey;
    private final TuningCache.Loaded tuned;
    private final List<String> notes = new ArrayList<>();
    /** The tile parameters each tunable variant runs with, per precision. */
    private final Map<Precision, Map<String, TileParams>> params = new EnumMap<>(Precision.class);
    private final Map<Precision, String> origins = new EnumMap<>(Precision.class);
    /** Built matmul programs by precision and defines, least recently used first. */
    private final LinkedHashMap<String, MatmulProgram> matmulPrograms = new LinkedHashMap<>(8, 0.75f, true);
    private final Map<Precision, Map<String, cl_kernel>> kernels = new EnumMap<>(Precision.class);
    private final Map<Precision, cl_program> programs = new EnumMap<>(Precision.class);
    private final Map<cl_mem, Long> live = new IdentityHashMap<>();
    /** With guard zones on: each buffer's parent (guard, buffer, guard) by the buffer handed out. */
    private final Map<cl_mem, Guarded> guarded = new IdentityHashMap<>();
    private boolean guardZones;
    private long guardBytes;
    private final Map<Precision, cl_mem> partials = new EnumMap<>(Precision.class);
    private final Map<Precision, Long> partialBytes = new EnumMap<>(Precision.class);

    /** Argument holders reused between launches (clSetKernelArg copies the value at once). */
    private final int[] intArg = new int[1];
    private final float[] floatArg = new float[1];
    private final double[] doubleArg = new double[1];
    private final Pointer intPtr = Pointer.to(intArg);
    private final Pointer floatPtr = Pointer.to(floatArg);
    private final Pointer doublePtr = Pointer.to(doubleArg);
    private final long[] global1 = new long[1];
    private final long[] local1 = new long[1];
    private final long[] global2 = new long[2];
    private final long[] local2 = new long[2];

    /** Opens the device {@code options} name, else the first GPU, else the first device. */
    public OpenClBackend(BackendOptions options) {
        List<OpenClProbe.Found> devices = OpenClProbe.devices();
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("the opencl backend cannot run here: " + OpenClProbe.probe().reason);
        }
        Integer wanted = options.deviceFor("opencl");
        OpenClProbe.Found pick = null;
        if (wanted != null) {
            if (wanted < 0 || wanted >= devices.size()) {
                throw new IllegalArgumentException("OpenCL device " + wanted + " does not exist: 'scratchnet devices' lists 0.."
                        + (devices.size() - 1));
            }
            pick = devices.get(wanted);
        } else {
            for (OpenClProbe.Found f : devices) {
                if (f.info.isGpu()) {
                    pick = f;
                    break;
                }
            }
            if (pick == null) {
                pick = devices.get(0);
            }
        }
        this.found = pick;
        this.device = pick.device;
        this.source = KernelSource.of(options);
        CL.setExceptionsEnabled(true);
        this.maxAlloc = OpenClProbe.deviceLong(device, CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE);
        this.globalMemory = OpenClProbe.deviceLong(device, CL.CL_DEVICE_GLOBAL_MEM_SIZE);
        this.maxWorkGroup = (int) Math.min(Integer.MAX_VALUE, OpenClProbe.deviceLong(device, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE));
        this.maxItems = OpenClProbe.deviceSizes(device, CL.CL_DEVICE_MAX_WORK_ITEM_SIZES);
        this.localMemory = OpenClProbe.deviceLong(device, CL.CL_DEVICE_LOCAL_MEM_SIZE);
        this.tuningKey = tuningKey(pick, source);
        this.tuned = options.noTuning ? TuningCache.Loaded.none("--no-tuning")
                : TuningCache.load(options.tuningCache(), tuningKey, this::tuningSpace);
        if (tuned.note != null) {
            notes.add(tuned.note);
        }
        for (Precision p : Precision.values()) {
            Map<String, TileParams> m = new LinkedHashMap<>();
            for (TuningSpace space : SPACES) {
                TileParams t = tuned.get(p, space.variant);
                m.put(space.variant, t != null ? t : space.defaults());
            }
            params.put(p, m);
            origins.put(p, tuned.origin(p));
        }
        if (maxWorkGroup < TILE * TILE) {
            throw new IllegalArgumentException("OpenCL device " + pick.info.name + " allows work-groups of " + maxWorkGroup
                    + " work-items; the matmul kernels need " + (TILE * TILE));
        }
        try {
            cl_context_properties props = new cl_context_properties();
            props.addProperty(CL.CL_CONTEXT_PLATFORM, pick.platform);
            this.context = CL.clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
            cl_queue_properties qp = new cl_queue_properties();
            qp.addProperty(CL.CL_QUEUE_PROPERTIES, CL.CL_QUEUE_PROFILING_ENABLE);
            this.queue = CL.clCreateCommandQueueWithProperties(context, device, qp, null);
        } catch (CLException e) {
            throw new IllegalStateException("OpenCL could not open " + pick.info.name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public String deviceName() {
        return found.info.name + " (" + found.info.type + ", " + OpenClProbe.platformString(found.platform, CL.CL_PLATFORM_NAME) + ")";
    }

    @Override
    public boolean supports(Precision precision) {
        return precision == Precision.FP32 || found.info.fp64;
    }

    @Override
    public List<String> gemmVariants() {
        return GEMM_VARIANTS;
    }

    cl_context context() {
        return context;
    }

    cl_command_queue queue() {
        return queue;
    }

    static cl_mem mem(Tensor t) {
        return ((ClTensor) t).mem;
    }

    // ---- programs -------------------------------------------------------------------------

    /** Builds the kernels for {@code p} (all but the matmul program) on first use. */
    private Map<String, cl_kernel> kernels(Precision p) {
        Map<String, cl_kernel> k = kernels.get(p);
        if (k != null) {
            return k;
        }
        List<String> files = new ArrayList<>(List.of(FILES));
        files.remove("matmul.cl");
        programs.put(p, build(files, p, ""));
        k = new HashMap<>();
        kernels.put(p, k);
        return k;
    }

    /** Compiles {@code files} (in order, as one program) for {@code p} with {@code defines} added to the options. */
    private cl_program build(List<String> files, Precision p, String defines) {
        StringBuilder src = new StringBuilder();
        src.append("#ifdef SCRATCHNET_FP64\n#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n#endif\n");
        for (String f : files) {
            src.append("#line 1 \"").append(f).append("\"\n").append(source.read("opencl/" + f)).append('\n');
        }
        String options = "-D REAL=" + p.cType() + (p == Precision.FP64 ? " -D SCRATCHNET_FP64" : "")
                + (defines.isEmpty() ? "" : " " + defines) + (guardZones ? " -cl-kernel-arg-info" : "");
        cl_program program;
        try {
            program = CL.clCreateProgramWithSource(context, 1, new String[] {src.toString()}, null, null);
        } catch (CLException e) {
            throw new IllegalStateException("OpenCL could not create the kernel program: " + e.getMessage(), e);
        }
        try {
            CL.clBuildProgram(program, 1, new cl_device_id[] {device}, options, null, null);
        } catch (CLException e) {
            String log = buildLog(program);
            CL.clReleaseProgram(program);
            String where = source.directory() == null ? "kernels/opencl in the jar" : source.directory().resolve("opencl").toString();
            throw new KernelBuildException("OpenCL kernels (" + p + (defines.isEmpty() ? "" : ", " + defines) + ") failed to build on "
                    + found.info.name + ", from " + where + ": " + KernelBuildException.firstError(log) + "\n" + log.strip());
        }
        return program;
    }

    /**
     * Builds the programs of {@code p} now rather than at the first launch (kernels check does so
     * before its time limits start: a slow compiler is not a hung kernel).
     */
    public void buildPrograms(Precision p) {
        kernels(p);
        matmulProgram(p, params.get(p));
    }

    // ---- the matmul program and its tile parameters ----------------------------------------

    /** One build of matmul.cl with one setting of every tunable variant's parameters. */
    private static final class MatmulProgram {
        final cl_program program;
        final Map<String, cl_kernel> kernels = new HashMap<>();

        MatmulProgram(cl_program program) {
            this.program = program;
        }

        void release() {
            kernels.values().forEach(CL::clReleaseKernel);
            CL.clReleaseProgram(program);
        }
    }

    private static boolean isMatmulKernel(String name) {
        return name.startsWith("matmul_") || name.equals("dense_forward");
    }

    private static String defines(Map<String, TileParams> variants) {
        StringBuilder sb = new StringBuilder();
        for (TuningSpace space : SPACES) {
            sb.append(sb.length() == 0 ? "" : " ").append(space.defines(variants.get(space.variant)));
        }
        return sb.toString();
    }

    /** The matmul program for {@code p} with {@code variants}' parameters, built on first use. */
    private MatmulProgram matmulProgram(Precision p, Map<String, TileParams> variants) {
        String defines = defines(variants);
        String key = p + " " + defines;
        MatmulProgram mp = matmulPrograms.get(key);
        if (mp == null) {
            mp = new MatmulProgram(build(List.of(MATMUL_FILES), p, defines));
            matmulPrograms.put(key, mp);
            while (matmulPrograms.size() > MATMUL_PROGRAMS_KEPT) {
                String eldest = matmulPrograms.keySet().iterator().next();
                CL.clFinish(queue);
                matmulPrograms.remove(eldest).release();
            }
        }
        return mp;
    }

    private cl_kernel matmulKernel(String name, Precision p) {
        MatmulProgram mp = matmulProgram(p, params.get(p));
        cl_kernel kernel = mp.kernels.get(name);
        if (kernel == null) {
            kernel = createKernel(mp.program, name, p);
            mp.kernels.put(name, kernel);
        }
        return kernel;
    }

    @Override
    public List<TuningSpace> tuningSpaces() {
        return SPACES;
    }

    /** The key of tuned parameters for a device and kernel sources: its name, its driver, the sources' hash. */
    private static TuningKey tuningKey(OpenClProbe.Found f, KernelSource source) {
        StringBuilder all = new StringBuilder();
        for (String file : FILES) {
            all.append(file).append('\0').append(source.read("opencl/" + file)).append('\0');
        }
        return new TuningKey("opencl", f.info.name, OpenClProbe.deviceString(f.device, CL.CL_DRIVER_VERSION).trim(),
                TuningKey.sha256(all.toString()));
    }

    /**
     * Which matmul parameters OpenCL device {@code index} would run with under {@code options}, and
     * where they come from, per precision (for {@code scratchnet devices}); never throws.
     */
    public static List<String> describeTuning(int index, BackendOptions options) {
        try {
            OpenClProbe.Found f = OpenClProbe.devices().get(index);
            TuningKey key = tuningKey(f, KernelSource.of(options));
            TuningCache.Loaded loaded = options.noTuning ? TuningCache.Loaded.none("--no-tuning")
                    : TuningCache.load(options.tuningCache(), key, v -> SPACES.stream().filter(s -> s.variant.equals(v)).findFirst().orElse(null));
            return TuningCache.describe(loaded, SPACES, f.info.fp64 ? List.of(Precision.FP32, Precision.FP64) : List.of(Precision.FP32));
        } catch (RuntimeException | LinkageError e) {
            return List.of("matmul parameters: unknown (" + e.getMessage() + ")");
        }
    }

    @Override
    public TuningKey tuningKey() {
        return tuningKey;
    }

    @Override
    public TileParams params(String variant, Precision precision) {
        TileParams t = params.get(precision).get(variant);
        if (t == null) {
            throw new IllegalArgumentException("the OpenCL matmul variant '" + variant + "' has no tile parameters");
        }
        return t;
    }

    @Override
    public String paramsOrigin(Precision precision) {
        return origins.get(precision);
    }

    @Override
    public List<String> notes() {
        return List.copyOf(notes);
    }

    @Override
    public void useParams(String variant, Precision p, TileParams t) throws RefusedConfiguration {
        TuningSpace space = tuningSpace(variant);
        if (space == null) {
            throw new IllegalArgumentException("the OpenCL matmul variant '" + variant + "' has no tile parameters");
        }
        String illegal = space.illegal(t);
        if (illegal != null) {
            throw new RefusedConfiguration(illegal);
        }
        String refusal = deviceRefusal(variant, t, p);
        if (refusal != null) {
            throw new RefusedConfiguration(refusal);
        }
        Map<String, TileParams> trial = new LinkedHashMap<>(params.get(p));
        trial.put(variant, t);
        MatmulProgram mp;
        try {
            mp = matmulProgram(p, trial);
        } catch (KernelBuildException e) {
            throw new RefusedConfiguration("does not compile: " + e.getMessage().split("\n")[0]);
        }
        List<String> names = variant.equals("regblock") ? List.of("matmul_regblock", "dense_forward") : List.of("matmul_" + variant);
        int[] group = groupOf(variant, t);
        for (String name : names) {
            cl_kernel k = mp.kernels.computeIfAbsent(name, n -> createKernel(mp.program, n, p));
            long allowed = kernelLong(k, CL.CL_KERNEL_WORK_GROUP_SIZE);
            if (allowed > 0 && allowed < (long) group[0] * group[1]) {
                throw new RefusedConfiguration(String.format("registers: %s compiled allows %d work-items per group, the %d×%d group"
                        + " needs %d", name, allowed, group[0], group[1], group[0] * group[1]));
            }
            long local = kernelLong(k, CL.CL_KERNEL_LOCAL_MEM_SIZE);
            if (localMemory > 0 && local > localMemory) {
                throw new RefusedConfiguration(String.format("local memory: %s compiled uses %d bytes, the device has %d", name, local,
                        localMemory));
            }
        }
        params.get(p).put(variant, t);
        origins.put(p, t.equals(tuned.get(p, variant)) || t.equals(space.defaults()) ? origins.get(p) : "set by the tuner");
    }

    @Override
    public String refusal(String variant, Precision p, TileParams t) {
        return deviceRefusal(variant, t, p);
    }

    /** Why this device cannot run {@code variant} with {@code t}, from its limits alone, or null. */
    String deviceRefusal(String variant, TileParams t, Precision p) {
        int[] group = groupOf(variant, t);
        long items = (long) group[0] * group[1];
        if (items > maxWorkGroup) {
            return String.format("work-group size: %d×%d = %d work-items, the device allows %d", group[0], group[1], items, maxWorkGroup);
        }
        if (maxItems.length >= 2 && (group[0] > maxItems[0] || group[1] > maxItems[1])) {
            return String.format("work-group shape: %d×%d, the device allows at most %d×%d", group[0], group[1], maxItems[0], maxItems[1]);
        }
        long local = OpenClTuning.localBytes(variant, t, p.bytes());
        if (localMemory > 0 && local > localMemory) {
            return String.format("local memory: the tiles need %d bytes, the device has %d", local, localMemory);
        }
        return null;
    }

    private static int[] groupOf(String variant, TileParams t) {
        if (variant.equals("tiled")) {
            return new int[] {t.get("TS"), t.get("TS")};
        }
        return OpenClTuning.regblockGroup(t);
    }

    private long kernelLong(cl_kernel k, int param) {
        try {
            long[] v = new long[1];
            CL.clGetKernelWorkGroupInfo(k, device, param, Sizeof.cl_long, Pointer.to(v), null);
            return v[0];
        } catch (CLException e) {
            return 0;
        }
    }

    private String buildLog(cl_program program) {
        try {
            long[] size = new long[1];
            CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] buf = new byte[(int) size[0]];
            CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
            int n = 0;
            while (n < buf.length && buf[n] != 0) {
                n++;
            }
            return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        } catch (CLException e) {
            return "(no build log: " + e.getMessage() + ")";
        }
    }

    private cl_kernel kernel(String name, Precision p) {
        if (isMatmulKernel(name)) {
            return matmulKernel(name, p);
        }
        Map<String, cl_kernel> k = kernels(p);
        cl_kernel kernel = k.get(name);
        if (kernel == null) {
            kernel = createKernel(programs.get(p), name, p);
            k.put(name, kernel);
        }
        return kernel;
    }

    private static cl_kernel createKernel(cl_program program, String name, Precision p) {
        try {
            return CL.clCreateKernel(program, name, null);
        } catch (CLException e) {
            throw new IllegalStateException("OpenCL kernel '" + name + "' is missing from kernels/opencl (" + p + "): "
                    + e.getMessage(), e);
        }
    }

    // ---- launches -------------------------------------------------------------------------

    /** Sets the arguments of one launch in order. */
    private final class Args {
        private final cl_kernel kernel;
        private final String name;
        private final Precision p;
        private int index;
        /** The buffers passed, by argument index (checked after the launch when guard zones are on). */
        private final Map<Integer, cl_mem> buffers = new LinkedHashMap<>();

        Args(String name, Precision p) {
            this.name = name;
            this.p = p;
            this.kernel = kernel(name, p);
        }

        Args i(int v) {
            intArg[0] = v;
            CL.clSetKernelArg(kernel, index++, Sizeof.cl_int, intPtr);
            return this;
        }

        Args r(double v) {
            if (p == Precision.FP32) {
                floatArg[0] = (float) v;
                CL.clSetKernelArg(kernel, index++, Sizeof.cl_float, floatPtr);
            } else {
                doubleArg[0] = v;
                CL.clSetKernelArg(kernel, index++, Sizeof.cl_double, doublePtr);
            }
            return this;
        }

        Args m(cl_mem mem) {
            buffers.put(index, mem);
            CL.clSetKernelArg(kernel, index++, Sizeof.cl_mem, Pointer.to(mem));
            return this;
        }

        Args t(Tensor t) {
            return m(mem(t));
        }

        Args local(long elements) {
            CL.clSetKernelArg(kernel, index++, elements * p.bytes(), null);
            return this;
        }

        /** One work-item per element of n, work-groups of up to 256. */
        void run(long n) {
            local1[0] = Math.min(LOCAL_1D, maxWorkGroup);
            global1[0] = (n + local1[0] - 1) / local1[0] * local1[0];
            enqueue(1, global1, local1);
        }

        /** Exactly the given global and local sizes (1-D). */
        void runGroups(long groups, long local) {
            local1[0] = local;
            global1[0] = groups * local;
            enqueue(1, global1, local1);
        }

        void run2(long gx, long gy, long lx, long ly) {
            global2[0] = gx;
            global2[1] = gy;
            local2[0] = lx;
            local2[1] = ly;
            enqueue(2, global2, local2);
        }

        private void enqueue(int dims, long[] global, long[] local) {
            try {
                CL.clEnqueueNDRangeKernel(queue, kernel, dims, null, global, local, 0, null, null);
            } catch (CLException e) {
                throw new IllegalStateException("OpenCL kernel '" + name + "' (" + p + ") failed to launch on " + found.info.name
                        + ": " + e.getMessage(), e);
            }
            if (guardZones) {
                CL.clFinish(queue);
                for (Map.Entry<Integer, cl_mem> b : buffers.entrySet()) {
                    checkGuards(name, kernel, b.getKey(), b.getValue());
                }
            }
        }
    }

    private Args launch(String name, Precision p) {
        return new Args(name, p);
    }

    private static long roundUp(long n, long m) {
        return (n + m - 1) / m * m;
    }

    /** The largest power of two at most min(n rounded up to a power of two, 256, the device limit). */
    private int groupFor(int n) {
        int limit = Math.min(LOCAL_1D, maxWorkGroup);
        int g = 1;
        while (g < n && g < limit) {
            g <<= 1;
        }
        return Math.min(g, Integer.highestOneBit(limit));
    }

    // ---- guard zones (kernels check) -------------------------------------------------------

    /** A buffer allocated inside a larger one, with a guard zone of a known pattern on each side. */
    private static final class Guarded {
        final cl_mem parent;
        final long bytes;

        Guarded(cl_mem parent, long bytes) {
            this.parent = parent;
            this.bytes = bytes;
        }
    }

    /**
     * From now on, every buffer is a sub-buffer of one {@link #guardBytes()} larger on each side,
     * whose ends hold a pattern; after each launch the pattern is verified for every buffer the
     * kernel was given, and a change throws {@link OutOfBoundsWrite} naming the kernel and the
     * argument. Small overruns land in the guard zones instead of other memory. For checking
     * kernels, not for speed: every launch waits. Call before the first allocation.
     *
     * <p>Not on Oclgrind, which checks every access itself (and does not count a host write into a
     * sub-buffer as initialising it, so guard zones there would bring false reports): returns
     * whether they are on.
     */
    public boolean enableGuardZones() {
        if (!live.isEmpty() || !kernels.isEmpty() || !matmulPrograms.isEmpty()) {
            throw new IllegalStateException("guard zones must be enabled before anything is allocated or built");
        }
        if (OpenClProbe.platformString(found.platform, CL.CL_PLATFORM_NAME).contains("Oclgrind")) {
            return false;
        }
        long alignBits = OpenClProbe.deviceLong(device, CL.CL_DEVICE_MEM_BASE_ADDR_ALIGN);
        guardBytes = Math.max(4096, (alignBits / 8 + 4095) / 4096 * 4096);
        guardZones = true;
        return true;
    }

    /** Bytes of each guard zone (0 when they are off). */
    public long guardBytes() {
        return guardZones ? guardBytes : 0;
    }

    /** The guard pattern's byte at offset i of a zone: not a run of one value, unlikely as data. */
    private static byte guardByte(long i) {
        return (byte) (0xA5 ^ (i * 0x3B) ^ (i >>> 8));
    }

    private byte[] guardPattern() {
        byte[] b = new byte[(int) guardBytes];
        for (int i = 0; i < b.length; i++) {
            b[i] = guardByte(i);
        }
        return b;
    }

    private cl_mem allocateGuarded(long bytes) {
        cl_mem parent = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes + 2 * guardBytes, null, null);
        byte[] pattern = guardPattern();
        CL.clEnqueueWriteBuffer(queue, parent, CL.CL_TRUE, 0, guardBytes, Pointer.to(pattern), 0, null, null);
        CL.clEnqueueWriteBuffer(queue, parent, CL.CL_TRUE, guardBytes + bytes, guardBytes, Pointer.to(pattern), 0, null, null);
        cl_buffer_region region = new cl_buffer_region(guardBytes, bytes);
        cl_mem sub = CL.clCreateSubBuffer(parent, CL.CL_MEM_READ_WRITE, CL.CL_BUFFER_CREATE_TYPE_REGION, region, null);
        guarded.put(sub, new Guarded(parent, bytes));
        return sub;
    }

    /** Verifies both guard zones of {@code mem}, argument {@code index} of {@code kernel}; throws on a change. */
    private void checkGuards(String name, cl_kernel kernel, int index, cl_mem mem) {
        Guarded g = guarded.get(mem);
        if (g == null) {
            return;
        }
        byte[] before = new byte[(int) guardBytes];
        byte[] after = new byte[(int) guardBytes];
        CL.clEnqueueReadBuffer(queue, g.parent, CL.CL_TRUE, 0, guardBytes, Pointer.to(before), 0, null, null);
        CL.clEnqueueReadBuffer(queue, g.parent, CL.CL_TRUE, guardBytes + g.bytes, guardBytes, Pointer.to(after), 0, null, null);
        int firstBefore = -1, lastBefore = -1;
        for (int i = 0; i < before.length; i++) {
            if (before[i] != guardByte(i)) {
                lastBefore = i;
                if (firstBefore < 0) {
                    firstBefore = i;
                }
            }
        }
        int firstAfter = -1, lastAfter = -1;
        for (int i = 0; i < after.length; i++) {
            if (after[i] != guardByte(i)) {
                lastAfter = i;
                if (firstAfter < 0) {
                    firstAfter = i;
                }
            }
        }
        if (lastBefore < 0 && firstAfter < 0) {
            return;
        }
        byte[] pattern = guardPattern();   // restored, so that one finding is reported once
        CL.clEnqueueWriteBuffer(queue, g.parent, CL.CL_TRUE, 0, guardBytes, Pointer.to(pattern), 0, null, null);
        CL.clEnqueueWriteBuffer(queue, g.parent, CL.CL_TRUE, guardBytes + g.bytes, guardBytes, Pointer.to(pattern), 0, null, null);
        String arg = argumentName(kernel, index);
        if (firstAfter >= 0) {
            throw new OutOfBoundsWrite(String.format("%s wrote past the end of argument %s (bytes %d to %d after the end of its"
                    + " %d-byte buffer changed)", name, arg, firstAfter, lastAfter, g.bytes));
        }
        throw new OutOfBoundsWrite(String.format("%s wrote before the start of argument %s (bytes %d to %d before the start of its"
                + " %d-byte buffer changed)", name, arg, guardBytes - firstBefore, guardBytes - lastBefore, g.bytes));
    }

    /** The name of argument {@code index} of {@code kernel} (built with -cl-kernel-arg-info), else "#index". */
    private String argumentName(cl_kernel kernel, int index) {
        try {
            long[] size = new long[1];
            CL.clGetKernelArgInfo(kernel, index, CL.CL_KERNEL_ARG_NAME, 0, null, size);
            byte[] buf = new byte[(int) size[0]];
            CL.clGetKernelArgInfo(kernel, index, CL.CL_KERNEL_ARG_NAME, buf.length, Pointer.to(buf), null);
            int n = 0;
            while (n < buf.length && buf[n] != 0) {
                n++;
            }
            return n == 0 ? "#" + index : new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        } catch (CLException e) {
            return "#" + index;
        }
    }

    // ---- memory ---------------------------------------------------------------------------

    @Override
    public long memoryBytes() {
        return globalMemory;
    }

    private cl_mem allocate(long bytes, String what) {
        if (bytes > maxAlloc) {
            throw new IllegalArgumentException(String.format("%s needs %s, more than the %s %s allows in one allocation",
                    what, size(bytes), size(maxAlloc), found.info.name));
        }
        if (bytesInUse() + bytes > globalMemory) {
            throw new IllegalArgumentException(String.format("%s needs %s, but %s of the %s's %s are already in use",
                    what, size(bytes), size(bytesInUse()), found.info.name, size(globalMemory)));
        }
        try {
            cl_mem mem = guardZones ? allocateGuarded(bytes) : CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes, null, null);
            live.put(mem, bytes);
            return mem;
        } catch (CLException e) {
            throw new IllegalStateException("OpenCL could not allocate " + size(bytes) + " for " + what + " on " + found.info.name
                    + ": " + e.getMessage(), e);
        }
    }

    private void free(cl_mem mem) {
        if (live.remove(mem) != null) {
            CL.clReleaseMemObject(mem);
            Guarded g = guarded.remove(mem);
            if (g != null) {
                CL.clReleaseMemObject(g.parent);
            }
        }
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format("%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format("%.1f MiB", bytes / (double) (1L << 20));
        }
        return bytes + " bytes";
    }

    @Override
    protected Tensor doAllocate(int rows, int cols, Precision precision) {
        long bytes = (long) rows * cols * precision.bytes();
        cl_mem mem = allocate(bytes, "a " + rows + "×" + cols + " " + precision + " tensor");
        ClTensor t = new ClTensor(this, rows, cols, precision, mem);
        zero(mem, bytes);
        return t;
    }

    private void zero(cl_mem mem, long bytes) {
        byte[] pattern = {0};
        try {
            CL.clEnqueueFillBuffer(queue, mem, Pointer.to(pattern), 1, 0, bytes, 0, null, null);
        } catch (CLException e) {
            throw new IllegalStateException("OpenCL could not clear a new buffer of " + size(bytes) + " on " + found.info.name
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected void doFree(Tensor t) {
        free(mem(t));
    }

    @Override
    protected void doCopyIn(double[] src, Tensor dst) {
        int n = dst.size();
        try {
            if (dst.precision() == Precision.FP64) {
                CL.clEnqueueWriteBuffer(queue, mem(dst), CL.CL_TRUE, 0, (long) n * Sizeof.cl_double, Pointer.to(src), 0, null, null);
            } else {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = (float) src[i];
                }
                CL.clEnqueueWriteBuffer(queue, mem(dst), CL.CL_TRUE, 0, (long) n * Sizeof.cl_float, Pointer.to(f), 0, null, null);
            }
        } catch (CLException e) {
            throw new IllegalStateException("OpenCL upload of a " + dst.shape() + " tensor failed: " + e.getMessage(), e);
        }
    }

    @Override
    protected void doDownload(Tensor t, double[] dst) {
        int n = t.size();
        try {
            if (t.precision() == Precision.FP64) {
                CL.clEnqueueReadBuffer(queue, mem(t), CL.CL_TRUE, 0, (long) n * Sizeof.cl_double, Pointer.to(dst), 0, null, null);
            } else {
                float[] f = new float[n];
                CL.clEnqueueReadBuffer(queue, mem(t), CL.CL_TRUE, 0, (long) n * Sizeof.cl_float, Pointer.to(f), 0, null, null);
                for (int i = 0; i < n; i++) {
                    dst[i] = f[i];
                }
            }
        } catch (CLException e) {
            throw new IllegalStateException("OpenCL download of a " + t.shape() + " tensor failed (an earlier kernel may have "
                    + "failed): " + e.getMessage(), e);
        }
    }

    @Override
    protected IndexBuffer doAllocateIndices(int length) {
        cl_mem mem = allocate(4L * length, "an index buffer of " + length);
        zero(mem, 4L * length);
        return new ClIndexBuffer(this, length, mem);
    }

    @Override
    protected void doFreeIndices(IndexBuffer b) {
        free(((ClIndexBuffer) b).mem);
    }

    @Override
    protected void doCopyIn(int[] values, IndexBuffer dst) {
        CL.clEnqueueWriteBuffer(queue, ((ClIndexBuffer) dst).mem, CL.CL_TRUE, 0, 4L * values.length, Pointer.to(values), 0, null, null);
    }

    @Override
    public void synchronize() {
        checkOpen();
        CL.clFinish(queue);
    }

    /** Device time between two markers around {@code work}, from the queue's profiling events. */
    @Override
    public double timeMillis(Runnable work) {
        cl_event start = new cl_event(), end = new cl_event();
        CL.clEnqueueMarkerWithWaitList(queue, 0, null, start);
        long wallStart = System.nanoTime();
        work.run();
        CL.clEnqueueMarkerWithWaitList(queue, 0, null, end);
        CL.clWaitForEvents(1, new cl_event[] {end});
        long wall = System.nanoTime() - wallStart;
        try {
            long[] t0 = new long[1], t1 = new long[1];
            CL.clGetEventProfilingInfo(start, CL.CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(t0), null);
            CL.clGetEventProfilingInfo(end, CL.CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(t1), null);
            return t1[0] > t0[0] ? (t1[0] - t0[0]) / 1e6 : wall / 1e6;
        } catch (CLException e) {
            return wall / 1e6;
        } finally {
            CL.clReleaseEvent(start);
            CL.clReleaseEvent(end);
        }
    }

    @Override
    protected void doClose() {
        try {
            CL.clFinish(queue);
        } catch (CLException e) {
            // closing anyway
        }
        for (Map<String, cl_kernel> k : kernels.values()) {
            k.values().forEach(CL::clReleaseKernel);
        }
        programs.values().forEach(CL::clReleaseProgram);
        matmulPrograms.values().forEach(MatmulProgram::release);
        matmulPrograms.clear();
        live.keySet().forEach(CL::clReleaseMemObject);
        live.clear();
        guarded.values().forEach(g -> CL.clReleaseMemObject(g.parent));
        guarded.clear();
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }

    // ---- ops --------------------------------------------------------------------------------

    @Override
    public String gemmVariantFor(int m, int n, int k, Precision precision) {
        return "CPU".equals(found.info.type) && (long) m * n <= SMALL_OUTPUT_ON_CPU ? "naive" : GEMM_VARIANTS.get(0);
    }

    /** dense_forward is the register-blocked kernel with the epilogue, whatever the shape. */
    @Override
    public String denseForwardVariant(int m, int n, int k, Precision precision) {
        return "regblock";
    }

    @Override
    protected void doGemm(String variant, boolean transA, boolean transB, int m, int n, int k, double alpha,
                          Tensor a, Tensor b, double beta, Tensor c) {
        Precision p = c.precision();
        Args args = launch("matmul_" + variant, p).i(m).i(n).i(k).i(transA ? 1 : 0).i(transB ? 1 : 0).r(alpha)
                .t(a).t(b).r(beta).t(c);
        if (variant.equals("regblock")) {
            runRegblock(args, p, m, n);
        } else if (variant.equals("tiled")) {
            int ts = params.get(p).get("tiled").get("TS");
            args.run2(roundUp(n, ts), roundUp(m, ts), ts, ts);
        } else {
            args.run2(roundUp(n, TILE), roundUp(m, TILE), TILE, TILE);
        }
    }

    /** One work-group of the register-blocked shape per BM × BN block of the m × n output. */
    private void runRegblock(Args args, Precision p, int m, int n) {
        TileParams t = params.get(p).get("regblock");
        int[] group = OpenClTuning.regblockGroup(t);
        int bm = t.get("BM"), bn = t.get("BN");
        args.run2((long) (n + bn - 1) / bn * group[0], (long) (m + bm - 1) / bm * group[1], group[0], group[1]);
    }

    @Override
    protected void doDenseForward(Tensor x, Tensor w, Tensor bias, ActivationKind act, double actParam, Tensor out) {
        int m = x.rows(), n = w.cols(), k = x.cols();
        int code = act == ActivationKind.SOFTMAX ? ActivationKind.IDENTITY.code() : act.code();
        Args args = launch("dense_forward", out.precision()).i(m).i(n).i(k).t(x).t(w).t(bias).i(code).r(actParam).t(out);
        runRegblock(args, out.precision(), m, n);
        if (act == ActivationKind.SOFTMAX) {
            doSoftmaxRows(out, out);
        }
    }

    @Override
    protected void doAddRowVector(Tensor bias, Tensor c) {
        launch("add_row_vector", c.precision()).i(c.rows()).i(c.cols()).t(bias).t(c).run(c.size());
    }

    @Override
    protected void doActivationForward(ActivationKind kind, double param, Tensor z, Tensor a) {
        launch("activation_forward", z.precision()).i(z.size()).i(kind.code()).r(param).t(z).t(a).run(z.size());
    }

    @Override
    protected void doActivationBackward(ActivationKind kind, double param, Tensor a, Tensor dA, Tensor dZ) {
        launch("activation_backward", a.precision()).i(a.size()).i(kind.code()).r(param).t(a).t(dA).t(dZ).run(a.size());
    }

    @Override
    protected void doSoftmaxRows(Tensor z, Tensor p) {
        int group = groupFor(z.cols());
        launch("softmax_rows", z.precision()).i(z.rows()).i(z.cols()).t(z).t(p).local(group).runGroups(z.rows(), group);
    }

    @Override
    protected void doSoftmaxBackward(Tensor p, Tensor dP, Tensor dZ) {
        int group = groupFor(p.cols());
        launch("softmax_backward", p.precision()).i(p.rows()).i(p.cols()).t(p).t(dP).t(dZ).local(group).runGroups(p.rows(), group);
    }

    @Override
    protected void doLossAndGradient(LossKind kind, double epsilon, Tensor out, Tensor target, double gradScale,
                                     Tensor grad, Tensor rowLoss) {
        String name;
        switch (kind) {
            case SOFTMAX_CROSS_ENTROPY: name = "loss_softmax_cross_entropy"; break;
            case SIGMOID_BINARY_CROSS_ENTROPY: name = "loss_sigmoid_bce"; break;
            case BINARY_CROSS_ENTROPY: name = "loss_bce"; break;
            default: name = "loss_mse"; break;
        }
        launch(name, out.precision()).i(out.rows()).i(out.cols()).r(epsilon).r(gradScale).t(out).t(target).t(grad).t(rowLoss)
                .run(out.rows());
    }

    @Override
    protected void doSumColumns(double alpha, Tensor a, double beta, Tensor out) {
        Precision p = a.precision();
        int rows = a.rows(), cols = a.cols();
        int chunks = (int) Math.max(1, Math.min(64, (rows + 63) / 64));
        int perGroup = (rows + chunks - 1) / chunks;
        cl_mem partial = partial(p, (long) chunks * cols * p.bytes());
        launch("sum_columns_partial", p).i(rows).i(cols).i(perGroup).t(a).m(partial)
                .run2(roundUp(cols, TILE), (long) chunks * TILE, TILE, TILE);
        launch("sum_columns_final", p).i(chunks).i(cols).r(alpha).r(beta).m(partial).t(out).run(cols);
    }

    /** The scratch buffer of sum_columns_partial, grown as needed and kept. */
    private cl_mem partial(Precision p, long bytes) {
        Long have = partialBytes.get(p);
        if (have == null || have < bytes) {
            if (have != null) {
                free(partials.get(p));
            }
            long size = Math.max(bytes, 64L * 1024);
            cl_mem mem = allocate(size, "the column-sum scratch");
            // zeroed by a host write, not clEnqueueFillBuffer: Oclgrind's uninitialised-value checker
            // does not count a fill, and CI runs the kernel checks under it
            CL.clEnqueueWriteBuffer(queue, mem, CL.CL_TRUE, 0, size, Pointer.to(new byte[(int) size]), 0, null, null);
            partials.put(p, mem);
            partialBytes.put(p, size);
        }
        return partials.get(p);
    }

    @Override
    protected void doSumInto(Tensor values, double scale, Tensor acc, int slot) {
        int group = groupFor(LOCAL_1D);
        launch("sum_into", values.precision()).i(values.size()).r(scale).t(values).t(acc).i(slot).local(group).runGroups(1, group);
    }

    @Override
    protected void doCountCorrect(Tensor out, Tensor target, Tensor acc, int slot) {
        int group = groupFor(LOCAL_1D);
        launch("count_correct", out.precision()).i(out.rows()).i(out.cols()).t(out).t(target).t(acc).i(slot).local(group)
                .runGroups(1, group);
    }

    @Override
    protected void doArgmaxRows(Tensor out, Tensor labels) {
        launch("argmax_rows", out.precision()).i(out.rows()).i(out.cols()).t(out).t(labels).run(out.rows());
    }

    @Override
    protected void doScale(double alpha, Tensor x) {
        launch("scale", x.precision()).i(x.size()).r(alpha).t(x).run(x.size());
    }

    @Override
    protected void doAxpy(double alpha, Tensor x, Tensor y) {
        launch("axpy", x.precision()).i(x.size()).r(alpha).t(x).t(y).run(x.size());
    }

    @Override
    protected void doFill(Tensor t, double value) {
        launch("fill", t.precision()).i(t.size()).r(value).t(t).run(t.size());
    }

    @Override
    protected void doCopy(Tensor src, Tensor dst) {
        CL.clEnqueueCopyBuffer(queue, mem(src), mem(dst), 0, 0, src.bytes(), 0, null, null);
    }

    @Override
    protected void doGatherRows(Tensor src, IndexBuffer idx, int offset, Tensor dst) {
        launch("gather_rows", dst.precision()).i(dst.rows()).i(dst.cols()).i(src.rows()).m(((ClIndexBuffer) idx).mem).i(offset)
                .t(src).t(dst).run2(roundUp(dst.cols(), TILE), roundUp(dst.rows(), TILE), TILE, TILE);
    }

    @Override
    protected void doSgdUpdate(Tensor p, Tensor g, double lr) {
        launch("sgd_update", p.precision()).i(p.size()).r(lr).t(g).t(p).run(p.size());
    }

    @Override
    protected void doMomentumUpdate(Tensor p, Tensor g, Tensor v, double lr, double mu) {
        launch("momentum_update", p.precision()).i(p.size()).r(lr).r(mu).t(g).t(v).t(p).run(p.size());
    }

    @Override
    protected void doRmspropUpdate(Tensor p, Tensor g, Tensor s, double lr, double rho, double eps) {
        launch("rmsprop_update", p.precision()).i(p.size()).r(lr).r(rho).r(eps).t(g).t(s).t(p).run(p.size());
    }

    @Override
    protected void doAdamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                                double correction1, double correction2) {
        launch("adam_update", p.precision()).i(p.size()).r(lr).r(beta1).r(beta2).r(eps).r(correction1).r(correction2)
                .t(g).t(m).t(v).t(p).run(p.size());
    }
}
