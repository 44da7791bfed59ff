package dev.scratchnet.lab;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.backend.cpu.CpuBackend;
import dev.scratchnet.backend.tuning.RefusedConfiguration;
import dev.scratchnet.backend.tuning.TileParams;
import dev.scratchnet.backend.tuning.Tunable;
import dev.scratchnet.backend.tuning.TuningCache;
import dev.scratchnet.backend.tuning.TuningSpace;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * {@code scratchnet kernels tune}: searches the tile parameters of a backend's tunable matmul
 * variants on its device, within a time budget, as CLBlast's tuner and tinygrad's BEAM search do.
 *
 * <p>For each precision and variant: every legal configuration of its {@link TuningSpace} is
 * listed; those the device refuses from its limits (work-group size, local memory) are set aside
 * with their reason; the defaults are measured first, then a seeded random sample explores, then a
 * local search walks from the best found to its untried neighbours. Each candidate is compiled
 * (the device may still refuse it: registers, a build error), checked against the CPU reference on
 * odd shapes (a wrong result is never timed), then timed at every size; the score is the
 * geometric mean of its GFLOP/s over the sizes. At the end the best, the defaults and the vendor
 * library are measured again, as {@code kernels bench} measures, and the best is stored in the
 * {@link TuningCache} for later runs.
 */
public final class KernelTuner {

    /** What to tune and for how long. */
    public static final class Settings {
        final List<Integer> sizes;
        final List<Precision> precisions;
        final List<String> variants;
        final double budgetSeconds;
        final double minSeconds;
        final boolean vendor;
        final long seed;
        final Path cache;

        /**
         * @param variants   the variants to tune, or null for every tunable one
         * @param minSeconds the measuring time per case of the final comparison
         * @param cache      where to store the result, or null not to store it
         */
        public Settings(List<Integer> sizes, List<Precision> precisions, List<String> variants, double budgetSeconds,
                        double minSeconds, boolean vendor, long seed, Path cache) {
            this.sizes = List.copyOf(sizes);
            this.precisions = List.copyOf(precisions);
            this.variants = variants == null ? null : List.copyOf(variants);
            this.budgetSeconds = budgetSeconds;
            this.minSeconds = minSeconds;
            this.vendor = vendor;
            this.seed = seed;
            this.cache = cache;
        }
    }

    /** A configuration the device would not run, and why. */
    public static final class Refusal {
        public final TileParams params;
        public final String reason;

        Refusal(TileParams params, String reason) {
            this.params = params;
            this.reason = reason;
        }
    }

    /** The search of one variant in one precision. */
    public static final class Cell {
        public final Precision precision;
        public final String variant;
        public final TileParams defaults;
        /** The best configuration over all sizes (geometric mean), the one stored. */
        public TileParams best;
        /** Per size: the final measurement of the defaults and of the best, in GFLOP/s. */
        public final Map<Integer, Double> defaultRate = new LinkedHashMap<>();
        public final Map<Integer, Double> bestRate = new LinkedHashMap<>();
        /** Per size: the configuration that screened fastest at that size, and its final measurement. */
        public final Map<Integer, TileParams> bestAtSize = new LinkedHashMap<>();
        public final Map<Integer, Double> bestAtSizeRate = new LinkedHashMap<>();
        public int configurations;
        /** How many of {@link #refused} the device's limits ruled out before the search. */
        public int refusedBeforeSearch;
        public int timed;
        public int wrong;
        public final List<Refusal> refused = new ArrayList<>();
        public final List<Refusal> failedCheck = new ArrayList<>();

        Cell(Precision precision, String variant, TileParams defaults) {
            this.precision = precision;
            this.variant = variant;
            this.defaults = defaults;
        }
    }

    /** Everything a run found. */
    public static final class Outcome {
        public final List<Cell> cells = new ArrayList<>();
        /** Per precision and size, the vendor library's GFLOP/s. */
        public final Map<Precision, Map<Integer, Double>> vendor = new EnumMap<>(Precision.class);
        public String vendorName;
        public Path saved;
        public double seconds;
    }

    /** One candidate's screening: its rate per size (NaN where not timed). */
    private static final class Screened {
        final TileParams params;
        final Map<Integer, Double> rate = new LinkedHashMap<>();
        double score;

        Screened(TileParams params) {
            this.params = params;
        }
    }

    private final Backend be;
    private final Tunable tunable;
    private final Settings settings;
    private final PrintWriter out;
    private final Backend reference = new CpuBackend();

    private KernelTuner(Backend be, Settings settings, PrintWriter out) {
        if (!(be instanceof Tunable)) {
            throw new IllegalArgumentException("the " + be.name() + " backend has no tunable kernels");
        }
        this.be = be;
        this.tunable = (Tunable) be;
        this.settings = settings;
        this.out = out;
    }

