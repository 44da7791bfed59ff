package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.tuning.TileParams;
import dev.scratchnet.backend.tuning.TuningSpace;
import dev.scratchnet.backend.tuning.TuningSpace.Param;

import java.util.List;

/**
 * The tile parameters of the CUDA matmul kernels, exactly as the top of kernels/cuda/matmul.cu
 * lists them: blocktile's (which dense_forward shares), vectorized's and warptile's block tile, k
 * step, per-thread (or per-warp) tile and load width. The block size follows from them.
 *
 * <p>A tuned variant runs from a module of its own: matmul.cu compiled with {@code -D SN_ONLY}
 * (that variant), {@code -D SN_ONLY_BITS} (that precision) and its parameters, so each candidate
 * is small and the PTX the tuner compiled is the PTX later runs load.
 */
public final class CudaTuning {
    /** Static shared memory a block may declare (every CUDA device since compute capability 2.0). */
    static final int STATIC_SHARED_BYTES = 48 * 1024;
    static final int MAX_THREADS = 1024;
    static final int MAX_ACCUMULATORS = 128;

    public static final TuningSpace BLOCKTILE = new TuningSpace("blocktile", "BT_",
            List.of(new Param("BM", "rows of C per block", 64, 32, 64, 128, 256),
                    new Param("BN", "columns of C per block", 64, 32, 64, 128, 256),
                    new Param("BK", "k step (depth of the shared tiles)", 16, 8, 16, 32),
                    new Param("TM", "rows of C per thread", 4, 2, 4, 8, 16),
                    new Param("TN", "columns of C per thread", 4, 2, 4, 8, 16)),
            p -> blockRule(p, 1), p -> p)
            .withStartingPoints("BM=128 BN=128 BK=8 TM=8 TN=8", "BM=64 BN=64 BK=16 TM=8 TN=8");

    public static final TuningSpace VECTORIZED = new TuningSpace("vectorized", "VEC_",
            List.of(new Param("BM", "rows of C per block", 128, 32, 64, 128, 256),
                    new Param("BN", "columns of C per block", 128, 32, 64, 128, 256),
                    new Param("BK", "k step (depth of the shared tiles)", 8, 8, 16, 32),
                    new Param("TM", "rows of C per thread", 8, 2, 4, 8, 16),
                    new Param("TN", "columns of C per thread", 8, 2, 4, 8, 16),
                    new Param("VW", "elements per global load; 0: 16 bytes", 0, 0, 1, 2, 4)),
            p -> blockRule(p, loadWidth(p)), p -> p)
            .withStartingPoints("BM=128 BN=128 BK=16 TM=8 TN=8", "BM=64 BN=128 BK=16 TM=8 TN=8", "BM=128 BN=64 BK=16 TM=8 TN=4");

    public static final TuningSpace WARPTILE = new TuningSpace("warptile", "WT_",
            List.of(new Param("BM", "rows of C per block", 128, 64, 128, 256),
                    new Param("BN", "columns of C per block", 128, 64, 128, 256),
                    new Param("BK", "k step (depth of the shared tiles)", 16, 8, 16, 32),
                    new Param("WM", "rows of C per warp", 64, 16, 32, 64, 128),
                    new Param("WN", "columns of C per warp", 32, 16, 32, 64, 128),
                    new Param("VW", "elements per global load; 0: 16 bytes", 0, 0, 1, 2, 4)),
            CudaTuning::warpRule, p -> p)
            .withStartingPoints("BM=128 BN=128 BK=8 WM=64 WN=64", "BM=128 BN=256 BK=16 WM=64 WN=64", "BM=64 BN=128 BK=16 WM=32 WN=64");

    public static final List<TuningSpace> SPACES = List.of(WARPTILE, VECTORIZED, BLOCKTILE);

    private CudaTuning() {
    }

    /** The load width a rule must allow: the set one, or 4 (floats) for 0. */
    static int loadWidth(TileParams p) {
        int vw = p.get("VW");
        return vw == 0 ? 4 : vw;
    }

    private static String blockRule(TileParams p, int width) {
        int bm = p.get("BM"), bn = p.get("BN"), bk = p.get("BK"), tm = p.get("TM"), tn = p.get("TN");
        if (tm > bm || tn > bn) {
            return "the per-thread tile " + tm + "×" + tn + " must divide the block " + bm + "×" + bn;
        }
        if (bm % width != 0 || bn % width != 0 || bk % width != 0) {
            return "the load width " + width + " must divide BM, BN and BK";
        }
        return common(bm, bn, bk, (bm / tm) * (bn / tn), tm * tn);
    }

