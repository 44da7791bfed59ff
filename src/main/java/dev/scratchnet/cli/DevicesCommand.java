package dev.scratchnet.cli;

import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.DeviceInfo;
import dev.scratchnet.backend.Probe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;

/** {@code scratchnet devices}: every backend, available or not and why, and each device found. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List every backend, whether it can run here (and why not), and its devices.")
final class DevicesCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        String requested = Backends.requestedName(null);   // refuses a SCRATCHNET_BACKEND that names no backend
        List<Probe> probes = Backends.probeAll();
        for (Probe p : probes) {
            out.printf("%-7s %-12s %s%n", p.backend, p.available ? "available" : "unavailable", p.reason);
            for (DeviceInfo d : p.devices) {
                out.println("    " + d);
                if (d.backend.equals("opencl")) {
                    dev.scratchnet.backend.opencl.OpenClBackend.describeTuning(d.index, dev.scratchnet.backend.BackendOptions.defaults())
                            .forEach(line -> out.println("        " + line));
                } else if (d.backend.equals("cuda")) {
                    dev.scratchnet.backend.cuda.CudaBackend.describeTuning(d.name, dev.scratchnet.backend.BackendOptions.defaults())
                            .forEach(line -> out.println("        " + line));
                }
            }
        }
        out.println("auto chooses: " + autoChoice(probes));
        if (!requested.equals("auto")) {
            out.println("SCRATCHNET_BACKEND=" + requested + ": commands use the " + requested + " backend unless --backend says otherwise");
        }
    }

    /** What {@code --backend auto} would pick, from the probes alone. */
    static String autoChoice(List<Probe> probes) {
        for (Probe p : probes) {
            if (p.backend.equals("cuda") && p.available && p.hasGpu()) {
                return "cuda";
            }
        }
        for (Probe p : probes) {
            if (p.backend.equals("opencl") && p.available && p.hasGpu()) {
                return "opencl (GPU)";
            }
        }
        return "cpu";
    }
}
