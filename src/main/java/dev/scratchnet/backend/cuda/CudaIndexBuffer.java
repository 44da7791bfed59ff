package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.IndexBuffer;
import jcuda.driver.CUdeviceptr;

/** Row indices in CUDA device memory. */
final class CudaIndexBuffer extends IndexBuffer {
    final CUdeviceptr ptr;
    final long capacity;

    CudaIndexBuffer(Backend backend, int length, CUdeviceptr ptr, long capacity) {
        super(backend, length);
        this.ptr = ptr;
        this.capacity = capacity;
    }
}
