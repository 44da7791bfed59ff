package dev.scratchnet.testing;

import java.util.List;

/** What a test's child JVM needs beyond its class path, whichever Java runs the tests. */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * {@code --enable-native-access=ALL-UNNAMED} on Java 22 and later, else nothing: JOCL and JCuda load native
     * libraries, which Java 22+ answers with four lines of WARNING on standard error (the launcher passes the
     * same flag), and the tests that expect a command's one-line message would read those first. Java 25 runs
     * the tests on the GPU machine (docs/GPU.md), Java 17 in Maven here.
     */
    public static List<String> nativeAccess() {
        return Runtime.version().feature() >= 22 ? List.of("--enable-native-access=ALL-UNNAMED") : List.of();
    }
}
