package dev.scratchnet.backend.opencl;

import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.cli.Main;
import dev.scratchnet.testing.TestBackends;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smaller paths of the OpenCL host code: sizes in messages as people write them, a device
 * attribute the driver does not know, the context a tensor's buffer lives in, and the probe and
 * backend where the loader finds no driver (a child JVM, with this JVM's coverage agent).
 */
class OpenClHostPathsTest {
    @Test
    void sizesInMessagesReadAsPeopleWriteThem() {
        assertEquals("100 bytes", OpenClBackend.size(100));
        assertEquals("3.0 MiB", OpenClBackend.size(3L << 20));
        assertEquals("1.5 GiB", OpenClBackend.size(3L << 29));
    }

    @Test
    void anAttributeTheDeviceDoesNotKnowReadsAsZero() {
        TestBackends.open("opencl");
        OpenClProbe.Found f = OpenClProbe.devices().get(0);
        CL.setExceptionsEnabled(false);   // as while probing (the backend turns exceptions on)
        try {
            assertEquals(0, OpenClProbe.deviceLong(f.device, 0x7fff_ffff));
        } finally {
            CL.setExceptionsEnabled(true);
        }
        assertTrue(OpenClProbe.deviceInt(f.device, CL.CL_DEVICE_MAX_COMPUTE_UNITS) >= 1);
    }

    @Test
    void aTensorsBufferLivesInTheBackendsContext() {
        OpenClBackend be = (OpenClBackend) TestBackends.open("opencl");
        try (Tensor t = be.zeros(4, 4, Precision.FP32)) {
            cl_context owner = new cl_context();
            CL.clGetMemObjectInfo(OpenClBackend.mem(t), CL.CL_MEM_CONTEXT, Sizeof.cl_context, Pointer.to(owner), null);
            assertEquals(be.context(), owner);
        }
    }

    @Test
    void withoutADriverTheProbeAndTheBackendSayWhy() throws Exception {
        TestBackends.open("opencl");   // a loader is here: the child JVM hides its drivers
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-javaagent:") || a.startsWith("--add-modules")) {
                cmd.add(a);
            }
        }
        cmd.addAll(dev.scratchnet.testing.ChildJvm.nativeAccess());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "kernels", "check", "--backend", "opencl"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OCL_ICD_VENDORS", "/nonexistent-scratchnet-vendors");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .replace("WARNING: Using incubator modules: jdk.incubator.vector\n", "");
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.startsWith("scratchnet: the opencl backend cannot run here: no OpenCL platform"), out);
        assertEquals(1, out.lines().count(), out);
    }
}