    /** Tunes, prints progress and the comparison on {@code out}, stores the result (unless settings.cache is null). */
    public static Outcome run(Backend be, Settings settings, PrintWriter out) {
        KernelTuner t = new KernelTuner(be, settings, out);
        try {
            return t.run();
        } finally {
            t.reference.close();
        }
    }

    private Outcome run() {
        Outcome outcome = new Outcome();
        long start = System.nanoTime();
        long deadline = start + (long) (settings.budgetSeconds * 1e9);
        List<String> variants = new ArrayList<>();
        for (TuningSpace s : tunable.tuningSpaces()) {
            if (settings.variants == null || settings.variants.contains(s.variant)) {
                variants.add(s.variant);
            }
        }
        if (settings.variants != null) {
            for (String v : settings.variants) {
                if (tunable.tuningSpace(v) == null) {
                    List<String> names = new ArrayList<>();
                    tunable.tuningSpaces().forEach(s -> names.add(s.variant));
                    throw new IllegalArgumentException("no tunable matmul variant '" + v + "' on " + be.name() + ": expected one of " + names);
                }
            }
        }
        List<Precision> ps = new ArrayList<>();
        for (Precision p : settings.precisions) {
            if (be.supports(p)) {
                ps.add(p);
            } else {
                out.println("skipping " + p + ": " + be.deviceName() + " does not support it");
            }
        }
        // each precision and variant gets a share of what is left by the size of its space (counted as
        // 10 to 50 configurations), so that a space of three neither holds half the budget nor starves
        double weightLeft = 0;
        for (String v : variants) {
            weightLeft += ps.size() * weight(v);
        }
        out.printf("tuning %s on %s, %s: %s, sizes %s, budget %.0f s%n", String.join(", ", variants), be.name(), be.deviceName(),
                ps, settings.sizes, settings.budgetSeconds);
        for (Precision p : ps) {
            Map<Integer, Tensor[]> operands = operands(p);
            try {
                for (String v : variants) {
                    long now = System.nanoTime();
                    long cellDeadline = now + (long) Math.max(0, (deadline - now) * weight(v) / weightLeft);
                    weightLeft -= weight(v);
                    outcome.cells.add(search(p, v, operands, cellDeadline));
                    if (settings.cache != null) {
                        outcome.saved = save(outcome);   // after each variant, so a search stopped later keeps it
                    }
                }
                if (settings.vendor) {
                    vendor(p, outcome);
                }
            } finally {
                operands.values().forEach(ts -> {
                    for (Tensor t : ts) {
                        t.close();
                    }
                });
            }
        }
        outcome.seconds = (System.nanoTime() - start) / 1e9;
        if (settings.cache != null && !outcome.cells.isEmpty()) {
            outcome.saved = save(outcome);
        }
        return outcome;
    }

    private double weight(String variant) {
        return Math.min(50, Math.max(10, tunable.tuningSpace(variant).enumerate().size()));
    }

    private Map<Integer, Tensor[]> operands(Precision p) {
        Map<Integer, Tensor[]> m = new LinkedHashMap<>();
        Random r = new Random(1);
        for (int n : settings.sizes) {
            m.put(n, new Tensor[] {be.upload(KernelBench.random(r, n, n), p), be.upload(KernelBench.random(r, n, n), p), be.zeros(n, n, p)});
        }
        return m;
    }

