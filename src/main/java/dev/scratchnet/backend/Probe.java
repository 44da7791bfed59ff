package dev.scratchnet.backend;

import java.util.List;

/** What probing one backend found: whether it can run here, why not, and its devices. */
public final class Probe {
    public final String backend;
    public final boolean available;
    /** Why the backend cannot run, or what it will run on; one line. */
    public final String reason;
    public final List<DeviceInfo> devices;

    private Probe(String backend, boolean available, String reason, List<DeviceInfo> devices) {
        this.backend = backend;
        this.available = available;
        this.reason = reason;
        this.devices = List.copyOf(devices);
    }

    public static Probe available(String backend, String summary, List<DeviceInfo> devices) {
        return new Probe(backend, true, summary, devices);
    }

    public static Probe unavailable(String backend, String reason) {
        return new Probe(backend, false, reason, List.of());
    }

    public boolean hasGpu() {
        return devices.stream().anyMatch(DeviceInfo::isGpu);
    }

    /**
     * The useful line of a native-library failure. JOCL and JCuda report a missing library as an
     * {@link UnsatisfiedLinkError} whose message holds nested stack traces; the line that names the
     * missing shared object is the one a user needs.
     */
    public static String describeLinkFailure(Throwable t) {
        String msg = String.valueOf(t.getMessage());
        for (String line : msg.split("\n")) {
            int i = line.indexOf("cannot open shared object file");
            if (i >= 0) {
                String head = line.substring(0, i);
                int colon = head.lastIndexOf(": ", head.length() - 3);
                String lib = colon >= 0 ? head.substring(colon + 2, head.length() - 2) : head;
                return "no " + lib.trim();
            }
        }
        String first = msg.split("\n")[0];
        return t.getClass().getSimpleName() + ": " + first;
    }
}
