package dev.scratchnet.nn;

import dev.scratchnet.backend.ActivationKind;

import java.util.Objects;

/**
 * A layer's activation function: a kind and, for leaky ReLU, its slope. Seed 001's
 * {@code Activation}, {@code ReLU} and {@code Sigmoid} classes map onto {@link #relu()} and
 * {@link #sigmoid()}.
 */
public final class Activation {
    private final ActivationKind kind;
    private final double param;

    private Activation(ActivationKind kind, double param) {
        this.kind = Objects.requireNonNull(kind);
        this.param = param;
    }

    public static Activation of(ActivationKind kind) {
        return new Activation(kind, kind == ActivationKind.LEAKY_RELU ? 0.01 : 0.0);
    }

    public static Activation identity() {
        return of(ActivationKind.IDENTITY);
    }

    public static Activation sigmoid() {
        return of(ActivationKind.SIGMOID);
    }

    public static Activation relu() {
        return of(ActivationKind.RELU);
    }

    public static Activation tanh() {
        return of(ActivationKind.TANH);
    }

    public static Activation softmax() {
        return of(ActivationKind.SOFTMAX);
    }

    public static Activation leakyRelu(double slope) {
        if (!(slope >= 0 && slope < 1)) {
            throw new IllegalArgumentException("leaky ReLU slope " + slope + ": expected 0 <= slope < 1");
        }
        return new Activation(ActivationKind.LEAKY_RELU, slope);
    }

    /** Parses {@code relu}, {@code sigmoid}, {@code tanh}, {@code identity}, {@code softmax}, {@code leaky_relu[:slope]}. */
    public static Activation parse(String text) {
        int colon = text.indexOf(':');
        ActivationKind kind = ActivationKind.parse(colon < 0 ? text : text.substring(0, colon));
        if (colon < 0) {
            return of(kind);
        }
        if (kind != ActivationKind.LEAKY_RELU) {
            throw new IllegalArgumentException("activation '" + text + "': only leaky_relu takes a parameter");
        }
        try {
            return leakyRelu(Double.parseDouble(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("activation '" + text + "': the slope after ':' is not a number");
        }
    }

    public ActivationKind kind() {
        return kind;
    }

    public double param() {
        return param;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Activation && ((Activation) o).kind == kind && ((Activation) o).param == param;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Double.hashCode(param);
    }

    @Override
    public String toString() {
        return kind == ActivationKind.LEAKY_RELU ? kind.label() + ":" + param : kind.label();
    }
}
