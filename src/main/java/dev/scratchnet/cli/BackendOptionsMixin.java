package dev.scratchnet.cli;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.cuda.CudaBackend;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options every command that runs on a backend takes. */
final class BackendOptionsMixin {
    @Option(names = "--backend", paramLabel = "NAME",
            description = "auto, cpu, opencl or cuda (default: $SCRATCHNET_BACKEND, else auto).")
    String backend;

    @Option(names = "--kernels", paramLabel = "DIR",
            description = "Load kernel sources from DIR (with opencl/ and cuda/ inside) instead of the jar's "
                    + "(default: $SCRATCHNET_KERNELS).")
    Path kernels;

    @Option(names = "--device", paramLabel = "N",
            description = "Device number as 'scratchnet devices' lists it (default: "
                    + "$SCRATCHNET_OPENCL_DEVICE / $SCRATCHNET_CUDA_DEVICE, else the first GPU).")
    Integer device;

    @Option(names = "--no-tuning",
            description = "Run the matmul kernels with their default tile parameters, not those 'scratchnet kernels tune' "
                    + "stored for this device (default: $SCRATCHNET_NO_TUNING).")
    boolean noTuning;

    @Option(names = "--tf32",
            description = "On cuda (compute capability 8.0 or later), fp32 matrix products use TF32 tensor cores: inputs "
                    + "rounded to 10 mantissa bits, fp32 sums; faster, about 3 decimal digits per product (as PyTorch's "
                    + "allow_tf32). fp64 products are not affected (default: $SCRATCHNET_TF32).")
    boolean tf32;

    BackendOptions options() {
        BackendOptions o = BackendOptions.fromEnvironment(kernels, device);
        o = noTuning ? o.withTuning(true, o.tuningDirectory) : o;
        return tf32 ? o.withTf32(true) : o;
    }

    /**
     * Opens the chosen backend; prints on {@code log} the line that says which and why, and any note
     * about its tuning cache (an entry ignored, and why).
     */
    Backends.Selection select(java.io.PrintWriter log) {
        if (kernels != null && "cpu".equals(Backends.requestedName(backend))) {
            throw new IllegalArgumentException("--kernels " + kernels + ": the cpu backend has no kernel sources to load "
                    + "(its kernels are Java code); use --backend opencl or cuda");
        }
        Backends.Selection s = Backends.select(backend, options());
        if (kernels != null && s.backend.name().equals("cpu")) {
            s.backend.close();
            throw new IllegalArgumentException("--kernels " + kernels + ": auto chose the cpu backend, which has no kernel sources "
                    + "to load (" + s.explanation + "); use --backend opencl or cuda");
        }
        log.println(s.explanation);
        if (options().tf32) {
            log.println(BackendOptions.tf32Name() + ": fp32 matrix products use TF32 tensor cores (matmul_tf32: inputs rounded to 10"
                    + " mantissa bits, fp32 sums); fp64 products are not affected");
        }
        if (s.backend instanceof dev.scratchnet.backend.tuning.Tunable) {
            ((dev.scratchnet.backend.tuning.Tunable) s.backend).notes().forEach(log::println);
        }
        return s;
    }

    /**
     * {@link #select}, and where the kernels come from a directory (--kernels, $SCRATCHNET_KERNELS:
     * kernels being edited) on OpenCL, guard zones around every buffer, verified after each launch:
     * an edited kernel that writes past a buffer then stops the run with one line naming the kernel
     * and the argument, instead of corrupting a neighbour's data. Says so on {@code log}. For the
     * commands that compute (train, workshop, predict, evaluate), not those that time.
     */
    Backends.Selection selectCheckingEditedKernels(java.io.PrintWriter log) {
        Backends.Selection s = select(log);
        Path dir = options().kernelsDirectory;
        if (dir != null && s.backend instanceof dev.scratchnet.backend.opencl.OpenClBackend) {
            dev.scratchnet.backend.opencl.OpenClBackend cl = (dev.scratchnet.backend.opencl.OpenClBackend) s.backend;
            if (cl.enableGuardZones()) {
                log.println("guard zones: kernels from " + dir + ", so every buffer has " + cl.guardBytes()
                        + " bytes on each side, verified after each launch (slower; the jar's kernels run without them)");
            }
        }
        return s;
    }

    /** Timings from scratchnet's emulated CUDA driver would be the CPU's: a command that reports speed refuses them. */
    static void refuseTimingsOnEmulation(Backend be, String command) {
        if (be instanceof CudaBackend && ((CudaBackend) be).emulated()) {
            throw new IllegalArgumentException(command + " goes by speed, and " + be.deviceName() + " is scratchnet's emulated"
                    + " driver, whose kernels run on the CPU: its timings say nothing about a GPU (use it for kernels check)");
        }
    }
}
