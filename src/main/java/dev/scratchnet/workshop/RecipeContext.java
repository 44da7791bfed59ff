package dev.scratchnet.workshop;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Precision;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where a recipe runs and writes: its backend, settings, printed output and plot directory. */
public final class RecipeContext {
    public final Backend backend;
    public final RecipeSettings settings;
    public final PrintWriter out;
    /** Where PNGs go, or null for none. */
    public final Path plots;
    /** Model files to write the trained network to (--save), none when empty. */
    public final List<Path> save;

    public RecipeContext(Backend backend, RecipeSettings settings, PrintWriter out, Path plots) {
        this(backend, settings, out, plots, List.of());
    }

    public RecipeContext(Backend backend, RecipeSettings settings, PrintWriter out, Path plots, List<Path> save) {
        this.backend = backend;
        this.settings = settings;
        this.out = out;
        this.plots = plots;
        this.save = List.copyOf(save);
        if (plots != null) {
            try {
                Files.createDirectories(plots);
            } catch (java.io.IOException e) {
                throw new UncheckedIOException("cannot create the plots directory " + plots + ": " + e.getMessage(), e);
            }
        }
    }

    public Precision precision() {
        return settings.precision();
    }

    /** The plot file {@code <recipe>-<name>.png}, or null when no plots were asked for. */
    public Path plot(Recipe recipe, String name) {
        return plots == null ? null : plots.resolve(recipe.name() + "-" + name + ".png");
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
