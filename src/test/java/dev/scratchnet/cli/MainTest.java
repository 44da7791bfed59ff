package dev.scratchnet.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user meets it: output, exit status, and one-line errors. */
class MainTest {
    /** Exit status, standard output, standard error. */
    static Object[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Object[] {status, out.toString(), err.toString()};
    }

    @Test
    void devicesListsEveryBackendAndWhatAutoChooses() {
        Object[] r = run("devices");
        assertEquals(0, r[0]);
        String out = (String) r[1];
        for (String backend : new String[] {"cpu", "opencl", "cuda"}) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(backend + " ")), backend + " missing from:\n" + out);
        }
        assertTrue(out.contains("auto chooses: "), out);
        assertTrue(out.lines().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow().contains("available"));
    }

    @Test
    void anUnknownBackendIsOneLineAndExitStatusOne() {
        Object[] r = run("kernels", "check", "--backend", "vulkan");
        assertEquals(1, r[0]);
        String err = (String) r[2];
        assertEquals("scratchnet: unknown backend 'vulkan': expected auto, cpu, opencl or cuda\n", err);
    }

    @Test
    void anUnknownOptionIsOneLineWithWhereToLook() {
        Object[] r = run("devices", "--frobnicate");
        assertEquals(2, r[0]);
        assertEquals("scratchnet: Unknown option: '--frobnicate' (see 'scratchnet devices --help')\n", r[2]);
    }

    @Test
    void verboseAddsTheStackTrace() {
        Object[] r = run("kernels", "check", "--backend", "vulkan", "--verbose");
        assertEquals(1, r[0]);
        String err = (String) r[2];
        assertTrue(err.startsWith("scratchnet: unknown backend 'vulkan'"), err);
        assertTrue(err.contains("\tat dev.scratchnet."), err);
    }

    @Test
    void kernelsCheckOnTheCpuPassesAndSaysSo() {
        Object[] r = run("kernels", "check", "--backend", "cpu", "--small", "--precision", "fp64");
        assertEquals(0, r[0], (String) r[2]);
        String out = (String) r[1];
        assertTrue(out.contains("matmul blocked NN"), out);
        assertTrue(out.matches("(?s).*\\d+ checks, \\d+ passed, 0 failed on cpu.*"), out);
        assertFalse(out.contains("FAIL"), out);
    }

    @Test
    void kernelsBenchRejectsANonsenseSize() {
        Object[] r = run("kernels", "bench", "--backend", "cpu", "--sizes", "0");
        assertEquals(1, r[0]);
        assertEquals("scratchnet: matmul size 0: must be at least 1\n", r[2]);
    }
}