    private Cell search(Precision p, String variant, Map<Integer, Tensor[]> operands, long deadline) {
        TuningSpace space = tunable.tuningSpace(variant);
        TileParams before = tunable.params(variant, p);
        Cell cell = new Cell(p, variant, space.defaults());
        List<TileParams> all = space.enumerate();
        cell.configurations = all.size();
        List<TileParams> candidates = new ArrayList<>();
        for (TileParams t : all) {
            String why = tunable.refusal(variant, p, t);
            if (why == null) {
                candidates.add(t);
            } else {
                cell.refused.add(new Refusal(t, why));
            }
        }
        cell.refusedBeforeSearch = cell.refused.size();
        out.printf("%n%s %s: %d configurations (of %d combinations of legal values); the device refuses %d%s%n", variant, p, all.size(),
                space.combinations(), cell.refused.size(), cell.refused.isEmpty() ? "" : ":");
        printRefusals(cell.refused);
        List<KernelCheck.Case> checks = KernelCheck.gemmCases(be, reference, variant, variant.equals(denseShares()), p,
                KernelCheck.TUNING_SHAPES);
        List<TileParams> order = new ArrayList<>(candidates);
        Collections.shuffle(order, new Random(settings.seed * 31 + variant.hashCode() * 7L + p.ordinal()));
        List<TileParams> first = new ArrayList<>();
        first.add(cell.defaults);
        for (TileParams t : space.startingPoints()) {
            if (candidates.contains(t) && !first.contains(t)) {
                first.add(t);
            }
        }
        order.removeAll(first);
        order.addAll(0, first);
        Set<TileParams> tried = new HashSet<>();
        List<Screened> screened = new ArrayList<>();
        long startCell = System.nanoTime();
        long exploreUntil = startCell + (deadline - startCell) * 2 / 5;
        int next = 0;
        Screened best = null;
        while (tried.size() < candidates.size() && (tried.isEmpty() || System.nanoTime() < deadline)) {
            TileParams t = null;
            if (System.nanoTime() >= exploreUntil && best != null) {
                t = untriedNeighbour(space, screened, tried);
            }
            while (t == null && next < order.size()) {
                TileParams c = order.get(next++);
                if (!tried.contains(c)) {
                    t = c;
                }
            }
            if (t == null) {
                break;
            }
            tried.add(t);
            String label = String.format("  [%3d, %3.0f s left] %-44s", tried.size(), Math.max(0, (deadline - System.nanoTime()) / 1e9),
                    t.equals(cell.defaults) ? t + " (defaults)" : t.toString());
            try {
                tunable.useParams(variant, p, t);
            } catch (RefusedConfiguration e) {
                cell.refused.add(new Refusal(t, e.getMessage()));
                out.println(label + " refused: " + e.getMessage());
                out.flush();
                continue;
            }
            String wrong = check(checks);
            if (wrong != null) {
                cell.wrong++;
                cell.failedCheck.add(new Refusal(t, wrong));
                out.println(label + " WRONG, not timed: " + wrong);
                out.flush();
                continue;
            }
            Screened s = screen(variant, t, operands, best);
            screened.add(s);
            cell.timed++;
            boolean improved = best == null || s.score > best.score;
            if (improved) {
                best = s;
            }
            StringBuilder line = new StringBuilder(label);
            boolean slow = false;
            for (Map.Entry<Integer, Double> e : s.rate.entrySet()) {
                line.append(String.format(" %d: %.1f", e.getKey(), Math.abs(e.getValue())));
                slow |= e.getValue() < 0;
            }
            line.append(" GFLOP/s").append(slow ? " (one run: slow)" : "").append(improved ? "  best so far" : "");
            out.println(line);
            out.flush();
        }
        if (best == null) {
            out.println("  no configuration could be timed; keeping " + before);
            restore(variant, p, before);
            cell.best = before;
            return cell;
        }
        cell.best = best.params;
        finalMeasure(cell, screened, operands);
        return cell;
    }

    /** The variant whose parameters dense_forward shares (its fused core), or null. */
    private String denseShares() {
        return be.name().equals("opencl") ? "regblock" : "blocktile";
    }

    private String check(List<KernelCheck.Case> checks) {
        for (KernelCheck.Case c : checks) {
            KernelCheck.Result r = c.run();
            if (!r.passed()) {
                return r.op + " " + r.shape + ": " + (r.error != null ? r.error
                        : "worst/tol " + (Double.isNaN(r.worstRatio) ? "NaN" : String.format("%.3g", r.worstRatio)));
            }
        }
        return null;
    }

    /**
     * Times the current configuration at each size: a first run, given up if it is more than four
     * times slower than the best's (the rate is then stored negated), else the fastest of at least
     * three runs (the fastest, not the median: on a shared machine it is the least disturbed).
     */
    private Screened screen(String variant, TileParams t, Map<Integer, Tensor[]> operands, Screened best) {
        Screened s = new Screened(t);
        double logSum = 0;
        for (Map.Entry<Integer, Tensor[]> e : operands.entrySet()) {
            int n = e.getKey();
            Tensor[] x = e.getValue();
            Runnable gemm = () -> be.gemm(variant, false, false, 1.0, x[0], x[1], 0.0, x[2]);
            double first = be.timeMillis(gemm);
            double flop = 2.0 * n * n * n;
            Double bestRate = best == null ? null : best.rate.get(n);
            if (bestRate != null && bestRate > 0 && flop / (first * 1e6) < bestRate / 4) {
                s.rate.put(n, -flop / (first * 1e6));   // negative: one run only, given up
                logSum += Math.log(flop / (first * 1e6));
                continue;
            }
            double fastest = first;
            long until = System.nanoTime() + 100_000_000L;
            for (int i = 0; i < 10 && (i < 2 || System.nanoTime() < until); i++) {
                fastest = Math.min(fastest, be.timeMillis(gemm));
            }
            double rate = flop / (fastest * 1e6);
            s.rate.put(n, rate);
            logSum += Math.log(rate);
        }
        s.score = Math.exp(logSum / operands.size());
        return s;
    }

