package dev.scratchnet.workshop;

import dev.scratchnet.backend.Precision;

import java.util.Arrays;

/**
 * What a user may change about a recipe: precision, the notebook's {@code np.random.seed}, the
 * learning rate, the epochs and the hidden layer widths. Unset values take the notebook's.
 */
public final class RecipeSettings {
    public static final long NOTEBOOK_SEED = 42;

    private final Precision precision;
    private final long seed;
    private final Double learningRate;
    private final Integer epochs;
    private final int[] hidden;

    public RecipeSettings(Precision precision, Long seed, Double learningRate, Integer epochs, int[] hidden) {
        this.precision = precision == null ? Precision.FP64 : precision;
        this.seed = seed == null ? NOTEBOOK_SEED : seed;
        if (this.seed < 0 || this.seed > 0xffffffffL) {
            throw new IllegalArgumentException("--seed " + this.seed + ": must be between 0 and 2**32 - 1, as NumPy requires");
        }
        if (learningRate != null && !(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("--lr " + learningRate + ": must be a positive number");
        }
        if (epochs != null && epochs < 1) {
            throw new IllegalArgumentException("--epochs " + epochs + ": must be at least 1");
        }
        if (hidden != null) {
            for (int h : hidden) {
                if (h < 1) {
                    throw new IllegalArgumentException("--hidden " + Arrays.toString(hidden) + ": every layer needs at least one unit");
                }
            }
        }
        this.learningRate = learningRate;
        this.epochs = epochs;
        this.hidden = hidden == null ? null : hidden.clone();
    }

    /** The notebook's settings in fp64. */
    public static RecipeSettings notebook() {
        return new RecipeSettings(Precision.FP64, null, null, null, null);
    }

    public Precision precision() {
        return precision;
    }

    public long seed() {
        return seed;
    }

    public double learningRate(double notebookValue) {
        return learningRate == null ? notebookValue : learningRate;
    }

    public int epochs(int notebookValue) {
        return epochs == null ? notebookValue : epochs;
    }

    /** The hidden widths, which must number as many as the notebook's. */
    public int[] hidden(int... notebookValue) {
        if (hidden == null) {
            return notebookValue;
        }
        if (hidden.length != notebookValue.length) {
            throw new IllegalArgumentException("--hidden takes " + notebookValue.length + " width"
                    + (notebookValue.length == 1 ? "" : "s") + " for this recipe (the notebook's are "
                    + Arrays.toString(notebookValue) + "), got " + hidden.length);
        }
        return hidden.clone();
    }

    /**
     * The settings that differ from the notebook's, as a user types them ("--seed 1", "--lr 1000000.0",
     * "--epochs 5", "--hidden 8,4"); precision is not among them.
     */
    public java.util.List<String> changes() {
        java.util.List<String> c = new java.util.ArrayList<>();
        if (seed != NOTEBOOK_SEED) {
            c.add("--seed " + seed);
        }
        if (learningRate != null) {
            c.add("--lr " + learningRate);
        }
        if (epochs != null) {
            c.add("--epochs " + epochs);
        }
        if (hidden != null) {
            c.add("--hidden " + java.util.Arrays.stream(hidden).mapToObj(Integer::toString)
                    .collect(java.util.stream.Collectors.joining(",")));
        }
        return c;
    }

    /** True when every setting is the notebook's own. */
    public boolean isNotebooks() {
        return seed == NOTEBOOK_SEED && learningRate == null && epochs == null && hidden == null;
    }
}
