package dev.scratchnet.backend.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A device pointer whose address the host can read: what {@link CudaBackend} allocates, so that it
 * can write a table of tensors' addresses for a kernel (the list-form optimizer updates).
 */
final class DevicePointer extends CUdeviceptr {
    /** The device address (cuMemAlloc's result). */
    long address() {
        return getNativePointer();
    }
}
