package dev.scratchnet.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.lab.NotebookBaseline;
import dev.scratchnet.workshop.Recipe;
import dev.scratchnet.workshop.RecipeContext;
import dev.scratchnet.workshop.RecipeSettings;
import dev.scratchnet.workshop.Workshop;
import dev.scratchnet.profile.Profile;
import dev.scratchnet.profile.ProfilingBackend;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code scratchnet workshop bench}: each recipe's training loop timed beside the notebook's own
 * NumPy code in the same run: once in a fresh JVM (a child process started as this one was, so a
 * user's first run, JIT compilation and all), then several times in this JVM (the best of which
 * is the warm figure).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time each recipe's training loop beside the notebook's NumPy code (python3-numpy, python3-sklearn).")
final class WorkshopBenchCommand implements Runnable {
    @Mixin
    BackendOptionsMixin backend;

    @Option(names = "--precision", defaultValue = "fp64", description = "fp32 or fp64 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--recipes", split = ",", description = "Only these recipes (default: all).")
    List<String> recipes;

    @Option(names = "--runs", defaultValue = "5", description = "Runs of each recipe in this JVM (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--no-fresh-jvm", description = "Skip each recipe's first run in a fresh JVM (a child process, as a user's first run).")
    boolean noFreshJvm;

    @Option(names = "--profile", description = "After the timed runs, run each recipe once more with every op timed, and print each op's share "
            + "of an epoch (device events on OpenCL and CUDA, the wall clock per op on the CPU).")
    boolean profile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        if (runs < 1) {
            throw new IllegalArgumentException("--runs " + runs + ": must be at least 1");
        }
        List<String> names = recipes == null ? WorkshopCommand.names() : recipes;
        names.forEach(Workshop::find);
        Backends.Selection s = backend.select(out);
        String backendName = s.backend.name();
        Map<String, double[]> ours = new LinkedHashMap<>();
        Map<String, Profile> profiles = new LinkedHashMap<>();
        try (Backend be = s.backend) {
            BackendOptionsMixin.refuseTimingsOnEmulation(be, "workshop bench");
            RecipeSettings settings = new RecipeSettings(Precision.parse(precision), null, null, null, null);
            for (String name : names) {
                Recipe r = Workshop.find(name);
                double fresh = noFreshJvm ? Double.NaN : FreshJvm.trainSeconds(name, be.name(), precision);
                double first = 0, best = Double.MAX_VALUE;
                for (int i = 0; i < runs; i++) {
                    PrintWriter quiet = new PrintWriter(new StringWriter());
                    double t = ((Number) r.run(new RecipeContext(be, settings, quiet, null)).get("train_seconds")).doubleValue();
                    if (i == 0) {
                        first = t;
                    } else {
                        best = Math.min(best, t);
                    }
                }
                ours.put(name, new double[] {fresh, first, runs > 1 ? best : first});
                if (profile) {
                    profiles.put(name, profiledRun(r, be, settings));
                }
            }
        }
        NotebookBaseline numpy = new NotebookBaseline();
        out.println("baseline: " + numpy.describe());
        Map<String, Double> theirs = new LinkedHashMap<>();
        if (numpy.available()) {
            try {
                for (String line : numpy.run(names)) {
                    JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                    theirs.put(o.get("recipe").getAsString(), o.get("train_seconds").getAsDouble());
                }
            } catch (java.io.IOException e) {
                out.println("baseline failed: " + e.getMessage());
            }
        }
        out.printf("%n%-16s %14s %14s %14s %14s %12s %12s%n", "recipe", "fresh JVM ms", "first run ms", "best run ms", "NumPy ms",
                "fresh/NumPy", "best/NumPy");
        for (Map.Entry<String, double[]> e : ours.entrySet()) {
            Double np = theirs.get(e.getKey());
            double[] v = e.getValue();
            out.printf("%-16s %14s %14.2f %14.2f %14s %12s %12s%n", e.getKey(), Double.isNaN(v[0]) ? "-" : String.format("%.2f", v[0] * 1e3),
                    v[1] * 1e3, v[2] * 1e3, np == null ? "-" : String.format("%.2f", np * 1e3),
                    np == null || Double.isNaN(v[0]) ? "-" : String.format("%.1f×", np / v[0]),
                    np == null ? "-" : String.format("%.1f×", np / v[2]));
        }
        out.println("(training-loop times, as the notebooks' NumPy code is timed; fresh JVM: the recipe's only run in a new JVM;"
                + " first and best: of " + runs + " runs in this one; speed-up: NumPy's time / ours)");
        for (Map.Entry<String, Profile> e : profiles.entrySet()) {
            Profile prof = e.getValue();
            prof.print(out, "workshop " + e.getKey() + " on " + backendName + " " + precision
                    + ", one run after the timed ones; a step is one epoch of one network");
            out.printf("  unprofiled, the best run's training loop took %.3f ms a step; the wall clock above also holds the"
                    + " profiler's own cost (timing and naming every op) and the recipe's work outside its training loop%n",
                    1e3 * ours.get(e.getKey())[2] / Math.max(1, prof.steps()));
        }
    }

    /**
     * One more run of {@code recipe}, every op timed; its steps are the epochs of every network the
     * recipe trains (moons-init trains three), one when it trains none (the gradient check).
     */
    private static Profile profiledRun(Recipe recipe, Backend be, RecipeSettings settings) {
        Profile prof = new Profile(false);
        Map<String, Object> result = recipe.run(new RecipeContext(new ProfilingBackend(be, prof), settings,
                new PrintWriter(new StringWriter()), null));
        prof.stop();
        Object epochs = result.get("epochs");
        Object variants = result.get("variants");
        long networks = variants instanceof List ? ((List<?>) variants).size() : 1;
        prof.addSteps(epochs instanceof Number ? ((Number) epochs).longValue() * networks : 1);
        return prof;
    }
}
