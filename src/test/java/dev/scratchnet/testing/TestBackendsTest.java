package dev.scratchnet.testing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comma lists of SCRATCHNET_REQUIRE and SCRATCHNET_TEST_BACKENDS: whole names, any case, spaces ignored. */
class TestBackendsTest {
    @Test
    void aListNamesABackendByItsWholeNameInAnyCase() {
        assertTrue(TestBackends.listed("opencl, CUDA", "cuda"));
        assertTrue(TestBackends.listed("cuda", "cuda"));
        assertFalse(TestBackends.listed("cudax,cpu", "cuda"));
        assertFalse(TestBackends.listed("", "cuda"));
        assertFalse(TestBackends.listed(null, "cuda"));
    }
}
