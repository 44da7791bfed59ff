package dev.scratchnet.backend.opencl;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.cpu.CpuBackend;
import dev.scratchnet.backend.tuning.RefusedConfiguration;
import dev.scratchnet.backend.tuning.TileParams;
import dev.scratchnet.backend.tuning.TuningCache;
import dev.scratchnet.backend.tuning.TuningKey;
import dev.scratchnet.lab.KernelCheck;
import dev.scratchnet.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The OpenCL matmul kernels under other tile parameters, what the device refuses, and the cache on a real device. */
class OpenClTuningTest {

    /** A fresh OpenCL backend with its tuning cache in {@code cache} (skips where OpenCL cannot run). */
    static OpenClBackend open(Path cache, boolean noTuning) {
        TestBackends.open("opencl");
        return new OpenClBackend(new BackendOptions(null, null, noTuning, cache));
    }

    /** Configurations across the space: each kind of staging, vector width and shape, edges included. */
    static List<TileParams> sample() {
        TileParams d = OpenClTuning.REGBLOCK.defaults();
        List<TileParams> s = new ArrayList<>(List.of(d));
        s.addAll(OpenClTuning.REGBLOCK.startingPoints());
        s.add(d.with("BM", 8).with("BN", 8).with("TM", 1).with("TN", 1).with("BK", 4));
        s.add(d.with("BM", 128).with("BN", 32).with("TM", 16).with("TN", 2).with("VW", 2).with("BK", 32));
        s.add(d.with("BM", 32).with("BN", 128).with("TM", 2).with("TN", 16).with("VW", 16).with("BK", 8));
        s.add(d.with("LOCAL", 0).with("BM", 8).with("BN", 64).with("TM", 8).with("TN", 8).with("VW", 4));
        s.add(d.with("LOCAL", 0).with("BM", 128).with("BN", 8).with("TM", 1).with("TN", 8).with("VW", 1));
        Random r = new Random(14);
        List<TileParams> all = OpenClTuning.REGBLOCK.enumerate();
        for (int i = 0; i < 4; i++) {
            s.add(all.get(r.nextInt(all.size())));
        }
        return s;
    }

    @Test
    void eachSpaceHasTheDefaultsAndParametersThatMatmulClDefines() throws IOException {
        Path cl = Path.of("kernels/opencl/matmul.cl");
        assumeTrue(Files.isRegularFile(cl), "the repository's kernels/ directory is not beside the tests");
        String text = Files.readString(cl);
        for (dev.scratchnet.backend.tuning.TuningSpace s : OpenClBackend.SPACES) {
            for (dev.scratchnet.backend.tuning.TuningSpace.Param p : s.params()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("#ifndef " + s.prefix + p.name + "\\n#define " + s.prefix
                        + p.name + " (\\d+)\\n").matcher(text);
                assertTrue(m.find(), s.prefix + p.name + " has no default in matmul.cl");
                assertEquals(p.defaultValue, Integer.parseInt(m.group(1)), s.prefix + p.name);
                assertTrue(text.contains(" *   " + s.prefix + p.name + " "), s.prefix + p.name + " is not listed at the top of matmul.cl");
            }
        }
    }

    @Test
    void everySampledConfigurationComputesWhatTheCpuComputes(@TempDir Path cache) throws RefusedConfiguration {
        try (OpenClBackend be = open(cache, true); Backend reference = new CpuBackend()) {
            List<String> failures = new ArrayList<>();
            int checked = 0;
            for (Precision p : Precision.values()) {
                if (!be.supports(p)) {
                    continue;
                }
                for (TileParams t : sample()) {
                    if (be.refusal("regblock", p, t) != null) {
                        continue;
                    }
                    be.useParams("regblock", p, t);
                    for (KernelCheck.Case c : KernelCheck.gemmCases(be, reference, "regblock", true, p, KernelCheck.TUNING_SHAPES)) {
                        KernelCheck.Result res = c.run();
                        checked++;
                        if (!res.passed()) {
                            failures.add(p + " " + t + ": " + res.op + " " + res.shape + " " + res.worstRatio + " " + res.error);
                        }
                    }
                }
                for (int ts : new int[] {8, 16, 32}) {
                    TileParams t = OpenClTuning.TILED.defaults().with("TS", ts);
                    if (be.refusal("tiled", p, t) != null) {
                        continue;
                    }
                    be.useParams("tiled", p, t);
                    for (KernelCheck.Case c : KernelCheck.gemmCases(be, reference, "tiled", false, p, KernelCheck.TUNING_SHAPES)) {
                        KernelCheck.Result res = c.run();
                        checked++;
                        if (!res.passed()) {
                            failures.add(p + " tiled " + t + ": " + res.op + " " + res.shape + " " + res.worstRatio + " " + res.error);
                        }
                    }
                }
            }
            assertTrue(checked > 200, "only " + checked + " checks ran");
            assertEquals(List.of(), failures);
        }
    }

