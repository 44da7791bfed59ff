package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import jcuda.driver.CUdeviceptr;

/** A tensor in CUDA device memory; a view of the first rows shares its owner's pointer. */
final class CudaTensor extends Tensor {
    final CUdeviceptr ptr;
    /** The size of the block the memory pool handed out (at least the tensor's bytes). */
    final long capacity;

    CudaTensor(Backend backend, int rows, int cols, Precision precision, CUdeviceptr ptr, long capacity) {
        super(backend, rows, cols, precision, null);
        this.ptr = ptr;
        this.capacity = capacity;
    }

    private CudaTensor(CudaTensor root, int rows) {
        super(root.backend(), rows, root.cols(), root.precision(), root);
        this.ptr = root.ptr;
        this.capacity = root.capacity;
    }

    @Override
    protected Tensor createView(int n, Tensor root) {
        return new CudaTensor((CudaTensor) root, n);
    }
}
