package dev.scratchnet.backend;

import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The list forms of the optimizer updates ({@link Backend#sgdUpdate(List, List, double)} and the
 * like; one kernel launch on CUDA, a loop elsewhere) on every backend: the same bits as the
 * per-tensor op applied to each entry, over several steps, on tensors of odd sizes; and bad lists
 * refused with one line.
 */
class OptimizerListsTest {
    /** Odd shapes: one element, a row, one block (256) and one past it, several blocks, a column. */
    private static final int[][] SHAPES = {{1, 1}, {1, 7}, {16, 16}, {1, 257}, {13, 77}, {300, 1}};
    private static final String[] OPTIMIZERS = {"sgd", "momentum", "rmsprop", "adam"};

    static Stream<Arguments> backendsPrecisionsAndOptimizers() {
        return TestBackends.withEachPrecisionAnd((Object[]) OPTIMIZERS);
    }

    /** Parameters, gradients and two state buffers per shape (state positive: RMSprop and Adam take its root). */
    private static List<List<Tensor>> tensors(Backend be, Precision p, NumpyRandom rnd) {
        List<List<Tensor>> lists = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int[] s : SHAPES) {
            lists.get(0).add(be.upload(random(s, rnd, -1, 1), p));
            lists.get(1).add(be.upload(random(s, rnd, -1, 1), p));
            lists.get(2).add(be.upload(random(s, rnd, 0.01, 1), p));
            lists.get(3).add(be.upload(random(s, rnd, 0.01, 1), p));
        }
        return lists;
    }

    private static Matrix random(int[] shape, NumpyRandom rnd, double lo, double hi) {
        Matrix m = new Matrix(shape[0], shape[1]);
        for (int i = 0; i < m.data().length; i++) {
            m.data()[i] = lo + (hi - lo) * rnd.randomSample();
        }
        return m;
    }

    private static void closeAll(List<List<Tensor>> lists) {
        lists.forEach(l -> l.forEach(Tensor::close));
    }

    /** One step of {@code optimizer} as the list form. */
    private static void listStep(Backend be, String optimizer, List<List<Tensor>> t, int step) {
        switch (optimizer) {
            case "sgd": be.sgdUpdate(t.get(0), t.get(1), 0.05); break;
            case "momentum": be.momentumUpdate(t.get(0), t.get(1), t.get(2), 0.05, 0.9); break;
            case "rmsprop": be.rmspropUpdate(t.get(0), t.get(1), t.get(2), 0.05, 0.99, 1e-6); break;
            default: be.adamUpdate(t.get(0), t.get(1), t.get(2), t.get(3), 0.05, 0.9, 0.999, 1e-6, step); break;
        }
    }

    /** The same step as the per-tensor op, entry by entry. */
    private static void loopStep(Backend be, String optimizer, List<List<Tensor>> t, int step) {
        for (int i = 0; i < t.get(0).size(); i++) {
            Tensor p = t.get(0).get(i), g = t.get(1).get(i), s0 = t.get(2).get(i), s1 = t.get(3).get(i);
            switch (optimizer) {
                case "sgd": be.sgdUpdate(p, g, 0.05); break;
                case "momentum": be.momentumUpdate(p, g, s0, 0.05, 0.9); break;
                case "rmsprop": be.rmspropUpdate(p, g, s0, 0.05, 0.99, 1e-6); break;
                default: be.adamUpdate(p, g, s0, s1, 0.05, 0.9, 0.999, 1e-6, step); break;
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("backendsPrecisionsAndOptimizers")
    void theListFormGivesTheBitsOfThePerTensorOpOverSeveralSteps(String name, Precision p, String optimizer) {
        Backend be = TestBackends.open(name, p);
        List<List<Tensor>> listed = tensors(be, p, new NumpyRandom(5));
        List<List<Tensor>> looped = tensors(be, p, new NumpyRandom(5));
        try {
            double[] initial = be.download(listed.get(0).get(4)).data();
            for (int step = 1; step <= 3; step++) {
                listStep(be, optimizer, listed, step);
                loopStep(be, optimizer, looped, step);
            }
            for (int l = 0; l < 4; l++) {
                for (int i = 0; i < SHAPES.length; i++) {
                    double[] want = be.download(looped.get(l).get(i)).data(), got = be.download(listed.get(l).get(i)).data();
                    assertArrayEquals(want, got, 0.0, optimizer + " on " + name + " " + p + ": list " + l + ", entry " + i
                            + " differs from the per-tensor op");
                }
            }
            assertTrue(initial[0] != be.download(listed.get(0).get(4)).data()[0], "the steps moved the parameters");
        } finally {
            closeAll(listed);
            closeAll(looped);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl", "cuda"})
    void badListsAreRefusedWithOneLine(String name) {
        Backend be = TestBackends.open(name, Precision.FP32);
        try (Tensor a = be.zeros(2, 3, Precision.FP32); Tensor b = be.zeros(2, 3, Precision.FP32);
             Tensor c = be.zeros(3, 2, Precision.FP32); Tensor d = be.zeros(2, 3, Precision.FP32);
             Tensor x = be.zeros(2, 3, Precision.FP32)) {
            assertOneLine("sgdUpdate: 2 parameters but 1 gradients: the lists must have equal lengths",
                    () -> be.sgdUpdate(List.of(a, b), List.of(c), 0.1));
            assertOneLine("momentumUpdate: the list of velocities is null", () -> be.momentumUpdate(List.of(a), List.of(b), null, 0.1, 0.9));
            assertOneLine("rmspropUpdate entry 0 (parameters and gradients): shapes 2×3 and 3×2 differ",
                    () -> be.rmspropUpdate(List.of(a), List.of(c), List.of(b), 0.1, 0.9, 1e-8));
            assertOneLine("sgdUpdate: entry 1 updates the 2×3 tensor that entry 0 updates too: each parameter and state tensor may"
                    + " appear once", () -> be.sgdUpdate(List.of(a, a.topRows(2)), List.of(b, d), 0.1));
            // a gradient may serve two entries; a state tensor may not be another entry's parameter
            assertOneLine("momentumUpdate: entry 1 updates the 2×3 tensor that entry 0 updates too: each parameter and state tensor"
                    + " may appear once", () -> be.momentumUpdate(List.of(a, b), List.of(d, d), List.of(b, x), 0.1, 0.9));
            assertOneLine("adamUpdate: step 0 must count from 1",
                    () -> be.adamUpdate(List.of(a), List.of(b), List.of(c), List.of(d), 0.1, 0.9, 0.999, 1e-8, 0));
            if (be.supports(Precision.FP64)) {
                try (Tensor e = be.zeros(2, 3, Precision.FP64); Tensor f = be.zeros(2, 3, Precision.FP64)) {
                    assertOneLine("sgdUpdate: entries mix fp32 (entry 0) and fp64 (entry 1)",
                            () -> be.sgdUpdate(List.of(a, e), List.of(b, f), 0.1));
                    assertOneLine("sgdUpdate entry 0: tensors mix fp32 and fp64", () -> be.sgdUpdate(List.of(a), List.of(e), 0.1));
                }
            }
            Tensor closed = be.zeros(1, 1, Precision.FP32);
            closed.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> be.sgdUpdate(List.of(closed), List.of(closed), 0.1));
            assertEquals("sgdUpdate entry 0: the 1×1 tensor is closed", e.getMessage());
            be.sgdUpdate(List.of(), List.of(), 0.1);   // nothing to update: nothing happens
        }
    }

    private static void assertOneLine(String expected, Runnable op) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, op::run);
        assertEquals(expected, e.getMessage());
    }
}
