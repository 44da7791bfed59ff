package dev.scratchnet.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code model bench} runs every figure it promises and leaves no file behind (no timing is asserted). */
class ModelCommandTest {
    @Test
    void benchTimesEveryFormatAndPrecisionAndCleansUp(@TempDir Path dir) throws IOException {
        Object[] r = MainTest.run("model", "bench", "--backend", "cpu", "--sizes", "16,8,3", "--repeats", "1", "--dir", dir.toString());
        assertEquals(0, r[0], r[1] + "" + r[2]);
        String out = (String) r[1];
        for (String op : new String[] {"save safetensors fp32", "load safetensors fp32", "save npz fp32", "load npz fp32",
                "checkpoint (weights + Adam) fp32", "save safetensors fp64", "load npz fp64", "checkpoint (weights + Adam) fp64"}) {
            assertTrue(out.lines().anyMatch(l -> l.matches(java.util.regex.Pattern.quote(op) + " +[0-9.]+ ms.*")), op + " in\n" + out);
        }
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "bench files removed");
        }
        r = MainTest.run("model", "bench", "--backend", "cpu", "--repeats", "0");
        assertEquals("scratchnet: --repeats 0: must be at least 1\n", r[2]);
    }
}
