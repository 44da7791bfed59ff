package dev.scratchnet.testing;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Probe;
import org.junit.jupiter.params.provider.Arguments;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Opens each backend once per test run. A test parameterised over {@link #NAMES} calls
 * {@link #open(String)} inside the test, so a backend that cannot run here shows as a skipped test
 * with its reason; with {@code SCRATCHNET_REQUIRE=opencl} (or a comma list) an absent required
 * backend fails instead. {@code SCRATCHNET_TEST_BACKENDS=cuda} (a comma list) runs only the tests of
 * those backends, the others skipping with that reason: the GPU job's run under compute-sanitizer
 * (ci/gpu-job.sh), which must not time the CPU backend or drive OpenCL through the sanitizer.
 */
public final class TestBackends {
    public static final List<String> NAMES = Backends.NAMES;
    private static final Map<String, Backend> OPEN = new HashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.values().forEach(Backend::close)));
    }

    private TestBackends() {
    }

    public static boolean required(String name) {
        return listed(System.getenv("SCRATCHNET_REQUIRE"), name);
    }

    /** Whether {@code SCRATCHNET_TEST_BACKENDS} (unset or blank: every backend) leaves {@code name} in. */
    public static boolean selected(String name) {
        String only = System.getenv("SCRATCHNET_TEST_BACKENDS");
        return only == null || only.isBlank() || listed(only, name);
    }

    /** Whether the comma list {@code list} (may be null) names {@code name}, ignoring case and spaces. */
    static boolean listed(String list, String name) {
        if (list == null) {
            return false;
        }
        for (String r : list.toLowerCase(Locale.ROOT).split(",")) {
            if (r.trim().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The shared backend called {@code name}; skips (or fails, when required) if it cannot run here. */
    public static synchronized Backend open(String name) {
        assumeTrue(selected(name), "SCRATCHNET_TEST_BACKENDS=" + System.getenv("SCRATCHNET_TEST_BACKENDS") + " leaves " + name + " out");
        Backend b = OPEN.get(name);
        if (b != null) {
            return b;
        }
        Probe p = Backends.probe(name);
        if (!p.available) {
            if (required(name)) {
                fail("SCRATCHNET_REQUIRE asks for " + name + ", which cannot run here: " + p.reason);
            }
            assumeTrue(false, name + " unavailable: " + p.reason);
        }
        try {
            b = Backends.create(name, BackendOptions.defaults());
        } catch (RuntimeException e) {
            if (required(name)) {
                throw e;
            }
            assumeTrue(false, name + " cannot start: " + e.getMessage());
        }
        OPEN.put(name, b);
        return b;
    }

    /**
     * Every backend × every precision × each of {@code values}: the arguments (name, precision, value) of a
     * test parameterised over all three, opened in the test with {@link #open(String, Precision)}.
     */
    public static Stream<Arguments> withEachPrecisionAnd(Object... values) {
        List<Arguments> out = new ArrayList<>();
        for (String name : NAMES) {
            for (Precision p : Precision.values()) {
                for (Object v : values) {
                    out.add(Arguments.of(name, p, v));
                }
            }
        }
        return out.stream();
    }

    /** {@link #open(String)}, also skipping when the backend lacks the precision. */
    public static Backend open(String name, Precision precision) {
        Backend b = open(name);
        assumeTrue(b.supports(precision), name + " (" + b.deviceName() + ") has no " + precision);
        return b;
    }
}
