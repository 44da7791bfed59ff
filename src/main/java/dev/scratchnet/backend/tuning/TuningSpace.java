package dev.scratchnet.backend.tuning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The tile parameters of one tunable kernel variant, as listed at the top of its kernel file: each
 * parameter's meaning, legal values and default, the rule that ties them together (a per-thread
 * tile must divide the block tile, ...) and the prefix of their defines ({@code RB_BM}). What a
 * particular device refuses (local memory, work-group size, registers) is not decided here but by
 * the backend, which knows the device.
 */
public final class TuningSpace {

    /** One parameter: its name without the prefix, what it means, its legal values, its default. */
    public static final class Param {
        public final String name;
        public final String meaning;
        private final int[] legal;
        public final int defaultValue;

        public Param(String name, String meaning, int defaultValue, int... legal) {
            this.name = name;
            this.meaning = meaning;
            this.legal = legal.clone();
            this.defaultValue = defaultValue;
            if (Arrays.stream(legal).noneMatch(v -> v == defaultValue)) {
                throw new IllegalArgumentException(name + ": the default " + defaultValue + " is not a legal value");
            }
        }

        public int[] legal() {
            return legal.clone();
        }

        boolean isLegal(int v) {
            return Arrays.stream(legal).anyMatch(x -> x == v);
        }
    }

    public final String variant;
    public final String prefix;
    private final List<Param> params;
    private final Function<TileParams, String> rule;
    private final UnaryOperator<TileParams> canonical;
    private final List<TileParams> startingPoints;

    /**
     * @param rule      the reason a combination of legal values is still not a configuration
     *                  (e.g. "TM must divide BM"), or null when it is one
     * @param canonical maps settings that compile to the same kernel to one of them (a parameter
     *                  that has no effect under another's value is set to its default)
     */
    public TuningSpace(String variant, String prefix, List<Param> params, Function<TileParams, String> rule,
                       UnaryOperator<TileParams> canonical) {
        this.variant = variant;
        this.prefix = prefix;
        this.params = List.copyOf(params);
        this.rule = rule;
        this.canonical = canonical;
        this.startingPoints = List.of();
    }

    private TuningSpace(TuningSpace s, List<TileParams> startingPoints) {
        this.variant = s.variant;
        this.prefix = s.prefix;
        this.params = s.params;
        this.rule = s.rule;
        this.canonical = s.canonical;
        this.startingPoints = List.copyOf(startingPoints);
    }

    /**
     * This space with configurations the search tries right after the defaults (CLBlast's tuner
     * starts from per-device-kind defaults the same way): values known to do well on some kind of
     * device. Each is given as changes to the defaults: {@code "LOCAL=0 BM=16 TM=2"}.
     */
    public TuningSpace withStartingPoints(String... changes) {
        List<TileParams> points = new ArrayList<>();
        for (String c : changes) {
            TileParams p = defaults();
            for (String kv : c.trim().split("\\s+")) {
                String[] x = kv.split("=");
                p = p.with(x[0], Integer.parseInt(x[1]));
            }
            String why = illegal(p);
            if (why != null) {
                throw new IllegalArgumentException(variant + " starting point " + c + ": " + why);
            }
            points.add(canonical.apply(p));
        }
        return new TuningSpace(this, points);
    }

    /** The configurations to try right after the defaults. */
    public List<TileParams> startingPoints() {
        return startingPoints;
    }

    public List<Param> params() {
        return params;
    }

    public TileParams defaults() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Param p : params) {
            m.put(p.name, p.defaultValue);
        }
        return new TileParams(m);
    }

    /**
     * Why {@code p} is not a configuration of this space (unknown or missing names, a value outside
     * its legal set, a broken rule), or null when it is one.
     */
    public String illegal(TileParams p) {
        Map<String, Integer> m = p.asMap();
        for (String name : m.keySet()) {
            if (params.stream().noneMatch(q -> q.name.equals(name))) {
                return variant + " has no parameter " + name;
            }
        }
        for (Param q : params) {
            Integer v = m.get(q.name);
            if (v == null) {
                return variant + " needs " + q.name;
            }
            if (!q.isLegal(v)) {
                return q.name + "=" + v + " is not one of " + Arrays.toString(q.legal);
            }
        }
        return rule.apply(p);
    }

    /** The configuration {@code values} names, in this space's order; throws with the reason if it is not one. */
    public TileParams parse(Map<String, Integer> values) {
        Map<String, Integer> ordered = new LinkedHashMap<>();
        for (Param q : params) {
            if (values.containsKey(q.name)) {
                ordered.put(q.name, values.get(q.name));
            }
        }
        for (Map.Entry<String, Integer> e : values.entrySet()) {
            ordered.putIfAbsent(e.getKey(), e.getValue());
        }
        TileParams p = new TileParams(ordered);
        String why = illegal(p);
        if (why != null) {
            throw new IllegalArgumentException(variant + " " + p + ": " + why);
        }
        return canonical.apply(p);
    }

    /** Every configuration: each combination of legal values that keeps the rule, canonical and distinct. */
    public List<TileParams> enumerate() {
        Set<TileParams> out = new LinkedHashSet<>();
        int[] index = new int[params.size()];
        while (true) {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (int i = 0; i < params.size(); i++) {
                m.put(params.get(i).name, params.get(i).legal[index[i]]);
            }
            TileParams p = new TileParams(m);
            if (rule.apply(p) == null) {
                out.add(canonical.apply(p));
            }
            int i = params.size() - 1;
            while (i >= 0 && ++index[i] == params.get(i).legal.length) {
                index[i] = 0;
                i--;
            }
            if (i < 0) {
                break;
            }
        }
        return new ArrayList<>(out);
    }

    /** The number of combinations of legal values, configurations or not. */
    public long combinations() {
        long n = 1;
        for (Param q : params) {
            n *= q.legal.length;
        }
        return n;
    }

    /**
     * The configurations one step from {@code p}: one parameter moved to the next smaller or larger
     * legal value, or two moved together one step the same way (so that a per-thread tile and the
     * block tile it must divide can grow together), keeping the rule.
     */
    public List<TileParams> neighbours(TileParams p) {
        Set<TileParams> out = new LinkedHashSet<>();
        for (int a = 0; a < params.size(); a++) {
            for (int da : new int[] {-1, 1}) {
                TileParams one = step(p, a, da);
                if (one == null) {
                    continue;
                }
                add(out, one, p);
                for (int b = a + 1; b < params.size(); b++) {
                    TileParams two = step(one, b, da);
                    if (two != null) {
                        add(out, two, p);
                    }
                }
            }
        }
        return new ArrayList<>(out);
    }

    private void add(Set<TileParams> out, TileParams candidate, TileParams from) {
        if (rule.apply(candidate) == null) {
            TileParams c = canonical.apply(candidate);
            if (!c.equals(canonical.apply(from))) {
                out.add(c);
            }
        }
    }

    private TileParams step(TileParams p, int param, int direction) {
        Param q = params.get(param);
        int at = -1;
        for (int i = 0; i < q.legal.length; i++) {
            if (q.legal[i] == p.get(q.name)) {
                at = i;
            }
        }
        int to = at + direction;
        return at < 0 || to < 0 || to >= q.legal.length ? null : p.with(q.name, q.legal[to]);
    }

    /** The defines of {@code p} for the compiler: {@code -D RB_BM=64 ...}. */
    public String defines(TileParams p) {
        return p.defines(prefix);
    }
}
