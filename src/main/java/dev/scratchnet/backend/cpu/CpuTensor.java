package dev.scratchnet.backend.cpu;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;

/** A tensor in a Java array: {@code double[]} for fp64, {@code float[]} for fp32. */
final class CpuTensor extends Tensor {
    /** The fp64 storage, or null. */
    final double[] d;
    /** The fp32 storage, or null. */
    final float[] f;

    CpuTensor(Backend backend, int rows, int cols, Precision precision) {
        super(backend, rows, cols, precision, null);
        int n = rows * cols;
        this.d = precision == Precision.FP64 ? new double[n] : null;
        this.f = precision == Precision.FP32 ? new float[n] : null;
    }

    private CpuTensor(CpuTensor root, int rows) {
        super(root.backend(), rows, root.cols(), root.precision(), root);
        this.d = root.d;
        this.f = root.f;
    }

    @Override
    protected Tensor createView(int n, Tensor root) {
        return new CpuTensor((CpuTensor) root, n);
    }

    double get(int i) {
        return d != null ? d[i] : f[i];
    }

    /** Stores {@code v}, rounded to float for an fp32 tensor. */
    void set(int i, double v) {
        if (d != null) {
            d[i] = v;
        } else {
            f[i] = (float) v;
        }
    }

    boolean isDouble() {
        return d != null;
    }
}
