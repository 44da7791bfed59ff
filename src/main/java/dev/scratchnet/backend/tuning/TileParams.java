package dev.scratchnet.backend.tuning;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One setting of a kernel's tile parameters: names (as the kernel file lists them, without their
 * prefix) to values, in the order the {@link TuningSpace} declares them. Immutable.
 */
public final class TileParams {
    private final Map<String, Integer> values;

    public TileParams(Map<String, Integer> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public int get(String name) {
        Integer v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no tile parameter " + name + " in " + this);
        }
        return v;
    }

    /** A copy with {@code name} set to {@code value}. */
    public TileParams with(String name, int value) {
        Map<String, Integer> m = new LinkedHashMap<>(values);
        m.put(name, value);
        return new TileParams(m);
    }

    public Map<String, Integer> asMap() {
        return values;
    }

    /** {@code -D PREFIXNAME=value} for each parameter, separated by spaces. */
    public String defines(String prefix) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Integer> e : values.entrySet()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append("-D ").append(prefix).append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TileParams && ((TileParams) o).values.equals(values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(values);
    }

    /** {@code BM=64 BN=64 ...}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Integer> e : values.entrySet()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }
}
