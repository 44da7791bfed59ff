package dev.scratchnet.cli;

import com.google.gson.JsonObject;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.lab.KernelBench;
import dev.scratchnet.lab.NumpyMlp;
import dev.scratchnet.profile.ChromeTrace;
import dev.scratchnet.profile.Profile;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code kernels bench --op step}: one training step of the 784-256-128-10 MLP (forward, softmax
 * cross-entropy, backward, SGD) on the backend and in NumPy ({@code baselines/numpy_mlp.py}), in two
 * interleaved rounds (ours, NumPy, ours, NumPy), each side's best median counting; with
 * {@code --profile} each op's share of the step, with {@code --trace} the profiled steps as a
 * Chrome trace.
 */
final class StepBench {
    static final int[] MLP = {784, 256, 128, 10};
    private static final int ROUNDS = 2;

    private StepBench() {
    }

    static void run(PrintWriter out, Backend be, List<Precision> ps, int batch, double minSeconds, boolean noBaseline,
                    boolean profile, Path trace) {
        NumpyMlp numpy = noBaseline ? null : new NumpyMlp();
        if (numpy != null) {
            out.printf("%nstep baseline: %s%n", numpy.describe());
        }
        for (Precision p : ps) {
            if (!be.supports(p)) {
                continue;
            }
            double ours = Double.MAX_VALUE, theirs = Double.MAX_VALUE;
            String library = null;
            for (int round = 0; round < ROUNDS; round++) {
                ours = Math.min(ours, KernelBench.trainingStep(be, p, batch, MLP, minSeconds));
                if (numpy != null && numpy.available()) {
                    try {
                        JsonObject o = numpy.step(batch, MLP, p, minSeconds);
                        theirs = Math.min(theirs, o.get("ms").getAsDouble());
                        library = o.get("library").getAsString();
                    } catch (IOException e) {
                        out.println("step baseline failed: " + e.getMessage());
                        numpy = null;
                    }
                }
            }
            out.printf("%ntraining step (%s): 784-256-128-10 ReLU/softmax MLP, batch %d, SGD: %.3f ms (median, best of %d rounds)%n",
                    p, batch, ours, ROUNDS);
            if (library != null) {
                out.printf("  %s: %.3f ms; scratchnet %s / NumPy speed: %.2f×%n", library, theirs, be.name(), theirs / ours);
            }
            if (profile || trace != null) {
                Profile prof = KernelBench.profileTrainingStep(be, p, batch, MLP, minSeconds, trace != null);
                prof.print(out, be.name() + " " + p + ", 784-256-128-10, batch " + batch);
                if (trace != null) {
                    Path file = ps.size() == 1 ? trace : suffixed(trace, p);
                    ChromeTrace.write(file, prof, "scratchnet kernels bench --op step " + be.name() + " " + p);
                    out.println("wrote " + file);
                }
            }
        }
    }

    /** trace.json → trace-fp32.json, so each precision gets its own file. */
    static Path suffixed(Path file, Precision p) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String withSuffix = dot > 0 ? name.substring(0, dot) + "-" + p + name.substring(dot) : name + "-" + p;
        return file.resolveSibling(withSuffix);
    }
}