    @Test
    void aWorkGroupLargerThanTheDeviceAllowsIsRefusedWithTheReason(@TempDir Path cache) {
        try (OpenClBackend be = open(cache, true)) {
            TileParams huge = OpenClTuning.REGBLOCK.defaults().with("BM", 128).with("BN", 128).with("TM", 1).with("TN", 1);
            assumeTrue(be.refusal("regblock", Precision.FP32, huge) != null, "this device runs work-groups of 16384 work-items");
            TileParams before = be.params("regblock", Precision.FP32);
            RefusedConfiguration e = assertThrows(RefusedConfiguration.class, () -> be.useParams("regblock", Precision.FP32, huge));
            assertTrue(e.getMessage().startsWith("work-group size: 128×128 = 16384 work-items, the device allows "), e.getMessage());
            assertEquals(before, be.params("regblock", Precision.FP32), "the parameters in use stay as they were");
            RefusedConfiguration rule = assertThrows(RefusedConfiguration.class,
                    () -> be.useParams("regblock", Precision.FP32, OpenClTuning.REGBLOCK.defaults().with("TM", 16).with("BM", 8)));
            assertTrue(rule.getMessage().contains("TM=16 must divide BM=8"), rule.getMessage());
        }
    }

    @Test
    void storedParametersAreUsedByTheNextBackendAndNotWithNoTuning(@TempDir Path cache) {
        TileParams tuned = OpenClTuning.REGBLOCK.startingPoints().get(0);
        TuningKey key;
        try (OpenClBackend be = open(cache, false)) {
            assertEquals(OpenClTuning.REGBLOCK.defaults(), be.params("regblock", Precision.FP32));
            assertTrue(be.paramsOrigin(Precision.FP32).contains("not tuned on this device"), be.paramsOrigin(Precision.FP32));
            key = be.tuningKey();
            TuningCache.store(cache, key, be::tuningSpace, Map.of(Precision.FP32, Map.of("regblock", tuned)), List.of());
        }
        try (OpenClBackend be = open(cache, false)) {
            assertEquals(tuned, be.params("regblock", Precision.FP32));
            assertEquals(OpenClTuning.REGBLOCK.defaults(), be.params("regblock", Precision.FP64), "fp64 was not tuned");
            assertTrue(be.paramsOrigin(Precision.FP32).startsWith("tuned "), be.paramsOrigin(Precision.FP32));
            assertEquals(List.of(), be.notes());
            assertTrue(be.describeParams(List.of(Precision.FP32)).get(0).contains("regblock " + tuned + ";"));
        }
        try (OpenClBackend be = open(cache, true)) {
            assertEquals(OpenClTuning.REGBLOCK.defaults(), be.params("regblock", Precision.FP32));
            assertEquals("defaults (--no-tuning)", be.paramsOrigin(Precision.FP32));
        }
    }

    @Test
    void staleAndCorruptedEntriesAreIgnoredWithOneNote(@TempDir Path cache) throws IOException {
        TileParams tuned = OpenClTuning.REGBLOCK.startingPoints().get(0);
        TuningKey key;
        try (OpenClBackend be = open(cache, false)) {
            key = be.tuningKey();
        }
        TuningKey otherSources = new TuningKey(key.backend, key.device, key.driver, "0".repeat(64));
        Path file = TuningCache.store(cache, otherSources, v -> v.equals("regblock") ? OpenClTuning.REGBLOCK : null,
                Map.of(Precision.FP32, Map.of("regblock", tuned)), List.of());
        try (OpenClBackend be = open(cache, false)) {
            assertEquals(OpenClTuning.REGBLOCK.defaults(), be.params("regblock", Precision.FP32));
            assertEquals(1, be.notes().size(), be.notes().toString());
            assertTrue(be.notes().get(0).contains("other kernel sources"), be.notes().get(0));
        }
        Files.writeString(file, "{\"format\": \"scratchnet-tuning 1\", \"backend\": ");
        try (OpenClBackend be = open(cache, false)) {
            assertEquals(OpenClTuning.REGBLOCK.defaults(), be.params("regblock", Precision.FP32));
            assertEquals(1, be.notes().size(), be.notes().toString());
            assertTrue(be.notes().get(0).startsWith("note: ignoring the tuning cache " + file), be.notes().get(0));
            assertNotEquals(-1, be.paramsOrigin(Precision.FP32).indexOf("unreadable"));
        }
    }
}
