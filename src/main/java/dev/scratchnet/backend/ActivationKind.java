package dev.scratchnet.backend;

import java.util.Locale;

/**
 * The activation functions every backend implements. The code is the value the kernels receive
 * (see kernels/KERNELS.md). Derivatives are taken from the activation's output {@code a}, which
 * every function here allows: sigmoid a(1−a), tanh 1−a², ReLU [a&gt;0], leaky ReLU [a&gt;0] or slope.
 * Softmax is row-wise, not element-wise: the backends route it to their softmax ops.
 */
public enum ActivationKind {
    IDENTITY(0, "identity"),
    SIGMOID(1, "sigmoid"),
    RELU(2, "relu"),
    TANH(3, "tanh"),
    LEAKY_RELU(4, "leaky_relu"),
    SOFTMAX(5, "softmax");

    private final int code;
    private final String label;

    ActivationKind(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** The integer the kernels receive as their {@code act} argument. */
    public int code() {
        return code;
    }

    public String label() {
        return label;
    }

    /** True for every function applied to each element on its own (all but softmax). */
    public boolean elementwise() {
        return this != SOFTMAX;
    }

    /** Parses a name such as {@code relu}, {@code leaky_relu} or {@code leaky-relu}. */
    public static ActivationKind parse(String text) {
        String key = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (ActivationKind kind : values()) {
            if (kind.label.equals(key)) {
                return kind;
            }
        }
        if (key.equals("linear") || key.equals("none")) {
            return IDENTITY;
        }
        if (key.equals("leakyrelu")) {
            return LEAKY_RELU;
        }
        throw new IllegalArgumentException("unknown activation '" + text
                + "': expected identity, sigmoid, relu, tanh, leaky_relu or softmax");
    }

    /** f(z) in double precision: the definition the kernels follow. */
    public double apply(double z, double param) {
        switch (this) {
            case IDENTITY: return z;
            case SIGMOID: return 1.0 / (1.0 + Math.exp(-z));
            case RELU: return z > 0 ? z : 0.0;
            case TANH: return Math.tanh(z);
            case LEAKY_RELU: return z > 0 ? z : param * z;
            default: throw new IllegalStateException(label + " is not element-wise");
        }
    }

    /** f'(z) expressed through the output a = f(z). */
    public double derivativeFromOutput(double a, double param) {
        switch (this) {
            case IDENTITY: return 1.0;
            case SIGMOID: return a * (1.0 - a);
            case RELU: return a > 0 ? 1.0 : 0.0;
            case TANH: return 1.0 - a * a;
            case LEAKY_RELU: return a > 0 ? 1.0 : param;
            default: throw new IllegalStateException(label + " is not element-wise");
        }
    }
}
