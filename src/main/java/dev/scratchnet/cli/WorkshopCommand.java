package dev.scratchnet.cli;

import com.google.gson.GsonBuilder;
import dev.scratchnet.io.AtomicFile;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Backends;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.workshop.Recipe;
import dev.scratchnet.workshop.RecipeContext;
import dev.scratchnet.workshop.RecipeSettings;
import dev.scratchnet.workshop.Workshop;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code scratchnet workshop NAME}: one network of one workshop notebook, reproduced. */
@Command(name = "workshop", mixinStandardHelpOptions = true,
        description = {"Run one network of the workshop notebooks, printing the numbers the notebook prints.",
                "Recipes: xor-scratch, xor-multilayer, xor-layers, moons, moons-gradcheck, moons-init, digits."},
        subcommands = {WorkshopBenchCommand.class})
final class WorkshopCommand implements Runnable {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The recipe (see --list).")
    String name;

    @Option(names = "--list", description = "List the recipes and exit.")
    boolean list;

    @Mixin
    BackendOptionsMixin backend;

    @Option(names = "--precision", defaultValue = "fp64", description = "fp32 or fp64 (default: ${DEFAULT-VALUE}, as NumPy).")
    String precision;

    @Option(names = "--seed", paramLabel = "N", description = "The notebook's np.random.seed (default: 42). The data's random_state stays the notebook's.")
    Long seed;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate (default: the notebook's).")
    Double lr;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: the notebook's).")
    Integer epochs;

    @Option(names = "--hidden", paramLabel = "W[,W]", split = ",", description = "Hidden layer widths (default: the notebook's).")
    int[] hidden;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results (losses, accuracies, predictions, ...) as JSON.")
    Path json;

    @Option(names = "--plots", paramLabel = "DIR", description = "Write PNG plots: curves, decision boundaries, gradient check, confusion matrix, sample digits.")
    Path plots;

    @Option(names = "--save", paramLabel = "FILE", description = "Write the trained network to FILE.safetensors or FILE.npz "
            + "(repeat for both; moons-init writes FILE-small, FILE-xavier and FILE-he; docs/FORMATS.md).")
    List<Path> save = new java.util.ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        if (list || name == null) {
            for (Recipe r : Workshop.RECIPES) {
                out.printf("%-16s %-46s %s%n", r.name(), r.notebook(), r.summary());
            }
            if (!list) {
                out.println();
                out.println("Run one with: scratchnet workshop NAME (the main job: scratchnet workshop digits)");
            }
            return;
        }
        Recipe recipe = Workshop.find(name);
        for (Path f : save) {
            dev.scratchnet.io.ModelFile.formatOf(f, "--save");
            dev.scratchnet.io.AtomicFile.checkWritable(f, "--save");
        }
        RecipeSettings settings = new RecipeSettings(Precision.parse(precision), seed, lr, epochs, hidden);
        if (hidden != null && hidden.length == 0) {
            throw new IllegalArgumentException("--hidden names no widths: give the recipe's widths, e.g. --hidden 8");
        }
        OutputChecks.file(json, "--json", List.of());
        OutputChecks.directory(plots, "--plots", List.of());
        Backends.Selection s = backend.selectCheckingEditedKernels(out);
        try (Backend be = s.backend) {
            RecipeContext ctx = new RecipeContext(be, settings, out, plots, save);
            Map<String, Object> result = recipe.run(ctx);
            if (json != null) {
                writeJson(json, result);
                out.println("wrote " + json);
            }
            ctx.printPlotsWritten();
        }
    }

    /** Writes {@code value} as JSON, whole or not at all ({@link AtomicFile}). */
    static void writeJson(Path file, Object value) {
        String text = new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(value) + "\n";
        AtomicFile.writeString(file, text);
    }

    static List<String> names() {
        return Workshop.RECIPES.stream().map(Recipe::name).collect(java.util.stream.Collectors.toList());
    }
}