    /** An untried neighbour of the best screened configurations (best first), or null. */
    private static TileParams untriedNeighbour(TuningSpace space, List<Screened> screened, Set<TileParams> tried) {
        List<Screened> ranked = new ArrayList<>(screened);
        ranked.sort((a, b) -> Double.compare(b.score, a.score));
        for (int i = 0; i < Math.min(3, ranked.size()); i++) {
            for (TileParams n : space.neighbours(ranked.get(i).params)) {
                if (!tried.contains(n)) {
                    return n;
                }
            }
        }
        return null;
    }

    /** The best, the defaults and each size's own best, measured as kernels bench measures. */
    private void finalMeasure(Cell cell, List<Screened> screened, Map<Integer, Tensor[]> operands) {
        for (int n : operands.keySet()) {
            Screened top = null;
            for (Screened s : screened) {
                Double r = s.rate.get(n);
                if (r != null && r > 0 && (top == null || r > top.rate.get(n))) {
                    top = s;
                }
            }
            cell.bestAtSize.put(n, top == null ? cell.best : top.params);
        }
        Map<TileParams, Map<Integer, Double>> measured = new LinkedHashMap<>();
        List<TileParams> toMeasure = new ArrayList<>();
        toMeasure.add(cell.defaults);
        if (!toMeasure.contains(cell.best)) {
            toMeasure.add(cell.best);
        }
        for (TileParams t : cell.bestAtSize.values()) {
            if (!toMeasure.contains(t)) {
                toMeasure.add(t);
            }
        }
        for (TileParams t : toMeasure) {
            try {
                tunable.useParams(cell.variant, cell.precision, t);
            } catch (RefusedConfiguration e) {
                continue;   // it ran during the search; cannot happen
            }
            Map<Integer, Double> rates = new LinkedHashMap<>();
            for (Map.Entry<Integer, Tensor[]> e : operands.entrySet()) {
                int n = e.getKey();
                Tensor[] x = e.getValue();
                double ms = KernelBench.medianMillis(be, () -> be.gemm(cell.variant, false, false, 1.0, x[0], x[1], 0.0, x[2]),
                        settings.minSeconds);
                rates.put(n, 2.0 * n * n * n / (ms * 1e6));
            }
            measured.put(t, rates);
        }
        for (int n : operands.keySet()) {
            cell.defaultRate.put(n, measured.get(cell.defaults).get(n));
            cell.bestRate.put(n, measured.get(cell.best).get(n));
            TileParams own = cell.bestAtSize.get(n);
            cell.bestAtSizeRate.put(n, measured.containsKey(own) ? measured.get(own).get(n) : Double.NaN);
        }
        restore(cell.variant, cell.precision, cell.best);
    }

    private void restore(String variant, Precision p, TileParams t) {
        try {
            tunable.useParams(variant, p, t);
        } catch (RefusedConfiguration e) {
            throw new IllegalStateException("the device now refuses " + variant + " " + t + ", which it ran before: " + e.getMessage());
        }
    }

    private void vendor(Precision p, Outcome outcome) {
        Baseline baseline = Baseline.forBackend(be);
        outcome.vendorName = baseline.describe();
        if (!baseline.available()) {
            return;
        }
        try {
            Map<Integer, Double> rates = new LinkedHashMap<>();
            for (BenchResult r : baseline.matmul(settings.sizes, List.of(p), settings.minSeconds)) {
                rates.put(Integer.parseInt(r.size), r.rate);
            }
            outcome.vendor.put(p, rates);
        } catch (IOException | RuntimeException e) {
            outcome.vendorName = baseline.describe() + " (failed: " + e.getMessage() + ")";
        }
    }

    private Path save(Outcome outcome) {
        Map<Precision, Map<String, TileParams>> params = new EnumMap<>(Precision.class);
        List<TuningCache.Measured> measured = new ArrayList<>();
        for (Cell c : outcome.cells) {
            params.computeIfAbsent(c.precision, x -> new LinkedHashMap<>()).put(c.variant, c.best);
            for (int n : c.bestRate.keySet()) {
                Double v = outcome.vendor.getOrDefault(c.precision, Map.of()).get(n);
                measured.add(new TuningCache.Measured(c.precision, c.variant, n, c.best, c.bestRate.get(n), c.defaultRate.get(n),
                        v == null ? Double.NaN : v));
            }
        }
        return TuningCache.store(settings.cache, tunable.tuningKey(), tunable::tuningSpace, params, measured);
    }

    private void printRefusals(List<Refusal> refused) {
        Map<String, List<Refusal>> byKind = new LinkedHashMap<>();
        for (Refusal r : refused) {
            byKind.computeIfAbsent(r.reason.split(":", 2)[0], k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Refusal>> e : byKind.entrySet()) {
            Refusal first = e.getValue().get(0);
            out.printf("  refused, %s: %d, e.g. %s (%s)%n", e.getKey(), e.getValue().size(), first.params, first.reason);
        }
    }
}
