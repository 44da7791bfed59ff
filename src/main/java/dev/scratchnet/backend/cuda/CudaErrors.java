package dev.scratchnet.backend.cuda;

import jcuda.driver.CUresult;

/** CUDA driver result codes as one line a user can act on. */
final class CudaErrors {
    private CudaErrors() {
    }

    /** Throws with {@code what} and the cause when {@code result} is not CUDA_SUCCESS. */
    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException(what + " failed: " + explain(result));
        }
    }

    static String explain(int result) {
        String name = CUresult.stringFor(result);
        switch (result) {
            case CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION:
                return name + " (the driver is older than the PTX: nvcc 13 writes PTX 9.0, which needs a driver of CUDA 13"
                        + " or newer; update the driver, or rebuild the kernels with the nvcc of your driver's CUDA version)";
            case CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU:
                return name + " (the kernels were built for other GPUs: the fatbin holds sm_80 and sm_90 and PTX for"
                        + " compute_75 and up; older GPUs are not supported)";
            case CUresult.CUDA_ERROR_OUT_OF_MEMORY:
                return name + " (the GPU's memory is full: use smaller batches, or free other processes' memory)";
            case CUresult.CUDA_ERROR_ILLEGAL_ADDRESS:
                return name + " (a kernel read or wrote outside its memory; the context cannot be used any more)";
            case CUresult.CUDA_ERROR_LAUNCH_FAILED:
                return name + " (a kernel failed while running; the context cannot be used any more)";
            default:
                return name;
        }
    }
}
