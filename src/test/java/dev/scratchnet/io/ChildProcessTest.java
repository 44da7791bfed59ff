package dev.scratchnet.io;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A child that is not a JVM loses libjsig from LD_PRELOAD, and keeps every other library there. */
class ChildProcessTest {
    private static Map<String, String> after(String preload) {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin"));
        if (preload != null) {
            env.put("LD_PRELOAD", preload);
        }
        ChildProcess.withoutSignalChaining(env);
        return env;
    }

    @Test
    void libjsigIsRemovedAndTheRestKept() {
        assertFalse(after("/usr/lib/jvm/java-17/lib/libjsig.so").containsKey("LD_PRELOAD"));
        assertEquals("/opt/libtrace.so", after("/usr/lib/jvm/java-17/lib/libjsig.so:/opt/libtrace.so").get("LD_PRELOAD"));
        assertEquals("/opt/a.so:/opt/b.so", after("/opt/a.so /tmp/jre/lib/libjsig.so:/opt/b.so").get("LD_PRELOAD"));
        assertEquals("/opt/libjsig.so.bak", after("/opt/libjsig.so.bak").get("LD_PRELOAD"));
        assertFalse(after(null).containsKey("LD_PRELOAD"));
        assertEquals("/usr/bin", after("libjsig.so").get("PATH"));
    }

    @Test
    void aChildStartedThisWayHasNoLibjsig() throws Exception {
        ProcessBuilder pb = ChildProcess.notJava("sh", "-c", "printf %s \"${LD_PRELOAD-unset}\"");
        pb.environment().put("LD_PRELOAD", "/no/such/dir/libjsig.so");
        ChildProcess.withoutSignalChaining(pb.environment());
        Process p = pb.start();
        assertEquals("unset", new String(p.getInputStream().readAllBytes()));
        assertEquals(0, p.waitFor());
    }
}
