package dev.scratchnet.backend;

import dev.scratchnet.backend.opencl.OpenClBackend;
import dev.scratchnet.cli.Main;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Host paths of the two GPU backends that training does not take: waiting and timing on the
 * device, the column-sum scratch growing for wide matrices, an allocation larger than the device
 * refused before it is tried, choosing a device by number, and the kernel lab's bench with its
 * library baseline (its output, not its speed).
 */
class GpuHostPathsTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"opencl", "cuda"})
    void timingAnOpWaitsForItAndWaitingFinishesTheQueue(String name) {
        Backend be = TestBackends.open(name);
        try (Tensor t = be.zeros(300, 200, Precision.FP32)) {
            double ms = be.timeMillis(() -> be.fill(t, 2));
            assertTrue(ms >= 0 && ms < 600_000, "elapsed " + ms);
            assertEquals(2.0, be.download(t).get(299, 199));
            be.scale(3, t);
            be.synchronize();
            assertEquals(6.0, be.download(t).get(0, 0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"opencl", "cuda"})
    void columnSumsOfAWideTallMatrixGrowTheScratchAndStayRight(String name) {
        Backend be = TestBackends.open(name, Precision.FP64);
        int rows = 4096, cols = 300;   // 64 row chunks × 300 columns: more partial sums than the first scratch holds
        Random r = new Random(11);
        double[][] a = new double[rows][cols];
        double[] want = new double[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                a[i][j] = r.nextInt(7) - 3;   // small integers: every order of summation gives the same bits
                want[j] += a[i][j];
            }
        }
        try (Tensor t = be.upload(Matrix.of(a), Precision.FP64); Tensor out = be.zeros(1, cols, Precision.FP64)) {
            be.sumColumns(1, t, 0, out);
            assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(be.download(out).data()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"opencl", "cuda"})
    void anAllocationLargerThanTheDeviceIsRefusedBeforeItIsTried(String name) {
        Backend be = TestBackends.open(name);
        long before = be.bytesInUse();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.zeros(46000, 46000, Precision.FP64));
        assertTrue(e.getMessage().startsWith("a 46000×46000 fp64 tensor needs "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n") && e.getMessage().contains(be.deviceName().split(" \\(")[0]), e.getMessage());
        assertEquals(before, be.bytesInUse());
    }

    @Test
    void anOpenClDeviceChosenByNumberIsTheOneUsed() {
        TestBackends.open("opencl");
        Probe p = Backends.probe("opencl");
        int last = p.devices.size() - 1;
        try (OpenClBackend be = new OpenClBackend(new BackendOptions(null, last)); Tensor t = be.zeros(2, 2, Precision.FP32)) {
            assertTrue(be.deviceName().startsWith(p.devices.get(last).name), be.deviceName());
            be.fill(t, 1);
            assertEquals(1.0, be.download(t).get(1, 1));
        }
    }

    @Test
    void theOpenClBenchPrintsEveryTableWithTheClBlastBaseline() {
        TestBackends.open("opencl");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(new String[] {"kernels", "bench", "--backend", "opencl", "--sizes", "16", "--precision", "fp32",
                "--min-seconds", "0.001", "--rows", "32", "--cols", "32"}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, status, err.toString());
        status = Main.run(new String[] {"kernels", "bench", "--backend", "opencl", "--op", "matmul", "--sizes", "16", "--precision",
                "fp64", "--min-seconds", "0.001"}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, status, err.toString());
        String o = out.toString();
        assertTrue(o.contains("matmul fp64 on opencl"), o);
        assertTrue(o.lines().anyMatch(l -> l.startsWith("baseline: CLBlast")), o);
        assertTrue(o.lines().anyMatch(l -> l.matches("\\s+n\\s+regblock\\s+tiled\\s+naive\\s+CLBlast\\s+best/baseline")), o);
        assertTrue(o.lines().anyMatch(l -> l.matches("\\s+16(\\s+\\d+\\.\\d){4}\\s+\\d+%")), o);
        assertTrue(o.contains("launch (fp32): "), o);
        assertTrue(o.contains("training step (fp32): 784-256-128-10"), o);
        assertTrue(o.contains("memory-bound ops on opencl, 32×32 tensors"), o);
    }
}
