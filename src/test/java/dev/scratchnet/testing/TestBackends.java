package dev.scratchnet.testing;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Probe;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Opens each backend once per test run. A test parameterised over {@link #NAMES} calls
 * {@link #open(String)} inside the test, so a backend that cannot run here shows as a skipped test
 * with its reason; with {@code SCRATCHNET_REQUIRE=opencl} (or a comma list) an absent required
 * backend fails instead.
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
        String req = System.getenv("SCRATCHNET_REQUIRE");
        if (req == null) {
            return false;
        }
        for (String r : req.toLowerCase(Locale.ROOT).split(",")) {
            if (r.trim().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The shared backend called {@code name}; skips (or fails, when required) if it cannot run here. */
    public static synchronized Backend open(String name) {
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

    /** {@link #open(String)}, also skipping when the backend lacks the precision. */
    public static Backend open(String name, Precision precision) {
        Backend b = open(name);
        assumeTrue(b.supports(precision), name + " (" + b.deviceName() + ") has no " + precision);
        return b;
    }
}
