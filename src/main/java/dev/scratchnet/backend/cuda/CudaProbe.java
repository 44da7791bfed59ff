package dev.scratchnet.backend.cuda;

import dev.scratchnet.backend.DeviceInfo;
import dev.scratchnet.backend.Probe;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds CUDA devices through the driver API without ever throwing: no libcuda.so.1 (JCuda's
 * native library fails to link: {@link LinkageError}), no device, or a driver that will not start
 * all become the reason line of an unavailable {@link Probe}. The result is computed once, since a
 * failed JCuda class initialisation cannot be retried in the same JVM.
 *
 * <p>The libcuda.so.1 the JVM loaded may be scratchnet's emulated driver (native/cuda-emulator),
 * whose devices' names say {@value #EMULATED}. Its devices are listed with the type "EMU", never
 * as GPUs (so {@code auto} passes over them), and it is used only when asked for with
 * {@code SCRATCHNET_CUDA_DRIVER=emulated}.
 */
public final class CudaProbe {
    /** What the emulated driver's device names say. */
    public static final String EMULATED = "emulated on the CPU";
    /** The environment variable that opts in to the emulated driver. */
    public static final String DRIVER_VARIABLE = "SCRATCHNET_CUDA_DRIVER";

    private static Probe probe;

    private CudaProbe() {
    }

    public static synchronized Probe probe() {
        if (probe == null) {
            try {
                probe = run();
            } catch (LinkageError e) {
                String why = Probe.describeLinkFailure(e);
                if (why.contains("libcuda")) {
                    why += " (no NVIDIA driver on this machine)";
                }
                probe = Probe.unavailable("cuda", why);
            } catch (RuntimeException e) {
                probe = Probe.unavailable("cuda", "probing failed: " + e.getMessage());
            }
        }
        return probe;
    }

    private static Probe run() {
        JCudaDriver.setExceptionsEnabled(false);
        int err = JCudaDriver.cuInit(0);
        if (err == CUresult.CUDA_ERROR_NO_DEVICE) {
            return Probe.unavailable("cuda", "the NVIDIA driver reports no CUDA device");
        }
        if (err != CUresult.CUDA_SUCCESS) {
            return Probe.unavailable("cuda", "cuInit failed: " + CudaErrors.explain(err));
        }
        int[] count = new int[1];
        JCudaDriver.cuDeviceGetCount(count);
        if (count[0] == 0) {
            return Probe.unavailable("cuda", "the NVIDIA driver reports no CUDA device");
        }
        int[] version = new int[1];
        JCudaDriver.cuDriverGetVersion(version);
        String driver = "CUDA driver API " + version[0] / 1000 + "." + (version[0] % 1000) / 10;
        List<DeviceInfo> devices = new ArrayList<>();
        boolean emulated = false;
        for (int i = 0; i < count[0]; i++) {
            CUdevice dev = new CUdevice();
            JCudaDriver.cuDeviceGet(dev, i);
            byte[] name = new byte[256];
            JCudaDriver.cuDeviceGetName(name, name.length, dev);
            long[] mem = new long[1];
            JCudaDriver.cuDeviceTotalMem(mem, dev);
            int major = attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
            int minor = attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            int sms = attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
            String deviceName = cString(name);
            boolean emu = isEmulated(deviceName);
            emulated |= emu;
            devices.add(new DeviceInfo("cuda", i, deviceName, emu ? "EMU" : "GPU", mem[0], true,
                    "compute capability " + major + "." + minor + (major >= 8 ? " (TF32 tensor cores: --tf32)" : "") + ", " + sms
                            + " SMs, " + driver
                            + (emu ? "; scratchnet's emulated driver: kernels run on the CPU, nothing about speed" : "")));
        }
        String summary = devices.size() + " device" + (devices.size() == 1 ? "" : "s") + ", " + driver;
        if (emulated) {
            String why = emulatedRefusal(System.getenv(DRIVER_VARIABLE));
            if (why != null) {
                return Probe.unavailable("cuda", why);
            }
            summary += ", scratchnet's emulated driver (" + DRIVER_VARIABLE + "=emulated)";
        }
        return Probe.available("cuda", summary, devices);
    }

    /** Whether a device of this name is the emulated driver's. */
    public static boolean isEmulated(String deviceName) {
        return deviceName.contains(EMULATED);
    }

    /**
     * Why the emulated driver, found loaded, may not be used with this value of
     * SCRATCHNET_CUDA_DRIVER; null when it may (the value is "emulated").
     */
    static String emulatedRefusal(String setting) {
        if (setting != null && setting.trim().equalsIgnoreCase("emulated")) {
            return null;
        }
        return "the libcuda.so.1 on LD_LIBRARY_PATH is scratchnet's emulated driver (kernels on the CPU, for tests); set "
                + DRIVER_VARIABLE + "=emulated to use it, or take target/cuda-emulator off LD_LIBRARY_PATH";
    }

    static int attribute(CUdevice dev, int attribute) {
        int[] v = new int[1];
        JCudaDriver.cuDeviceGetAttribute(v, attribute, dev);
        return v[0];
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
