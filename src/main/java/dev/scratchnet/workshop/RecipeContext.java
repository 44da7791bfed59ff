package dev.scratchnet.workshop;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.report.Plot;
import dev.scratchnet.report.PlotDirectory;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Where a recipe runs and writes: its backend, settings, printed output and plot directory. */
public final class RecipeContext {
    public final Backend backend;
    public final RecipeSettings settings;
    public final PrintWriter out;
    /** Where PNGs go, or null for none. */
    private final PlotDirectory plots;
    /** Model files to write the trained network to (--save), none when empty. */
    public final List<Path> save;

    /** @param plots the directory for PNG plots, or null for none */
    public RecipeContext(Backend backend, RecipeSettings settings, PrintWriter out, Path plots) {
        this(backend, settings, out, plots, List.of());
    }

    public RecipeContext(Backend backend, RecipeSettings settings, PrintWriter out, Path plots, List<Path> save) {
        this.backend = backend;
        this.settings = settings;
        this.out = out;
        this.save = List.copyOf(save);
        this.plots = plots == null ? null : new PlotDirectory(plots);
    }

    public Precision precision() {
        return settings.precision();
    }

    /**
     * Writes the plot {@code <recipe>-<name>.png} when plots were asked for; only then is it
     * drawn (a decision boundary classifies a whole mesh).
     */
    public void plot(Recipe recipe, String name, Supplier<Plot> plot) {
        if (plots != null) {
            plots.write(recipe.name() + "-" + name + ".png", plot.get());
        }
    }

    /** Prints which plots were written ("wrote plots to DIR: a.png, b.png"), if any. */
    public void printPlotsWritten() {
        if (plots != null) {
            plots.printSummary(out);
        }
    }

    /** The JSON fields every recipe writes first. */
    public Map<String, Object> json(Recipe recipe) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recipe", recipe.name());
        m.put("notebook", recipe.notebook());
        m.put("backend", backend.name());
        m.put("device", backend.deviceName());
        m.put("precision", settings.precision().toString());
        m.put("seed", settings.seed());
        return m;
    }
}