    private static String warpRule(TileParams p) {
        int bm = p.get("BM"), bn = p.get("BN"), bk = p.get("BK"), wm = p.get("WM"), wn = p.get("WN"), width = loadWidth(p);
        if (wm > bm || wn > bn) {
            return "the warp tile " + wm + "×" + wn + " must divide the block " + bm + "×" + bn;
        }
        if (bm % width != 0 || bn % width != 0 || bk % width != 0) {
            return "the load width " + width + " must divide BM, BN and BK";
        }
        return common(bm, bn, bk, (bm / wm) * (bn / wn) * 32, (wm / 4) * (wn / 8));
    }

    private static String common(int bm, int bn, int bk, int threads, int accumulators) {
        if (threads < 32 || threads > MAX_THREADS) {
            return threads + " threads per block, not 32 to " + MAX_THREADS;
        }
        if (accumulators > MAX_ACCUMULATORS) {
            return accumulators + " accumulators per thread, more than " + MAX_ACCUMULATORS;
        }
        if ((long) bk * (bm + bn) * 8 > STATIC_SHARED_BYTES) {
            return "the fp64 tiles need " + bk * (bm + bn) * 8 + " bytes of shared memory, more than the " + STATIC_SHARED_BYTES
                    + " a block may declare";
        }
        return null;
    }

    /** The SN_ONLY code of a variant's module. */
    static int only(String variant) {
        switch (variant) {
            case "blocktile": return 1;
            case "vectorized": return 2;
            case "warptile": return 3;
            default: throw new IllegalArgumentException("the CUDA matmul variant '" + variant + "' has no tile parameters");
        }
    }

    static TuningSpace space(String variant) {
        for (TuningSpace s : SPACES) {
            if (s.variant.equals(variant)) {
                return s;
            }
        }
        return null;
    }

    /** Threads per block of {@code variant} under {@code p}. */
    public static int threads(String variant, TileParams p) {
        if (variant.equals("warptile")) {
            return (p.get("BM") / p.get("WM")) * (p.get("BN") / p.get("WN")) * 32;
        }
        return (p.get("BM") / p.get("TM")) * (p.get("BN") / p.get("TN"));
    }

    /** Shared memory the variant declares under {@code p}, in bytes. */
    static long sharedBytes(TileParams p, Precision precision) {
        return (long) p.get("BK") * (p.get("BM") + p.get("BN")) * precision.bytes();
    }

    /**
     * Compiles candidates with nvcc into the cache without a GPU, so that a GPU machine without nvcc
     * can tune from them: per variant and precision, its starting points, then a seeded random
     * sample, {@code perVariant} in all. Prints one line per candidate; returns how many compiled.
     */
    public static int compileCandidates(dev.scratchnet.backend.BackendOptions options, List<Precision> precisions, int perVariant,
                                        long seed, java.io.PrintWriter out) {
        dev.scratchnet.backend.KernelSource source = dev.scratchnet.backend.KernelSource.of(options);
        out.println("compiling up to " + perVariant + " candidates per variant and precision into " + CudaModules.cacheDirectory());
        int ok = 0;
        for (Precision p : precisions) {
            for (TuningSpace space : SPACES) {
                List<TileParams> order = new java.util.ArrayList<>(space.startingPoints());
                List<TileParams> rest = space.enumerate();
                java.util.Collections.shuffle(rest, new java.util.Random(seed * 31 + space.variant.hashCode() * 7L + p.ordinal()));
                for (TileParams t : rest) {
                    if (!order.contains(t) && !t.equals(space.defaults())) {
                        order.add(t);
                    }
                }
                for (TileParams t : order.subList(0, Math.min(perVariant, order.size()))) {
                    long start = System.nanoTime();
                    try {
                        java.nio.file.Path ptx = CudaModules.compileMatmul(source, defines(space.variant, p, t));
                        ok++;
                        out.printf("  %-10s %s %-40s %s (%.1f s)%n", space.variant, p, t, ptx.getFileName(), (System.nanoTime() - start) / 1e9);
                    } catch (RuntimeException e) {
                        out.printf("  %-10s %s %-40s FAILED: %s%n", space.variant, p, t, e.getMessage().split("\n")[0]);
                    }
                    out.flush();
                }
            }
        }
        return ok;
    }

    /** The nvcc defines of a candidate module: the variant, the precision and its parameters. */
    public static String defines(String variant, Precision precision, TileParams p) {
        return "-D SN_ONLY=" + only(variant) + " -D SN_ONLY_BITS=" + (precision == Precision.FP32 ? 32 : 64) + " "
                + space(variant).defines(p);
    }
}
