package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.KernelSource;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.tuning.TileParams;
import dev.scratchnet.backend.tuning.TuningSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CUDA matmul kernels' tile parameters without a GPU: the spaces say what matmul.cu says, and
 * nvcc compiles a sample of every variant's legal configurations (warnings as errors) and refuses
 * a configuration that breaks the rules.
 */
class CudaTuningTest {

    static String matmulCu() throws IOException {
        Path cu = Path.of("kernels/cuda/matmul.cu");
        assumeTrue(Files.isRegularFile(cu), "the repository's kernels/cuda is not beside the tests");
        return Files.readString(cu);
    }

    @Test
    void eachSpaceHasTheDefaultsAndParametersThatMatmulCuDefines() throws IOException {
        String cu = matmulCu();
        for (TuningSpace s : CudaTuning.SPACES) {
            for (TuningSpace.Param p : s.params()) {
                Matcher m = Pattern.compile("#ifndef " + s.prefix + p.name + "\\n#define " + s.prefix + p.name + " (\\d+)\\n").matcher(cu);
                assertTrue(m.find(), s.prefix + p.name + " has no default in matmul.cu");
                assertEquals(p.defaultValue, Integer.parseInt(m.group(1)), s.prefix + p.name);
                assertTrue(cu.contains("//   " + s.prefix + p.name) || cu.contains(", " + s.prefix + p.name) || cu.contains(s.prefix + p.name + ","),
                        s.prefix + p.name + " is not listed at the top of matmul.cu");
            }
            assertTrue(s.enumerate().contains(s.defaults()), s.variant + ": the defaults are a configuration");
            for (TileParams t : s.startingPoints()) {
                assertEquals(null, s.illegal(t), s.variant + " " + t);
            }
        }
    }

    @Test
    void theBlockSizeFollowsFromTheTiles() {
        assertEquals(256, CudaTuning.threads("blocktile", CudaTuning.BLOCKTILE.defaults()));
        assertEquals(256, CudaTuning.threads("vectorized", CudaTuning.VECTORIZED.defaults()));
        assertEquals(256, CudaTuning.threads("warptile", CudaTuning.WARPTILE.defaults()));
        assertEquals(128, CudaTuning.threads("warptile", CudaTuning.WARPTILE.defaults().with("WN", 64)));
        String why = CudaTuning.BLOCKTILE.illegal(CudaTuning.BLOCKTILE.defaults().with("BM", 256).with("BN", 256).with("TM", 2).with("TN", 2));
        assertTrue(why != null && why.contains("threads per block"), why);
        why = CudaTuning.WARPTILE.illegal(CudaTuning.WARPTILE.defaults().with("BM", 256).with("BN", 256).with("BK", 32));
        assertTrue(why != null && why.contains("shared memory"), why);
    }

    /** Defaults, starting points and a seeded sample of each variant's configurations. */
    static List<Object[]> sample() {
        List<Object[]> out = new ArrayList<>();
        Random r = new Random(14);
        for (TuningSpace s : CudaTuning.SPACES) {
            List<TileParams> all = s.enumerate();
            List<TileParams> picks = new ArrayList<>(s.startingPoints());
            for (int i = 0; i < 3; i++) {
                picks.add(all.get(r.nextInt(all.size())));
            }
            for (TileParams t : picks) {
                out.add(new Object[] {s, t});
            }
        }
        return out;
    }

    @Test
    void nvccCompilesASampleOfEveryVariantsConfigurations(@TempDir Path tmp) {
        assumeTrue(CudaKernelsOnCpuTest.available(CudaModules.nvcc0()), "no nvcc here to compile the CUDA kernels");
        assumeTrue(Files.isDirectory(Path.of("kernels/cuda")), "the repository's kernels/cuda is not beside the tests");
        String old = System.getProperty("scratchnet.cuda.cache");
        System.setProperty("scratchnet.cuda.cache", tmp.toString());
        try {
            KernelSource source = KernelSource.of(new BackendOptions(Path.of("kernels"), null));
            List<String> failed = new ArrayList<>();
            int compiled = 0;
            for (Object[] c : sample()) {
                TuningSpace s = (TuningSpace) c[0];
                TileParams t = (TileParams) c[1];
                for (Precision p : Precision.values()) {
                    try {
                        Path ptx = CudaModules.compileMatmul(source, CudaTuning.defines(s.variant, p, t));
                        String text = Files.readString(ptx);
                        String entry = ".entry matmul_" + s.variant + "_" + p.suffix();
                        if (!text.contains(entry) || text.contains(".entry matmul_naive")) {
                            failed.add(s.variant + " " + p + " " + t + ": the module does not hold exactly " + entry);
                        }
                        compiled++;
                    } catch (RuntimeException | IOException e) {
                        failed.add(s.variant + " " + p + " " + t + ": " + e.getMessage().split("\n")[0]);
                    }
                }
            }
            assertEquals(List.of(), failed);
            assertTrue(compiled >= 30, compiled + " compiled");
            // the kernel file enforces the rules as well: a per-thread tile that does not divide the block
            RuntimeException e = assertThrows(RuntimeException.class, () -> CudaModules.compileMatmul(source,
                    "-D SN_ONLY=1 -D SN_ONLY_BITS=32 -D BT_BM=64 -D BT_BN=64 -D BT_BK=16 -D BT_TM=3 -D BT_TN=4"));
            assertTrue(e.getMessage().contains("BT_TM must divide BT_BM"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty("scratchnet.cuda.cache");
            } else {
                System.setProperty("scratchnet.cuda.cache", old);
            }
        }
    }
}
