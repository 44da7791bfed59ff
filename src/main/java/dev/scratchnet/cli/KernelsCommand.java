package dev.scratchnet.cli;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.cuda.CudaBackend;
import dev.scratchnet.lab.Baseline;
import dev.scratchnet.lab.BenchResult;
import dev.scratchnet.lab.KernelBench;
import dev.scratchnet.lab.KernelCheck;
import dev.scratchnet.lab.KernelTuner;
import dev.scratchnet.backend.tuning.Tunable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code scratchnet kernels check|bench|tune}: the kernel lab. */
@Command(name = "kernels", mixinStandardHelpOptions = true,
        description = "Validate (check), time (bench) or tune (tune) a backend's kernels.",
        subcommands = {KernelsCommand.Check.class, KernelsCommand.Bench.class, KernelsCommand.Tune.class})
final class KernelsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The lines that say which matmul tile parameters {@code be} runs with, and where they came from. */
    static void printParams(PrintWriter out, Backend be, List<Precision> ps) {
        if (be instanceof Tunable) {
            List<Precision> supported = new ArrayList<>();
            for (Precision p : ps) {
                if (be.supports(p)) {
                    supported.add(p);
                }
            }
            ((Tunable) be).describeParams(supported).forEach(out::println);
        }
    }

    /** Refuses a --sizes entry below 1 (bench and tune). */
    static void checkSizes(List<Integer> sizes) {
        for (int n : sizes) {
            if (n < 1) {
                throw new IllegalArgumentException("matmul size " + n + ": must be at least 1");
            }
        }
    }

    static List<Precision> precisions(String list) {
        List<Precision> out = new ArrayList<>();
        for (String s : list.split(",")) {
            out.add(Precision.parse(s));
        }
        return out;
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Run every kernel and variant against the CPU reference; exit status 1 on any failure.",
                    "The checks run in a child process with a time limit each: a check that hangs, or a kernel that takes the "
                    + "process down, fails with the reason and the rest go on. On OpenCL every buffer has guard zones on both "
                    + "sides, verified after each launch: a kernel that writes outside one fails as "
                    + "'KERNEL wrote past the end of argument NAME'."})
    static final class Check implements java.util.concurrent.Callable<Integer> {
        @Mixin
        BackendOptionsMixin backend;

        @Option(names = "--precision", defaultValue = "fp32,fp64", description = "Comma list of fp32, fp64 (default: ${DEFAULT-VALUE}).")
        String precision;

        @Option(names = "--small", description = "Only small shapes (for simulators such as Oclgrind).")
        boolean small;

        @Option(names = "--only", split = ",", paramLabel = "KERNEL",
                description = "Only the checks whose kernel name starts with one of these (e.g. matmul,scale).")
        List<String> only;

        @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS",
                description = "Time limit of one check; one still running then fails and its process is stopped; raise it on a "
                        + "simulator such as Oclgrind without --small (default: ${DEFAULT-VALUE}).")
        double timeout;

        @Option(names = "--in-process", description = "Run the checks in this process: no time limit, and a kernel that "
                + "corrupts memory can take the command down with it (for debugging).")
        boolean inProcess;

        @Option(names = "--worker", hidden = true, description = "Run as the child of kernels check (prints @@ lines).")
        boolean worker;

        @Option(names = "--from", hidden = true, defaultValue = "0", description = "With --worker: the first check to run.")
        int from;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            List<Precision> ps = precisions(precision);
            if (!(timeout > 0) || Double.isInfinite(timeout)) {
                throw new IllegalArgumentException("--timeout " + timeout + ": must be a number of seconds above 0");
            }
            if (worker) {
                return work(out, ps);
            }
            List<KernelCheck.Result> results;
            String device;
            if (inProcess) {
                Backends.Selection s = backend.select(out);
                try (Backend be = s.backend) {
                    printParams(out, be, ps);
                    guard(be, out);
                    results = new ArrayList<>();
                    try (Backend reference = new dev.scratchnet.backend.cpu.CpuBackend()) {
                        printHeader(out);
                        for (KernelCheck.Case c : cases(be, reference, ps)) {
                            KernelCheck.Result r = c.run();
                            results.add(r);
                            printRow(out, r);
                        }
                    }
                    device = be.name() + " (" + be.deviceName() + ")";
                }
            } else {
                refuseEarly();
                CheckSupervisor supervisor = new CheckSupervisor(childArgs(), timeout, out, spec.commandLine().getErr());
                results = supervisor.run();
                if (results == null) {
                    return 1;
                }
                device = supervisor.device != null ? supervisor.device : "the selected backend";
            }
            long failed = results.stream().filter(r -> !r.passed()).count();
            out.printf("%d checks, %d passed, %d failed on %s%n", results.size(), results.size() - failed, failed, device);
            return failed == 0 ? 0 : 1;
        }

        /** What can be refused without starting a child: an unknown or unavailable backend, a missing --kernels DIR. */
        private void refuseEarly() {
            String name = backend.backend;
            if (name == null || name.isBlank()) {
                name = System.getenv("SCRATCHNET_BACKEND");
            }
            if (name != null && !name.isBlank() && !name.trim().equalsIgnoreCase("auto")) {
                dev.scratchnet.backend.Probe p = Backends.probe(name);
                if (!p.available) {
                    throw new IllegalArgumentException("the " + p.backend + " backend cannot run here: " + p.reason);
                }
            }
            dev.scratchnet.backend.KernelSource.of(backend.options());
        }

        /** The options a child gets: those given here. */
        private List<String> childArgs() {
            List<String> a = new ArrayList<>();
            CommandLine.Model.OptionSpec verbose = spec.root().findOption("--verbose");
            if (verbose != null && Boolean.TRUE.equals(verbose.getValue())) {
                a.add("--verbose");
            }
            if (backend.backend != null) {
                a.addAll(List.of("--backend", backend.backend));
            }
            if (backend.kernels != null) {
                a.addAll(List.of("--kernels", backend.kernels.toAbsolutePath().toString()));
            }
            if (backend.device != null) {
                a.addAll(List.of("--device", backend.device.toString()));
            }
            if (backend.noTuning) {
                a.add("--no-tuning");
            }
            if (backend.tf32) {
                a.add("--tf32");
            }
            a.addAll(List.of("--precision", precision));
            if (small) {
                a.add("--small");
            }
            if (only != null) {
                a.addAll(List.of("--only", String.join(",", only)));
            }
            return a;
        }

        /** The checks to run, in order: all of them, or those --only names. */
        private List<KernelCheck.Case> cases(Backend be, Backend reference, List<Precision> ps) {
            List<KernelCheck.Case> all = KernelCheck.cases(be, reference, ps, small ? KernelCheck.SMALL_SHAPES : KernelCheck.DEFAULT_SHAPES);
            if (only == null) {
                return all;
            }
            List<KernelCheck.Case> some = new ArrayList<>();
            for (KernelCheck.Case c : all) {
                if (only.stream().anyMatch(o -> c.op.startsWith(o.trim()))) {
                    some.add(c);
                }
            }
            if (some.isEmpty()) {
                throw new IllegalArgumentException("--only " + String.join(",", only) + " matches no check");
            }
            return some;
        }

        /** Guard zones on every buffer, where the backend has them; says so. */
        private static void guard(Backend be, PrintWriter out) {
            if (be instanceof dev.scratchnet.backend.opencl.OpenClBackend) {
                dev.scratchnet.backend.opencl.OpenClBackend cl = (dev.scratchnet.backend.opencl.OpenClBackend) be;
                out.println(cl.enableGuardZones() ? "guard zones: " + cl.guardBytes() + " bytes on each side of every buffer, verified"
                        + " after each launch" : "guard zones: off (Oclgrind checks every access itself)");
            }
        }

        /** The child's side: every check from --from on, each announced before it runs and reported after. */
        private int work(PrintWriter out, List<Precision> ps) {
            Backends.Selection s = backend.select(out);
            try (Backend be = s.backend; Backend reference = new dev.scratchnet.backend.cpu.CpuBackend()) {
                printParams(out, be, ps);
                out.printf("device: %s (%s)%n", be.name(), be.deviceName());
                guard(be, out);
                if (be instanceof dev.scratchnet.backend.opencl.OpenClBackend) {
                    for (Precision p : ps) {
                        if (be.supports(p)) {
                            ((dev.scratchnet.backend.opencl.OpenClBackend) be).buildPrograms(p);   // before the time limits start
                        }
                    }
                }
                List<KernelCheck.Case> cases = cases(be, reference, ps);
                out.println("@@count " + cases.size());
                out.flush();
                for (int i = Math.max(0, from); i < cases.size(); i++) {
                    KernelCheck.Case c = cases.get(i);
                    com.google.gson.JsonObject start = new com.google.gson.JsonObject();
                    start.addProperty("op", c.op);
                    start.addProperty("precision", c.precision.toString());
                    start.addProperty("shape", c.shape);
                    out.println("@@start " + i + " " + start);
                    out.flush();
                    KernelCheck.Result r = c.run();
                    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
                    o.addProperty("op", r.op);
                    o.addProperty("precision", r.precision.toString());
                    o.addProperty("shape", r.shape);
                    if (Double.isNaN(r.worstRatio)) {
                        o.add("worst", com.google.gson.JsonNull.INSTANCE);
                    } else {
                        o.addProperty("worst", r.worstRatio);
                    }
                    if (r.error == null) {
                        o.add("error", com.google.gson.JsonNull.INSTANCE);
                    } else {
                        o.addProperty("error", r.error);
                    }
                    out.println("@@result " + i + " " + o);
                    out.flush();
                }
                out.println("@@done");
                out.flush();
            }
            return 0;
        }

        static void printHeader(PrintWriter out) {
            out.printf("%-34s %-5s %-12s %-10s %s%n", "kernel", "prec", "shape", "worst/tol", "result");
        }

        static void printRow(PrintWriter out, KernelCheck.Result r) {
            out.printf("%-34s %-5s %-12s %-10s %s%n", r.op, r.precision, r.shape,
                    Double.isNaN(r.worstRatio) ? "NaN" : String.format("%.3f", r.worstRatio),
                    r.passed() ? "pass" : "FAIL" + (r.error == null ? "" : " " + r.error));
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Time each matmul variant (GFLOP/s) beside the library baseline of the backend "
                    + "(NumPy for cpu, CLBlast for opencl, cuBLAS through PyTorch for cuda), and the memory-bound ops (GB/s).")
    static final class Bench implements Runnable {
        @Mixin
        BackendOptionsMixin backend;

        @Option(names = "--op", defaultValue = "all",
                description = "matmul, memory, step (one training step of a 784-256-128-10 MLP at batch 128), launch"
                        + " (the cost of one kernel launch) or all (default: ${DEFAULT-VALUE}).")
        String op;

        @Option(names = "--sizes", defaultValue = "256,512,1024", split = ",", description = "Square matmul sizes (default: ${DEFAULT-VALUE}).")
        List<Integer> sizes;

        @Option(names = "--precision", defaultValue = "fp32,fp64", description = "Comma list of fp32, fp64 (default: ${DEFAULT-VALUE}).")
        String precision;

        @Option(names = "--variants", split = ",", description = "Only these matmul variants (default: all).")
        List<String> variants;

        @Option(names = "--rows", defaultValue = "4096", description = "Rows of the memory-bound ops' tensors (default: ${DEFAULT-VALUE}).")
        int rows;

        @Option(names = "--cols", defaultValue = "1024", description = "Columns of the memory-bound ops' tensors (default: ${DEFAULT-VALUE}).")
        int cols;

        @Option(names = "--min-seconds", defaultValue = "1.0", description = "Minimum time per case (default: ${DEFAULT-VALUE}).")
        double minSeconds;

        @Option(names = "--no-baseline", description = "Skip the library baseline.")
        boolean noBaseline;

        @Option(names = "--batch", defaultValue = "128", description = "Rows per batch of the step op (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--profile", description = "With --op step: print each op's share of the step.")
        boolean profile;

        @Option(names = "--trace", paramLabel = "FILE", description = "With --op step: write the profiled steps as a Chrome trace-event JSON file.")
        java.nio.file.Path trace;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            checkSizes(sizes);
            if (rows < 1 || cols < 1) {
                throw new IllegalArgumentException("--rows " + rows + " --cols " + cols + ": the memory-bound ops' tensors need at least 1 row and 1 column");
            }
            if (!(minSeconds > 0 && Double.isFinite(minSeconds))) {
                throw new IllegalArgumentException("--min-seconds " + minSeconds + ": must be a positive number of seconds");
            }
            if (!List.of("matmul", "memory", "step", "launch", "all").contains(op)) {
                throw new IllegalArgumentException("unknown --op '" + op + "': expected matmul, memory, step, launch or all");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("--batch " + batch + ": must be at least 1");
            }
            if (trace != null) {
                dev.scratchnet.io.AtomicFile.checkWritable(trace, "--trace");
            }
            Backends.Selection s = backend.select(out);
            try (Backend be = s.backend) {
                BackendOptionsMixin.refuseTimingsOnEmulation(be, "kernels bench");
                List<Precision> ps = precisions(precision);
                printParams(out, be, ps);
                if (op.equals("matmul") || op.equals("all")) {
                    List<String> vs = variants == null ? defaultBenchVariants(be) : variants;
                    for (String v : vs) {
                        if (!be.gemmVariants().contains(v)) {
                            throw new IllegalArgumentException("unknown matmul variant '" + v + "' on " + be.name()
                                    + ": expected one of " + be.gemmVariants());
                        }
                    }
                    List<BenchResult> results = new ArrayList<>(KernelBench.matmul(be, vs, sizes, ps, minSeconds));
                    Baseline baseline = noBaseline ? Baseline.unavailable("baseline skipped (--no-baseline)")
                            : Baseline.forBackend(be, CudaBackend.usesTf32(be));
                    out.println("baseline: " + baseline.describe());
                    if (baseline.available()) {
                        try {
                            results.addAll(baseline.matmul(sizes, ps, minSeconds));
                        } catch (java.io.IOException e) {
                            out.println("baseline failed: " + e.getMessage());
                        }
                    }
                    printMatmul(out, be, results, ps);
                }
                if (op.equals("launch") || op.equals("all")) {
                    for (Precision p : ps) {
                        double[] l = KernelBench.launchOverhead(be, p);
                        out.printf("%nlaunch (%s): %.2f µs per kernel on the device clock (1000 fills of one element),"
                                + " %.2f µs for the host to issue one%n", p, l[0], l[1]);
                    }
                }
                if (op.equals("step") || op.equals("all")) {
                    StepBench.run(out, be, ps, batch, minSeconds, noBaseline, profile, trace);
                }
                if (op.equals("memory") || op.equals("all")) {
                    List<BenchResult> mem = KernelBench.memoryBound(be, ps, rows, cols, minSeconds);
                    out.printf("%nmemory-bound ops on %s, %s tensors%n", be.name(), rows + "×" + cols);
                    out.printf("  %-28s %-5s %10s %10s%n", "op", "prec", "ms", "GB/s");
                    for (BenchResult r : mem) {
                        out.printf("  %-28s %-5s %10.3f %10.1f%n", r.op, r.precision, r.millis, r.rate);
                    }
                }
            }
        }

        /**
         * The matmul variants benched without --variants: all of the backend's, but the TF32 one only
         * under --tf32 (whose baseline is cuBLAS with TF32 on; without it, cuBLAS in true fp32).
         */
        static List<String> defaultBenchVariants(Backend be) {
            boolean tf32 = CudaBackend.usesTf32(be);
            List<String> vs = new ArrayList<>();
            for (String v : be.gemmVariants()) {
                if (tf32 || !v.equals(CudaBackend.TF32_VARIANT)) {
                    vs.add(v);
                }
            }
            return vs;
        }

        /** One table per precision: sizes down, variants and the baseline across, best variant / baseline last. */
        static void printMatmul(PrintWriter out, Backend be, List<BenchResult> results, List<Precision> ps) {
            for (Precision p : ps) {
                Map<String, Map<String, BenchResult>> bySize = new LinkedHashMap<>();
                List<String> columns = new ArrayList<>();
                String baselineName = null;
                for (BenchResult r : results) {
                    if (r.precision != p) {
                        continue;
                    }
                    bySize.computeIfAbsent(r.size, k -> new LinkedHashMap<>()).put(r.variant, r);
                    if (!columns.contains(r.variant)) {
                        columns.add(r.variant);
                    }
                    if (r.baseline) {
                        baselineName = r.variant;
                    }
                }
                if (bySize.isEmpty()) {
                    continue;
                }
                double peak = be.peakGflops(p);
                out.printf("%nmatmul %s on %s (%s), GFLOP/s (median)%s%n", p, be.name(), be.deviceName(),
                        Double.isNaN(peak) ? "" : String.format("; device peak %.0f GFLOP/s", peak));
                StringBuilder head = new StringBuilder(String.format("  %6s", "n"));
                for (String c : columns) {
                    head.append(String.format(" %18s", c.length() > 18 ? c.substring(0, 18) : c));
                }
                if (baselineName != null) {
                    head.append("  best/baseline");
                }
                if (!Double.isNaN(peak)) {
                    head.append("  best/peak");
                }
                out.println(head);
                for (Map.Entry<String, Map<String, BenchResult>> e : bySize.entrySet()) {
                    StringBuilder row = new StringBuilder(String.format("  %6s", e.getKey()));
                    double best = 0;
                    for (String c : columns) {
                        BenchResult r = e.getValue().get(c);
                        row.append(r == null ? String.format(" %18s", "-") : String.format(" %18.1f", r.rate));
                        if (r != null && !r.baseline) {
                            best = Math.max(best, r.rate);
                        }
                    }
                    BenchResult base = baselineName == null ? null : e.getValue().get(baselineName);
                    if (base != null) {
                        row.append(String.format("  %12.0f%%", 100 * best / base.rate));
                    } else if (baselineName != null) {
                        row.append(String.format("  %13s", "-"));
                    }
                    if (!Double.isNaN(peak)) {
                        row.append(String.format("  %8.0f%%", 100 * best / peak));
                    }
                    out.println(row);
                }
            }
        }
    }

    @Command(name = "tune", mixinStandardHelpOptions = true,
            description = {"Search the tile parameters of the backend's tunable matmul variants on its device (each candidate "
                    + "checked against the CPU reference before it is timed), print the best found beside the defaults and the "
                    + "library baseline, and store it for later runs on this device (training, kernels bench, kernels check).",
                    "Stored in $XDG_CACHE_HOME/scratchnet/tuning/ (else ~/.cache/scratchnet/tuning/), per device, driver and "
                    + "kernel sources; --no-tuning on any command runs the defaults."})
    static final class Tune implements Runnable {
        @Mixin
        BackendOptionsMixin backend;

        @Option(names = "--sizes", defaultValue = "1024", split = ",", description = "Square matmul sizes to tune for (default: ${DEFAULT-VALUE}).")
        List<Integer> sizes;

        @Option(names = "--precision", defaultValue = "fp32,fp64", description = "Comma list of fp32, fp64 (default: ${DEFAULT-VALUE}).")
        String precision;

        @Option(names = "--budget", defaultValue = "120", paramLabel = "SECONDS",
                description = "Time for the search, shared by every precision and variant; the final measurement of the best, "
                        + "the defaults and the library comes on top (default: ${DEFAULT-VALUE}).")
        double budget;

        @Option(names = "--variants", split = ",", description = "Only these matmul variants (default: every tunable one).")
        List<String> variants;

        @Option(names = "--min-seconds", defaultValue = "1.0",
                description = "Measuring time per case in the final comparison, as kernels bench (default: ${DEFAULT-VALUE}).")
        double minSeconds;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of the random part of the search (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--no-baseline", description = "Skip the library baseline.")
        boolean noBaseline;

        @Option(names = "--no-save", description = "Print what was found but do not store it.")
        boolean noSave;

        @Option(names = "--compile-only", paramLabel = "N",
                description = "cuda only, no GPU needed: compile N candidates per variant and precision with nvcc into the "
                        + "kernel cache, for a GPU machine without nvcc to tune from.")
        Integer compileOnly;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            checkSizes(sizes);
            if (!(budget >= 0) || Double.isInfinite(budget)) {
                throw new IllegalArgumentException("--budget " + budget + ": must be a number of seconds, 0 or more");
            }
            if (!(minSeconds > 0) || Double.isInfinite(minSeconds)) {
                throw new IllegalArgumentException("--min-seconds " + minSeconds + ": must be more than 0");
            }
            List<Precision> ps = precisions(precision);
            if (compileOnly != null) {
                if (!"cuda".equalsIgnoreCase(backend.backend == null ? "" : backend.backend.trim())) {
                    throw new IllegalArgumentException("--compile-only is for --backend cuda (OpenCL compiles at run time)");
                }
                if (compileOnly < 1) {
                    throw new IllegalArgumentException("--compile-only " + compileOnly + ": must be at least 1");
                }
                int ok = dev.scratchnet.backend.cuda.CudaTuning.compileCandidates(backend.options(), ps, compileOnly, seed, out);
                out.println(ok + " candidates compiled");
                return;
            }
            Backends.Selection s = backend.select(out);
            try (Backend be = s.backend) {
                BackendOptionsMixin.refuseTimingsOnEmulation(be, "kernels tune");
                if (!(be instanceof Tunable)) {
                    throw new IllegalArgumentException("the " + be.name() + " backend has no tunable kernels (opencl and cuda have)");
                }
                java.nio.file.Path cache = noSave ? null : backend.options().tuningCache();
                KernelTuner.Outcome o = KernelTuner.run(be, new KernelTuner.Settings(sizes, ps, variants, budget, minSeconds,
                        !noBaseline, seed, cache), out);
                printOutcome(out, be, o);
            }
        }

        static void printOutcome(PrintWriter out, Backend be, KernelTuner.Outcome o) {
            String vendor = be.name().equals("opencl") ? "CLBlast" : be.name().equals("cuda") ? "cuBLAS" : "library";
            out.printf("%nbaseline: %s%n", o.vendorName == null ? "skipped (--no-baseline)" : o.vendorName);
            for (Precision p : Precision.values()) {
                List<KernelTuner.Cell> cells = new ArrayList<>();
                for (KernelTuner.Cell c : o.cells) {
                    if (c.precision == p) {
                        cells.add(c);
                    }
                }
                if (cells.isEmpty()) {
                    continue;
                }
                Map<Integer, Double> v = o.vendor.getOrDefault(p, Map.of());
                out.printf("%nmatmul %s on %s (%s), GFLOP/s (median, as kernels bench)%n", p, be.name(), be.deviceName());
                out.printf("  %-10s %6s %9s %9s %9s %8s  %s%n", "variant", "n", "defaults", "tuned", vendor,
                        "tuned/" + vendor.substring(0, Math.min(vendor.length(), 2)), "tuned parameters");
                for (KernelTuner.Cell c : cells) {
                    for (int n : c.bestRate.keySet()) {
                        Double lib = v.get(n);
                        out.printf("  %-10s %6d %9.1f %9.1f %9s %8s  %s%n", c.variant, n, c.defaultRate.get(n), c.bestRate.get(n),
                                lib == null ? "-" : String.format("%.1f", lib),
                                lib == null ? "-" : String.format("%.0f%%", 100 * c.bestRate.get(n) / lib), c.best);
                        kernelsOwnBest(out, c, n);
                    }
                    out.printf("  %-10s searched %d of %d configurations (the device's limits rule out %d): %d timed, %d refused"
                                    + " once compiled, %d wrong%n", "", c.timed + c.refused.size() + c.wrong - c.refusedBeforeSearch,
                            c.configurations, c.refusedBeforeSearch, c.timed, c.refused.size() - c.refusedBeforeSearch, c.wrong);
                }
            }
            out.printf("%ntuning took %.0f s%n", o.seconds);
            if (o.saved != null) {
                out.println("saved to " + o.saved + ": later runs on this device use these parameters (training, kernels bench,"
                        + " kernels check); --no-tuning runs the defaults");
            } else {
                out.println("not saved (--no-save)");
            }
        }

        private static void kernelsOwnBest(PrintWriter out, KernelTuner.Cell c, int n) {
            dev.scratchnet.backend.tuning.TileParams own = c.bestAtSize.get(n);
            Double rate = c.bestAtSizeRate.get(n);
            if (own != null && !own.equals(c.best) && rate != null && !Double.isNaN(rate)) {
                out.printf("  %-10s %6s %9s %9.1f %9s %8s  %s (the best at this size alone)%n", "", "", "", rate, "", "", own);
            }
        }
    }
}
