package dev.scratchnet.backend.opencl;

import dev.scratchnet.backend.DeviceInfo;
import dev.scratchnet.backend.NativeLibrary;
import dev.scratchnet.backend.Probe;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds OpenCL platforms and devices without ever throwing. The loader (libOpenCL.so.1) is looked
 * for first ({@link NativeLibrary}), before JOCL is touched: JOCL reports a missing loader by
 * writing to standard output from native code. A loader with no driver shows up as
 * {@code CL_PLATFORM_NOT_FOUND_KHR}; each becomes the reason line of an unavailable {@link Probe}.
 * The result is computed once.
 */
public final class OpenClProbe {
    /** A device together with the handles needed to open it. */
    static final class Found {
        final DeviceInfo info;
        final cl_platform_id platform;
        final cl_device_id device;

        Found(DeviceInfo info, cl_platform_id platform, cl_device_id device) {
            this.info = info;
            this.platform = platform;
            this.device = device;
        }
    }

    /** The packages that provide a loader and a CPU driver, as the reason lines name them. */
    public static final String INSTALL_HINT = "install ocl-icd-libopencl1 and pocl-opencl-icd, or a GPU vendor's OpenCL driver";

    private static Probe probe;
    private static List<Found> found = List.of();

    private OpenClProbe() {
    }

    public static synchronized Probe probe() {
        if (probe == null) {
            NativeLibrary.Lookup loader = NativeLibrary.searchable() ? NativeLibrary.find("libOpenCL.so.1") : null;
            try {
                probe = loader != null && !loader.usable()
                        ? Probe.unavailable("opencl", loader.reason() + " (" + INSTALL_HINT + ")")
                        : run();
            } catch (LinkageError e) {
                probe = Probe.unavailable("opencl", Probe.describeLinkFailure(e) + " (" + INSTALL_HINT + ")");
            } catch (RuntimeException e) {
                probe = Probe.unavailable("opencl", "probing failed: " + e.getMessage());
            }
        }
        return probe;
    }

    static synchronized List<Found> devices() {
        probe();
        return found;
    }

    private static Probe run() {
        CL.setExceptionsEnabled(false);
        int[] count = new int[1];
        int err = CL.clGetPlatformIDs(0, null, count);
        if (err == CL.CL_PLATFORM_NOT_FOUND_KHR || (err == CL.CL_SUCCESS && count[0] == 0)) {
            return Probe.unavailable("opencl", "no OpenCL platform (the loader found no driver: install one, e.g. pocl-opencl-icd, or the GPU vendor's)");
        }
        if (err != CL.CL_SUCCESS) {
            return Probe.unavailable("opencl", "clGetPlatformIDs failed: " + CL.stringFor_errorCode(err));
        }
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        CL.clGetPlatformIDs(platforms.length, platforms, null);
        List<Found> list = new ArrayList<>();
        for (cl_platform_id platform : platforms) {
            String platformName = platformString(platform, CL.CL_PLATFORM_NAME);
            int[] n = new int[1];
            if (CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, 0, null, n) != CL.CL_SUCCESS || n[0] == 0) {
                continue;
            }
            cl_device_id[] devs = new cl_device_id[n[0]];
            CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, devs.length, devs, null);
            for (cl_device_id d : devs) {
                long type = deviceLong(d, CL.CL_DEVICE_TYPE);
                String typeName = (type & CL.CL_DEVICE_TYPE_GPU) != 0 ? "GPU"
                        : (type & CL.CL_DEVICE_TYPE_CPU) != 0 ? "CPU" : "ACCELERATOR";
                String extensions = deviceString(d, CL.CL_DEVICE_EXTENSIONS);
                boolean fp64 = extensions.contains("cl_khr_fp64") || deviceLong(d, CL.CL_DEVICE_DOUBLE_FP_CONFIG) != 0;
                String details = platformName + ", " + deviceString(d, CL.CL_DEVICE_VERSION).trim()
                        + ", driver " + deviceString(d, CL.CL_DRIVER_VERSION).trim()
                        + ", " + deviceInt(d, CL.CL_DEVICE_MAX_COMPUTE_UNITS) + " compute units"
                        + ", max allocation " + (deviceLong(d, CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE) >> 20) + " MiB";
                DeviceInfo info = new DeviceInfo("opencl", list.size(), deviceString(d, CL.CL_DEVICE_NAME).trim(), typeName,
                        deviceLong(d, CL.CL_DEVICE_GLOBAL_MEM_SIZE), fp64, details);
                list.add(new Found(info, platform, d));
            }
        }
        found = List.copyOf(list);
        if (list.isEmpty()) {
            return Probe.unavailable("opencl", "OpenCL platforms found, but no devices");
        }
        List<DeviceInfo> infos = new ArrayList<>();
        for (Found f : list) {
            infos.add(f.info);
        }
        return Probe.available("opencl", list.size() + " device" + (list.size() == 1 ? "" : "s"), infos);
    }

    static String platformString(cl_platform_id platform, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(platform, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        CL.clGetPlatformInfo(platform, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    static String deviceString(cl_device_id device, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(device, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        CL.clGetDeviceInfo(device, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    static long deviceLong(cl_device_id device, int param) {
        long[] size = new long[1];
        if (CL.clGetDeviceInfo(device, param, 0, null, size) != CL.CL_SUCCESS) {
            return 0;
        }
        ByteBuffer buf = ByteBuffer.allocate((int) Math.max(size[0], 8)).order(ByteOrder.nativeOrder());
        CL.clGetDeviceInfo(device, param, size[0], Pointer.to(buf), null);
        return size[0] >= Sizeof.cl_long ? buf.getLong(0) : buf.getInt(0) & 0xffffffffL;
    }

    /** A size_t[] device property (e.g. CL_DEVICE_MAX_WORK_ITEM_SIZES); empty if the query fails. */
    static long[] deviceSizes(cl_device_id device, int param) {
        long[] size = new long[1];
        if (CL.clGetDeviceInfo(device, param, 0, null, size) != CL.CL_SUCCESS || size[0] == 0) {
            return new long[0];
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size[0]).order(ByteOrder.nativeOrder());
        CL.clGetDeviceInfo(device, param, size[0], Pointer.to(buf), null);
        long[] out = new long[(int) (size[0] / Sizeof.size_t)];
        for (int i = 0; i < out.length; i++) {
            out[i] = Sizeof.size_t == 8 ? buf.getLong(i * 8) : buf.getInt(i * 4) & 0xffffffffL;
        }
        return out;
    }

    static int deviceInt(cl_device_id device, int param) {
        return (int) deviceLong(device, param);
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
