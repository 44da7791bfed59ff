package dev.scratchnet.backend;

import dev.scratchnet.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backend selection and probing: never a crash, always a reason. */
class BackendsTest {

    @Test
    void probingNeverThrowsAndAlwaysGivesAReason() {
        for (String name : Backends.NAMES) {
            Probe p = Backends.probe(name);
            assertNotNull(p.reason);
            assertTrue(!p.reason.isBlank(), name);
            assertTrue(!p.reason.contains("\n"), "one line: " + p.reason);
            if (!p.available) {
                assertTrue(p.devices.isEmpty());
            }
        }
        assertTrue(Backends.probe("cpu").available);
    }

    @Test
    void autoExplainsWhatItChoseAndWhatItPassedOver() {
        Backends.Selection s = Backends.select("auto", BackendOptions.defaults());
        try (Backend b = s.backend) {
            assertTrue(s.explanation.startsWith("backend: " + b.name() + " ("), s.explanation);
            if (b instanceof CpuBackend) {
                assertTrue(s.explanation.contains("passed over cuda ("), s.explanation);
                assertTrue(s.explanation.contains("opencl ("), s.explanation);
            }
            assertTrue(!s.explanation.contains("\n"), s.explanation);
        }
    }

    @Test
    void aMissingNativeLibraryBecomesItsName() {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file: No such file or directory\n"
                + "\tat java.base/jdk.internal.loader.NativeLibraries.load(Native Method)");
        assertEquals("no libcuda.so.1", Probe.describeLinkFailure(e));
    }

    @Test
    void cudaWithoutADriverIsUnavailableWithTheReason() {
        Probe p = Backends.probe("cuda");
        if (!p.available) {
            assertTrue(p.reason.startsWith("no libcuda.so.1") || p.reason.contains("no CUDA device")
                    || p.reason.startsWith("cuInit failed"), p.reason);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Backends.create("cuda", BackendOptions.defaults()));
            assertEquals("the cuda backend cannot run here: " + p.reason, e.getMessage());
        }
    }

    @Test
    void anExplicitDeviceNumberWinsOverTheEnvironment() {
        BackendOptions o = new BackendOptions(null, 3);
        assertEquals(3, o.deviceFor("opencl"));
    }

    @Test
    void aClosedTensorCannotBeUsedAndBytesAreAccounted() {
        try (CpuBackend be = new CpuBackend()) {
            Tensor t = be.zeros(10, 10, Precision.FP32);
            assertEquals(400, be.bytesInUse());
            Tensor view = t.topRows(3);
            assertEquals(3, view.rows());
            view.close();
            assertEquals(400, be.bytesInUse(), "closing a view frees nothing");
            t.close();
            assertEquals(0, be.bytesInUse());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> be.fill(view, 1));
            assertEquals("fill: the 3×10 tensor is closed", e.getMessage());
            try (CpuBackend other = new CpuBackend(); Tensor x = other.zeros(1, 1, Precision.FP64)) {
                IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> be.fill(x, 1));
                assertEquals("fill: the tensor belongs to another cpu backend instance", e2.getMessage());
            }
        }
    }
}
