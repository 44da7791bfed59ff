package dev.scratchnet.profile;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link ProfilingBackend} recorded: per op (its name with shapes), the calls and the time
 * they took, and optionally every span for a trace ({@link ChromeTrace}). {@link #print} gives each
 * op's share of a training step, op by op and by family.
 */
public final class Profile {
    public static final String GEMM = "gemm";
    public static final String DENSE_FORWARD = "dense_forward";
    public static final String ACTIVATION = "activation";
    public static final String ACTIVATION_BACKWARD = "activation_backward";
    public static final String LOSS = "loss";
    public static final String COLUMN_SUMS = "column_sums";
    public static final String OPTIMIZER = "optimizer";
    public static final String GATHER = "gather";
    public static final String METRICS = "metrics";
    public static final String ELEMENTWISE = "elementwise";
    public static final String HOST_SYNC = "host_sync";

    /** Spans kept for a trace at most (about 100 bytes each); later ones are counted, not kept. */
    static final int MAX_SPANS = 1_000_000;

    /** One op's run. */
    public static final class Span {
        public final String family;
        public final String name;
        public final String variant;
        /** System.nanoTime() when the host issued it. */
        public final long startNanos;
        public final double millis;

        Span(String family, String name, String variant, long startNanos, double millis) {
            this.family = family;
            this.name = name;
            this.variant = variant;
            this.startNanos = startNanos;
            this.millis = millis;
        }
    }

    /** The calls of one op (one name) and their total time. */
    public static final class Op {
        public final String family;
        public final String name;
        public final String variant;
        public long calls;
        public double millis;
        /** The fastest call: on a loaded machine, closer to what the op costs than the mean. */
        public double minMillis = Double.MAX_VALUE;

        Op(String family, String name, String variant) {
            this.family = family;
            this.name = name;
            this.variant = variant;
        }
    }

    private final boolean keepSpans;
    private final Map<String, Op> ops = new LinkedHashMap<>();
    private final List<Span> spans = new ArrayList<>();
    private long droppedSpans;
    private boolean recording = true;
    private String clock = "wall clock per op";
    private long startNanos = System.nanoTime();
    private long stopNanos = -1;
    private long steps;

    /** @param keepSpans whether to keep every span, for {@link ChromeTrace} */
    public Profile(boolean keepSpans) {
        this.keepSpans = keepSpans;
    }

    void describeClock(String clock) {
        this.clock = clock;
    }

    /** Where the durations come from: "wall clock per op" or "device events per op". */
    public String clock() {
        return clock;
    }

    public boolean recording() {
        return recording;
    }

    /** Forgets everything so far and starts recording (after a warm-up, say). */
    public void restart() {
        ops.clear();
        spans.clear();
        droppedSpans = 0;
        recording = true;
        startNanos = System.nanoTime();
        stopNanos = -1;
        steps = 0;
    }

    /** Counts {@code n} more training steps: the totals are divided by the count. */
    public void addSteps(long n) {
        steps += n;
    }

    public long steps() {
        return steps;
    }

    /** Stops recording; the wall time between {@link #restart} (or creation) and now is the run's. */
    public void stop() {
        if (recording) {
            recording = false;
            stopNanos = System.nanoTime();
        }
    }

    void add(String family, String name, String variant, long start, double millis) {
        Op op = ops.get(name);
        if (op == null) {
            op = new Op(family, name, variant);
            ops.put(name, op);
        }
        op.calls++;
        op.millis += millis;
        op.minMillis = Math.min(op.minMillis, millis);
        if (keepSpans) {
            if (spans.size() < MAX_SPANS) {
                spans.add(new Span(family, name, variant, start, millis));
            } else {
                droppedSpans++;
            }
        }
    }

    public List<Op> ops() {
        return Collections.unmodifiableList(new ArrayList<>(ops.values()));
    }

    public List<Span> spans() {
        return Collections.unmodifiableList(spans);
    }

    public long droppedSpans() {
        return droppedSpans;
    }

    public long startNanos() {
        return startNanos;
    }

    /** Wall time of the recorded run, in milliseconds. */
    public double wallMillis() {
        return ((stopNanos < 0 ? System.nanoTime() : stopNanos) - startNanos) / 1e6;
    }

    /** The sum of every op's time, in milliseconds. */
    public double opMillis() {
        return ops.values().stream().mapToDouble(o -> o.millis).sum();
    }

    /** Milliseconds per family, largest first. */
    public Map<String, Double> byFamily() {
        Map<String, Double> m = new LinkedHashMap<>();
        ops.values().stream().sorted((a, b) -> Double.compare(b.millis, a.millis))
                .forEach(o -> m.merge(o.family, o.millis, Double::sum));
        Map<String, Double> sorted = new LinkedHashMap<>();
        m.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /**
     * Prints each op's share of a step, largest first, then the families, and the time spent
     * between ops (host code: Java, the training loop). The step count divides the totals.
     */
    public void print(PrintWriter out, String title) {
        double total = opMillis();
        double wall = wallMillis();
        double perStep = Math.max(1, steps);
        out.printf("%nprofile: %s, %d step%s, %s%n", title, steps, steps == 1 ? "" : "s", clock);
        out.printf("  ops %.3f ms a step; wall clock %.3f ms a step (%.1f%% between ops: host code and waits)%n",
                total / perStep, wall / perStep, wall > 0 ? 100 * Math.max(0, wall - total) / wall : 0.0);
        out.printf("  %7s %10s %9s %9s  %-19s %s%n", "share", "µs/step", "calls", "best µs", "family",
                "op (shapes op(A)·op(B), N/T: A and B as stored or transposed)");
        ops.values().stream().sorted((a, b) -> Double.compare(b.millis, a.millis)).forEach(o ->
                out.printf("  %6.1f%% %10.1f %9.2f %9.1f  %-19s %s%s%n", total > 0 ? 100 * o.millis / total : 0.0,
                        1e3 * o.millis / perStep, o.calls / perStep, 1e3 * o.minMillis, o.family, o.name,
                        o.variant.isEmpty() ? "" : "  [" + o.variant + "]"));
        out.println("  by family:");
        for (Map.Entry<String, Double> e : byFamily().entrySet()) {
            out.printf("  %6.1f%% %10.1f                      %s%n", total > 0 ? 100 * e.getValue() / total : 0.0,
                    1e3 * e.getValue() / perStep, e.getKey());
        }
        out.flush();
    }
}
