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
 * NumPy code in the same run. The first run of a recipe in a fresh JVM pays for JIT compilation;
 * the figure that counts is the best of the later runs, and both are printed.
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
        Map<String, double[]> ours = new LinkedHashMap<>();
        try (Backend be = s.backend) {
            BackendOptionsMixin.refuseTimingsOnEmulation(be, "workshop bench");
            RecipeSettings settings = new RecipeSettings(Precision.parse(precision), null, null, null, null);
            for (String name : names) {
                Recipe r = Workshop.find(name);
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
                ours.put(name, new double[] {first, runs > 1 ? best : first});
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
        out.printf("%n%-16s %14s %14s %14s %10s%n", "recipe", "first run ms", "best run ms", "NumPy ms", "speed-up");
        for (Map.Entry<String, double[]> e : ours.entrySet()) {
            Double np = theirs.get(e.getKey());
            out.printf("%-16s %14.2f %14.2f %14s %10s%n", e.getKey(), e.getValue()[0] * 1e3, e.getValue()[1] * 1e3,
                    np == null ? "-" : String.format("%.2f", np * 1e3),
                    np == null ? "-" : String.format("%.1f×", np / e.getValue()[1]));
        }
    }
}
