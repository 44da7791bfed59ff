package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.BackendOptions;
import dev.scratchnet.backend.KernelSource;
import dev.scratchnet.testing.TestBackends;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the tests of scratchnet's emulated CUDA driver share: the check that it is the driver this
 * JVM loaded, its second (64 MiB) device, whose primary context a test may break and release
 * without touching the context the other CUDA tests share on device 0, and the module images.
 */
final class EmulatedCuda {
    /** The small device Maven's test run configures (SCRATCHNET_CUDA_EMULATOR_DEVICES=4096,64). */
    static final int SMALL = 1;
    static final long SMALL_BYTES = 64L << 20;

    private EmulatedCuda() {
    }

    /**
     * Skips unless the loaded libcuda.so.1 is the emulated driver (on a GPU these tests do not
     * apply); fails instead where CUDA is required and the emulated driver lacks its second device.
     */
    static void require() {
        Backend shared = TestBackends.open("cuda");
        assumeTrue(((CudaBackend) shared).emulated(), "the loaded libcuda.so.1 is NVIDIA's (" + shared.deviceName()
                + "): the emulated driver's own tests do not apply");
        int[] count = new int[1];
        JCudaDriver.cuDeviceGetCount(count);
        String why = "the emulated driver has " + count[0] + " device(s); its tests need a second one"
                + " (Maven's test run sets SCRATCHNET_CUDA_EMULATOR_DEVICES=4096,64)";
        if (TestBackends.required("cuda")) {
            assertTrue(count[0] >= 2, why);
        }
        assumeTrue(count[0] >= 2, why);
    }

    /** The primary context of the small device, retained and current until {@link #close}. */
    static final class Context implements AutoCloseable {
        final CUdevice device = new CUdevice();
        final CUcontext context = new CUcontext();
        private final CUcontext previous = new CUcontext();
        private boolean open = true;

        Context() {
            JCudaDriver.setExceptionsEnabled(false);
            ok(JCudaDriver.cuCtxGetCurrent(previous));
            ok(JCudaDriver.cuDeviceGet(device, SMALL));
            ok(JCudaDriver.cuDevicePrimaryCtxRetain(context, device));
            ok(JCudaDriver.cuCtxSetCurrent(context));
        }

        /** Releases the primary context (destroying it and all in it) and makes the earlier context current again. */
        @Override
        public void close() {
            if (open) {
                open = false;
                JCudaDriver.cuDevicePrimaryCtxRelease(device);
                JCudaDriver.cuCtxSetCurrent(previous);
            }
        }
    }

    static void ok(int result) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new AssertionError(CUresult.stringFor(result) + ": " + text(result));
        }
    }

    /** The driver's text for a result code: NVIDIA's description, then what the emulation saw. */
    static String text(int result) {
        String[] s = new String[1];
        JCudaDriver.cuGetErrorString(result, s);
        return s[0];
    }

    /** The image of a module as the backend loads it from the jar: nvcc's fatbin, else its PTX, else the .emu stand-in. */
    static byte[] image(String module) {
        KernelSource source = KernelSource.of(BackendOptions.defaults());
        for (String kind : new String[] {".fatbin", ".ptx", ".emu"}) {
            byte[] b = source.readBytesOrNull("cuda/" + module + kind);
            if (b != null) {
                return kind.equals(".fatbin") ? b : CudaModules.nulTerminated(b);
            }
        }
        throw new AssertionError("no image of " + module + " in the build");
    }

    /** The kinds of image the build produced for a module. */
    static List<String> kinds(String module) {
        KernelSource source = KernelSource.of(BackendOptions.defaults());
        List<String> out = new ArrayList<>();
        for (String kind : new String[] {"fatbin", "ptx", "emu"}) {
            if (source.readBytesOrNull("cuda/" + module + "." + kind) != null) {
                out.add(kind);
            }
        }
        return out;
    }
}
