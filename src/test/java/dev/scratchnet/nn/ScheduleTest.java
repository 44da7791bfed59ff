package dev.scratchnet.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScheduleTest {
    @Test
    void stepMultipliesEveryNEpochs() {
        Schedule s = Schedule.parse("step:3:0.5");
        double[] expected = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025};
        for (int e = 0; e < expected.length; e++) {
            assertEquals(expected[e], s.rate(0.1, e, 7), 1e-17, "epoch " + e);
        }
    }

    @Test
    void cosineWarmsUpLinearlyThenFollowsHalfACosine() {
        Schedule s = Schedule.parse("cosine:2");
        assertEquals(0.05, s.rate(0.1, 0, 10), 1e-17);
        assertEquals(0.1, s.rate(0.1, 1, 10), 1e-17);
        assertEquals(0.1, s.rate(0.1, 2, 10), 1e-17);
        assertEquals(0.05, s.rate(0.1, 6, 10), 1e-17);   // halfway through the 8 cosine epochs
        assertEquals(0.1 * 0.5 * (1 + Math.cos(Math.PI * 7 / 8)), s.rate(0.1, 9, 10), 1e-17);
        assertEquals(0.1 * 0.5 * (1 + Math.cos(Math.PI / 4)), Schedule.parse("cosine").rate(0.1, 1, 4), 1e-17);
    }

    @Test
    void badSchedulesAreOneLine() {
        assertEquals("--schedule 'linear': expected constant, step:EVERY:GAMMA or cosine[:WARMUP_EPOCHS]",
                assertThrows(IllegalArgumentException.class, () -> Schedule.parse("linear")).getMessage());
        assertEquals("--schedule step:0:0.5: EVERY must be at least 1 epoch",
                assertThrows(IllegalArgumentException.class, () -> Schedule.parse("step:0:0.5")).getMessage());
        assertEquals("--schedule 'step:2:x': 'x' is not a number",
                assertThrows(IllegalArgumentException.class, () -> Schedule.parse("step:2:x")).getMessage());
    }
}
