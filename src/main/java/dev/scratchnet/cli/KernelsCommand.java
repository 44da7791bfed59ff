package dev.scratchnet.cli;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Precision;
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

    static List<Precision> precisions(String list) {
        List<Precision> out = new ArrayList<>();
        for (String s : list.split(",")) {
            out.add(Precision.parse(s));
        }
        return out;
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Run every kernel and variant against the CPU reference; exit status 1 on any failure.")
    static final class Check implements java.util.concurrent.Callable<Integer> {
        @Mixin
        BackendOptionsMixin backend;

        @Option(names = "--precision", defaultValue = "fp32,fp64", description = "Comma list of fp32, fp64 (default: ${DEFAULT-VALUE}).")
        String precision;

        @Option(names = "--small", description = "Only small shapes (for simulators such as Oclgrind).")
        boolean small;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Backends.Selection s = backend.select(out);
            try (Backend be = s.backend) {
                printParams(out, be, precisions(precision));
                List<KernelCheck.Result> results = KernelCheck.run(be, precisions(precision),
                        small ? KernelCheck.SMALL_SHAPES : KernelCheck.DEFAULT_SHAPES);
                out.printf("%-34s %-5s %-12s %-10s %s%n", "kernel", "prec", "shape", "worst/tol", "result");
                int failed = 0;
                for (KernelCheck.Result r : results) {
                    out.printf("%-34s %-5s %-12s %-10s %s%n", r.op, r.precision, r.shape,
                            Double.isNaN(r.worstRatio) ? "NaN" : String.format("%.3f", r.worstRatio),
                            r.passed() ? "pass" : "FAIL" + (r.error == null ? "" : " " + r.error));
                    if (!r.passed()) {
                        failed++;
                    }
                }
                out.printf("%d checks, %d passed, %d failed on %s (%s)%n", results.size(), results.size() - failed, failed,
                        be.name(), be.deviceName());
                return failed == 0 ? 0 : 1;
            }
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

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            for (int n : sizes) {
                if (n < 1) {
                    throw new IllegalArgumentException("matmul size " + n + ": must be at least 1");
                }
            }
            if (!List.of("matmul", "memory", "step", "launch", "all").contains(op)) {
                throw new IllegalArgumentException("unknown --op '" + op + "': expected matmul, memory, step, launch or all");
            }
            Backends.Selection s = backend.select(out);
            try (Backend be = s.backend) {
                List<Precision> ps = precisions(precision);
                printParams(out, be, ps);
                if (op.equals("matmul") || op.equals("all")) {
                    List<String> vs = variants == null ? be.gemmVariants() : variants;
                    for (String v : vs) {
                        if (!be.gemmVariants().contains(v)) {
                            throw new IllegalArgumentException("unknown matmul variant '" + v + "' on " + be.name()
                                    + ": expected one of " + be.gemmVariants());
                        }
                    }
                    List<BenchResult> results = new ArrayList<>(KernelBench.matmul(be, vs, sizes, ps, minSeconds));
                    Baseline baseline = noBaseline ? Baseline.unavailable("baseline skipped (--no-baseline)") : Baseline.forBackend(be);
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
                    int[] mlp = {784, 256, 128, 10};
                    for (Precision p : ps) {
                        double ms = KernelBench.trainingStep(be, p, 128, mlp, minSeconds);
                        out.printf("%ntraining step (%s): 784-256-128-10 ReLU/softmax MLP, batch 128, SGD: %.3f ms (median)%n", p, ms);
                    }
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
            for (int n : sizes) {
                if (n < 1) {
                    throw new IllegalArgumentException("matmul size " + n + ": must be at least 1");
                }
            }
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
                    out.printf("  %-10s searched %d of %d configurations: %d timed, %d refused by the device, %d wrong%n", "",
                            c.timed + c.refused.size() + c.wrong - refusedBeforeSearch(c), c.configurations, c.timed,
                            c.refused.size(), c.wrong);
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

        private static int refusedBeforeSearch(KernelTuner.Cell c) {
            return c.refusedBeforeSearch;
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
