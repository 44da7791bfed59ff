package dev.scratchnet.testing;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The end-of-run summary groups skips by backend and says what would run them. */
class SkipSummaryTest {
    @Test
    void skipsAreGroupedByBackendWithTheirReasonAndWhatRunsThem() {
        SkipSummary s = new SkipSummary();
        for (int i = 0; i < 5; i++) {
            s.finished();
        }
        s.record("Assumption failed: opencl unavailable: no libOpenCL.so.1 (install ...)", "dev.scratchnet.backend.BackendParityTest");
        s.record("Assumption failed: opencl unavailable: no libOpenCL.so.1 (install ...)", "dev.scratchnet.nn.TrainerTest");
        s.record("Assumption failed: cuda unavailable: no libcuda.so.1", "dev.scratchnet.backend.BackendParityTest");
        s.record("Assumption failed: the build ran without nvcc: no PTX", "dev.scratchnet.backend.cuda.CudaKernelContractTest");
        List<String> lines = s.lines();
        assertEquals("[scratchnet] skipped tests: 4 of 5, by backend:", lines.get(0));
        assertEquals("[scratchnet]   cuda: 2 tests skipped: no libcuda.so.1 (1); the build ran without nvcc: no PTX (1); "
                + SkipSummary.WHAT_RUNS_THEM.get("cuda"), lines.get(1));
        assertEquals("[scratchnet]   opencl: 2 tests skipped: no libOpenCL.so.1 (install ...); " + SkipSummary.WHAT_RUNS_THEM.get("opencl"),
                lines.get(2));
        assertEquals(3, lines.size());
        SkipSummary none = new SkipSummary();
        none.finished();
        assertEquals(List.of("[scratchnet] skipped tests: none"), none.lines());
    }
}
