package dev.scratchnet.workshop;

import dev.scratchnet.data.Dataset;
import dev.scratchnet.data.StandardScaler;
import dev.scratchnet.io.ModelFile;
import dev.scratchnet.io.SavedModel;
import dev.scratchnet.nn.Loss;
import dev.scratchnet.nn.Network;
import dev.scratchnet.random.NumpyRandom;
import dev.scratchnet.report.DecisionBoundaryPlot;
import dev.scratchnet.report.LineChart;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What several recipes do the same way. */
final class RecipeSupport {
    private RecipeSupport() {
    }

    /**
     * Replays the draws of earlier notebook cells: {@code randn} of each shape, discarded, so the
     * stream is where the notebook's is when the recipe's network draws its weights.
     */
    static void drawAndDiscard(NumpyRandom rng, int[]... shapes) {
        for (int[] s : shapes) {
            rng.randn(s[0], s[1]);
        }
    }

    static void lossPlot(RecipeContext ctx, Recipe recipe, String title, List<Double> losses) {
        ctx.plot(recipe, "loss", () -> LineChart.of(title, "Epoch", "Loss", Map.of("Loss", losses), false));
    }

    static void curvesPlot(RecipeContext ctx, Recipe recipe, String name, String title, String yLabel,
                           Map<String, List<Double>> series, boolean logY) {
        ctx.plot(recipe, name, () -> LineChart.of(title, "Epoch", yLabel, new LinkedHashMap<>(series), logY));
    }

    static void boundaryPlot(RecipeContext ctx, Recipe recipe, String title, Dataset data, Network net, double margin) {
        ctx.plot(recipe, "decision-boundary",
                () -> DecisionBoundaryPlot.of(title, data.features(), data.labels(), data.classes(), net::predictLabels, margin));
    }

    /**
     * What seed 000 prints after training on XOR (predictions, actual labels, accuracy), the note
     * when it did not learn, and the loss and decision-boundary plots. Returns the accuracy.
     */
    static double reportXor(RecipeContext ctx, Recipe recipe, Network net, Dataset xor, String workingSetting,
                            String lossTitle, String boundaryTitle, List<Double> losses, int[] predictionsOut) {
        int[] predictions = net.predictLabels(xor.features());
        System.arraycopy(predictions, 0, predictionsOut, 0, predictions.length);
        double accuracy = correct(predictions, xor.labels()) / (double) xor.size();
        ctx.out.println("Predictions: " + dev.scratchnet.report.PythonFormat.array(predictions));
        ctx.out.println("Actual:      " + dev.scratchnet.report.PythonFormat.array(xor.labels()));
        ctx.out.println("Accuracy: " + PercentFormat.of(accuracy));
        noteIfNotLearned(ctx, accuracy, "XOR", workingSetting);
        lossPlot(ctx, recipe, lossTitle, losses);
        boundaryPlot(ctx, recipe, boundaryTitle, xor, net, 0.1);
        return accuracy;
    }

    /**
     * Writes the trained network to each --save file, with the recipe's loss, input normalisation
     * (null for none) and class names; {@code variant} (or null) is added to the file's name
     * where a recipe trains several networks (moons-init: FILE-small.npz, ...).
     */
    static void save(RecipeContext ctx, Recipe recipe, Network net, Loss loss, StandardScaler scaler, String[] classNames,
                     String data, String variant) {
        for (Path file : ctx.save) {
            Path target = file;
            if (variant != null) {
                String n = file.getFileName().toString();
                int dot = n.lastIndexOf('.');
                target = file.resolveSibling(n.substring(0, dot) + "-" + variant + n.substring(dot));
            }
            Map<String, String> info = new LinkedHashMap<>();
            info.put("data", data);
            info.put("recipe", recipe.name());
            info.put("notebook", recipe.notebook());
            info.put("seed", Long.toString(ctx.settings.seed()));
            ModelFile.write(target, SavedModel.of(net, loss, scaler == null ? null : scaler.mean(), scaler == null ? null : scaler.scale(),
                    classNames, info));
            ctx.out.println("wrote " + target);
        }
    }

    static int correct(int[] predicted, int[] truth) {
        int c = 0;
        for (int i = 0; i < truth.length; i++) {
            if (predicted[i] == truth[i]) {
                c++;
            }
        }
        return c;
    }

    /**
     * One line saying the network does not learn its task as run, and what does. {@code workingSetting}
     * ("--hidden 8") is known to learn it with the notebook's other settings (a test shows it), so it is
     * suggested only where it is not already in use and every other setting is the notebook's; otherwise
     * the line names the settings to drop.
     */
    static void noteIfNotLearned(RecipeContext ctx, double accuracy, String task, String workingSetting) {
        if (accuracy < 1.0) {
            ctx.out.println(notLearnedNote(ctx.settings, accuracy, task, workingSetting));
        }
    }

    static String notLearnedNote(RecipeSettings settings, double accuracy, String task, String workingSetting) {
        String option = workingSetting.split(" ", 2)[0];
        java.util.List<String> changes = settings.changes();
        boolean inUse = changes.contains(workingSetting);
        java.util.List<String> others = new java.util.ArrayList<>();
        for (String c : changes) {
            if (!c.startsWith(option + " ")) {
                others.add(c);
            }
        }
        String head = "note: " + (settings.isNotebooks() ? "as the notebook writes it, this network" : "with these settings, the network")
                + " stops at " + PercentFormat.of(accuracy) + " on " + task + "; ";
        if (others.isEmpty() && !inUse) {
            return head + workingSetting + " learns it (100%)";
        }
        if (others.isEmpty()) {
            return head + "the notebook's settings with " + workingSetting + " learn it (100%) in fp64";
        }
        return head + "the notebook's settings with " + workingSetting + " learn it (100%): drop " + String.join(" and ", others)
                + (inUse ? "" : " and add " + workingSetting);
    }

    /** Percentages as the notebooks print them: {@code f"{acc * 100:.2f}%"}. */
    static final class PercentFormat {
        private PercentFormat() {
        }

        static String of(double fraction) {
            return dev.scratchnet.report.PythonFormat.fixed(fraction * 100, 2) + "%";
        }
    }
}
