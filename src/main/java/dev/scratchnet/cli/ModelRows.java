package dev.scratchnet.cli;

import dev.scratchnet.data.Dataset;
import dev.scratchnet.io.SavedModel;

import java.util.Locale;

/**
 * The rows {@code predict} and {@code evaluate} run a saved model on: the --data spec (by default
 * the one the model was trained on) split as the training run split it (the model records its
 * seed, test and validation fractions), normalised with the model's own mean and scale.
 */
final class ModelRows {
    private ModelRows() {
    }

    static Dataset select(SavedModel model, String dataOption, String split) {
        String spec = dataOption != null ? dataOption : model.info.get("data");
        if (spec == null || spec.isEmpty()) {
            throw new IllegalArgumentException("the model does not say which data it was trained on: give --data SPEC");
        }
        long seed = parseLong(model.info.getOrDefault("seed", "0"), "seed");
        double test = parseDouble(model.info.getOrDefault("test_fraction", "0.2"), "test_fraction");
        double validation = parseDouble(model.info.getOrDefault("validation_fraction", "0"), "validation_fraction");
        TrainData d = TrainData.prepare(spec, seed, test, validation, null, model);
        switch (split.toLowerCase(Locale.ROOT)) {
            case "test": return d.test;
            case "train": return d.train;
            case "validation":
                if (d.validation == null) {
                    throw new IllegalArgumentException("--split validation: the model was trained without a validation set");
                }
                return d.validation;
            default:
                throw new IllegalArgumentException("--split " + split + ": expected test, train or validation");
        }
    }

    private static long parseLong(String s, String what) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the model's " + what + " '" + s + "' is not a whole number");
        }
    }

    private static double parseDouble(String s, String what) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the model's " + what + " '" + s + "' is not a number");
        }
    }
}
