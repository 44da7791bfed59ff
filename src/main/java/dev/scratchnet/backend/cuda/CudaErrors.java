package dev.scratchnet.backend.cuda;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * CUDA driver result codes as one line a user can act on: the code's name, the driver's own text
 * for it (cuGetErrorString; scratchnet's emulated driver adds what it saw: the kernel, the argument,
 * the allocation), and what to do about it.
 */
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
        String text = driverText(result);
        if (text != null && !text.isBlank()) {
            name += ": " + text.strip().replace('\n', ' ');
        }
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

    /** The driver's description of {@code result}, or null when it has none (or cannot be asked). */
    static String driverText(int result) {
        try {
            String[] text = new String[1];
            return JCudaDriver.cuGetErrorString(result, text) == CUresult.CUDA_SUCCESS ? text[0] : null;
        } catch (LinkageError e) {
            return null;
        }
    }
}
