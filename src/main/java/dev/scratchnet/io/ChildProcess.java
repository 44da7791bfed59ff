package dev.scratchnet.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Child processes that are not JVMs (nvcc, Python, g++): started without the JDK's signal-chaining
 * library in {@code LD_PRELOAD}. The launcher preloads {@code libjsig.so} for the JVM (PoCL's LLVM
 * replaces the JVM's SIGSEGV handler otherwise, docs/DESIGN.md), children inherit the environment,
 * and libjsig's {@code signal()} prints "OpenJDK VM warning: the use of signal() and sigset() for
 * signal chaining was deprecated" in every other program that calls it (g++, unshare).
 */
public final class ChildProcess {
    private ChildProcess() {
    }

    /** A ProcessBuilder for {@code command}, a program that is not a JVM. */
    public static ProcessBuilder notJava(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        withoutSignalChaining(pb.environment());
        return pb;
    }

    /** {@link #notJava(List)} of the words given. */
    public static ProcessBuilder notJava(String... command) {
        return notJava(Arrays.asList(command));
    }

    /** Removes every {@code libjsig.so} from the {@code LD_PRELOAD} of {@code env} (the variable itself if nothing is left). */
    public static void withoutSignalChaining(Map<String, String> env) {
        String preload = env.get("LD_PRELOAD");
        if (preload == null) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String lib : preload.split("[: ]")) {
            if (!lib.isEmpty() && !lib.endsWith("/libjsig.so") && !lib.equals("libjsig.so")) {
                kept.add(lib);
            }
        }
        if (kept.isEmpty()) {
            env.remove("LD_PRELOAD");
        } else {
            env.put("LD_PRELOAD", String.join(":", kept));
        }
    }
}
