package dev.scratchnet.backend;

import java.util.Locale;

/**
 * The loss-and-gradient ops. Each one computes, for a batch of outputs and targets, one loss value
 * per row and the gradient that backpropagation starts from (see kernels/KERNELS.md):
 *
 * <ul>
 *   <li>{@link #SOFTMAX_CROSS_ENTROPY}: outputs are softmax probabilities P; row loss
 *       −Σⱼ yⱼ·log(pⱼ + ε); gradient with respect to the logits, (P − Y)·scale.</li>
 *   <li>{@link #SIGMOID_BINARY_CROSS_ENTROPY}: outputs are sigmoid probabilities A, clipped to
 *       [ε, 1−ε] inside the logs; row loss −Σⱼ [y·log a + (1−y)·log(1−a)]; gradient with respect to
 *       the logits, (A − Y)·scale (unclipped), as seed 003 computes it.</li>
 *   <li>{@link #BINARY_CROSS_ENTROPY}: outputs are probabilities A of any layer; row loss
 *       −Σⱼ [y·log(a+ε) + (1−y)·log(1−a+ε)]; gradient with respect to A,
 *       −(y/(a+ε) − (1−y)/(1−a+ε))·scale, as seed 001 computes it.</li>
 *   <li>{@link #MEAN_SQUARED_ERROR}: row loss Σⱼ (a−y)²; gradient with respect to A,
 *       2(a−y)·scale.</li>
 * </ul>
 */
public enum LossKind {
    SOFTMAX_CROSS_ENTROPY("softmax_cross_entropy", true, 1e-8),
    SIGMOID_BINARY_CROSS_ENTROPY("sigmoid_bce", true, 1e-7),
    BINARY_CROSS_ENTROPY("bce", false, 1e-15),
    MEAN_SQUARED_ERROR("mse", false, 0.0);

    private final String label;
    private final boolean gradientIsPreActivation;
    private final double defaultEpsilon;

    LossKind(String label, boolean gradientIsPreActivation, double defaultEpsilon) {
        this.label = label;
        this.gradientIsPreActivation = gradientIsPreActivation;
        this.defaultEpsilon = defaultEpsilon;
    }

    public String label() {
        return label;
    }

    /**
     * True when the gradient is with respect to the output layer's pre-activation (the loss op
     * has the softmax or sigmoid derivative folded in), false when it is with respect to the
     * output itself and the output layer's activation derivative still applies.
     */
    public boolean gradientIsPreActivation() {
        return gradientIsPreActivation;
    }

    /** The activation the output layer must have, or null when any will do. */
    public ActivationKind requiredActivation() {
        switch (this) {
            case SOFTMAX_CROSS_ENTROPY: return ActivationKind.SOFTMAX;
            case SIGMOID_BINARY_CROSS_ENTROPY: return ActivationKind.SIGMOID;
            default: return null;
        }
    }

    /** The epsilon (or clipping bound) the notebooks use with this loss. */
    public double defaultEpsilon() {
        return defaultEpsilon;
    }

    /**
     * What the summed row losses of a batch are divided by to give the loss the notebooks report:
     * the number of rows for cross-entropy, the number of elements for the others (np.mean).
     */
    public double normalizer(int rows, int cols) {
        return this == SOFTMAX_CROSS_ENTROPY ? rows : (double) rows * cols;
    }

    public static LossKind parse(String text) {
        String key = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (LossKind kind : values()) {
            if (kind.label.equals(key) || kind.name().toLowerCase(Locale.ROOT).equals(key)) {
                return kind;
            }
        }
        switch (key) {
            case "cross_entropy": case "ce": case "categorical_cross_entropy": return SOFTMAX_CROSS_ENTROPY;
            case "binary_cross_entropy": return BINARY_CROSS_ENTROPY;
            case "sigmoid_binary_cross_entropy": return SIGMOID_BINARY_CROSS_ENTROPY;
            default:
                throw new IllegalArgumentException("unknown loss '" + text
                        + "': expected softmax_cross_entropy, sigmoid_bce, bce or mse");
        }
    }
}
