package dev.scratchnet.cli;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.lab.Baseline;
import dev.scratchnet.lab.BenchResult;
import dev.scratchnet.lab.KernelBench;
import dev.scratchnet.lab.KernelCheck;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code scratchnet kernels check|bench}: the kernel lab. */
@Command(name = "kernels", mixinStandardHelpOptions = true,
        description = "Validate (check) or time (bench) a backend's kernels.",
        subcommands = {KernelsCommand.Check.class, KernelsCommand.Bench.class})
final class KernelsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
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
            for (int n : sizes) {
                if (n < 1) {
                    throw new IllegalArgumentException("matmul size " + n + ": must be at least 1");
                }
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
                List<Precision> ps = precisions(precision);
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
}
