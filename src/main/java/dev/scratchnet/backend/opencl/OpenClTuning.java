package dev.scratchnet.backend.opencl;

import dev.scratchnet.backend.tuning.TileParams;
import dev.scratchnet.backend.tuning.TuningSpace;
import dev.scratchnet.backend.tuning.TuningSpace.Param;

import java.util.List;

/**
 * The tile parameters of the OpenCL matmul kernels, exactly as the top of kernels/opencl/matmul.cl
 * lists them: {@code matmul_tiled}'s tile side, and {@code matmul_regblock}'s (which
 * {@code dense_forward} shares) block tile, k step, per-work-item tile, vector width and staging.
 */
public final class OpenClTuning {
    /** matmul_tiled: TILED_TS. */
    public static final TuningSpace TILED = new TuningSpace("tiled", "TILED_",
            List.of(new Param("TS", "tile side and work-group shape (TS x TS)", 16, 8, 16, 32)),
            p -> null, p -> p);

    /** matmul_regblock and dense_forward: RB_BM ... RB_LOCAL. */
    public static final TuningSpace REGBLOCK = new TuningSpace("regblock", "RB_",
            List.of(new Param("BM", "rows of C per work-group", 64, 8, 16, 32, 64, 128),
                    new Param("BN", "columns of C per work-group", 64, 8, 16, 32, 64, 128),
                    new Param("BK", "k step (depth of the staged tiles; LOCAL=1 only)", 16, 4, 8, 16, 32),
                    new Param("TM", "rows of C per work-item", 4, 1, 2, 4, 8, 16),
                    new Param("TN", "columns of C per work-item", 4, 1, 2, 4, 8, 16, 32),
                    new Param("VW", "vector width of a work-item's columns", 1, 1, 2, 4, 8, 16),
                    new Param("LOCAL", "1: stage tiles in local memory; 0: read global memory directly", 1, 0, 1)),
            OpenClTuning::regblockRule, OpenClTuning::regblockCanonical)
            .withStartingPoints(
                    // CPUs (PoCL): no staging, few work-items, each a wide vector tile
                    "LOCAL=0 BM=16 BN=128 TM=2 TN=32 VW=8", "LOCAL=0 BM=16 BN=64 TM=2 TN=32 VW=16", "LOCAL=0 BM=128 BN=16 TM=8 TN=8 VW=8",
                    // GPUs: bigger blocks and per-thread tiles, vector reads of the staged B tile
                    "BM=128 BN=128 BK=16 TM=8 TN=8 VW=4", "BM=64 BN=64 BK=16 TM=4 TN=4 VW=4");

    /** The work-items of one register-blocked work-group that hold accumulators: at most this many each. */
    static final int MAX_ACCUMULATORS = 256;

    private OpenClTuning() {
    }

    static String regblockRule(TileParams p) {
        int bm = p.get("BM"), bn = p.get("BN"), tm = p.get("TM"), tn = p.get("TN"), vw = p.get("VW");
        if (tm > bm) {
            return "TM=" + tm + " must divide BM=" + bm;
        }
        if (tn > bn) {
            return "TN=" + tn + " must divide BN=" + bn;
        }
        if (vw > tn) {
            return "VW=" + vw + " must divide TN=" + tn;
        }
        if (tm * tn > MAX_ACCUMULATORS) {
            return "TM×TN=" + tm * tn + " accumulators per work-item, more than " + MAX_ACCUMULATORS;
        }
        return null;
    }

    static TileParams regblockCanonical(TileParams p) {
        return p.get("LOCAL") == 0 ? p.with("BK", 16) : p;
    }

    /** Work-group shape {x, y} of matmul_regblock and dense_forward under {@code p}. */
    static int[] regblockGroup(TileParams p) {
        return new int[] {p.get("BN") / p.get("TN"), p.get("BM") / p.get("TM")};
    }

    /** Bytes of local memory the variant declares under {@code p}. */
    static long localBytes(String variant, TileParams p, int elementBytes) {
        if (variant.equals("tiled")) {
            int ts = p.get("TS");
            return 2L * ts * (ts + 1) * elementBytes;
        }
        if (p.get("LOCAL") == 0) {
            return 0;
        }
        return (long) p.get("BK") * (p.get("BM") + 1 + p.get("BN") + (p.get("VW") == 1 ? 1 : 0)) * elementBytes;
    }
}
