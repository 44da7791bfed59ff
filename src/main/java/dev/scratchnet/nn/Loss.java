package dev.scratchnet.nn;

import dev.scratchnet.backend.LossKind;

import java.util.Objects;

/** A loss function: a {@link LossKind} with the epsilon (or clipping bound) the notebook uses. */
public final class Loss {
    private final LossKind kind;
    private final double epsilon;

    private Loss(LossKind kind, double epsilon) {
        this.kind = Objects.requireNonNull(kind);
        if (!(epsilon >= 0 && epsilon < 0.5)) {
            throw new IllegalArgumentException("loss epsilon " + epsilon + ": expected 0 <= epsilon < 0.5");
        }
        this.epsilon = epsilon;
    }

    public static Loss of(LossKind kind, double epsilon) {
        return new Loss(kind, epsilon);
    }

    public static Loss of(LossKind kind) {
        return new Loss(kind, kind.defaultEpsilon());
    }

    /** Softmax + categorical cross-entropy with log(p + ε) (seeds 000 and 002 use ε = 1e-8). */
    public static Loss softmaxCrossEntropy(double epsilon) {
        return new Loss(LossKind.SOFTMAX_CROSS_ENTROPY, epsilon);
    }

    /** Sigmoid + binary cross-entropy with the output clipped to [ε, 1−ε] (seed 003: 1e-7). */
    public static Loss sigmoidBinaryCrossEntropy(double clip) {
        return new Loss(LossKind.SIGMOID_BINARY_CROSS_ENTROPY, clip);
    }

    /** Binary cross-entropy on probabilities with log(a + ε) (seed 001: 1e-15). */
    public static Loss binaryCrossEntropy(double epsilon) {
        return new Loss(LossKind.BINARY_CROSS_ENTROPY, epsilon);
    }

    public static Loss meanSquaredError() {
        return new Loss(LossKind.MEAN_SQUARED_ERROR, 0.0);
    }

    /** Parses {@code name[:epsilon]}, e.g. {@code softmax_cross_entropy:1e-8}, {@code mse}. */
    public static Loss parse(String text) {
        int colon = text.indexOf(':');
        LossKind kind = LossKind.parse(colon < 0 ? text : text.substring(0, colon));
        if (colon < 0) {
            return of(kind);
        }
        try {
            return of(kind, Double.parseDouble(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("loss '" + text + "': the epsilon after ':' is not a number");
        }
    }

    public LossKind kind() {
        return kind;
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    public String toString() {
        return kind.label() + (epsilon > 0 ? ":" + epsilon : "");
    }
}
