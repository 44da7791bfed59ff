package dev.scratchnet.nn;

/**
 * Where a notebook divides by the batch size. The three forms give the same gradient up to
 * rounding, except {@link #SUM}, which is m times larger: seed 000's first network sums.
 */
public enum GradientScaling {
    /** dW = (1/m)·Aᵀ·dZ with dZ unscaled: seeds 000 (multi-layer), 002 and 003. */
    MEAN,
    /** dW = Aᵀ·dZ, no division: seed 000's {@code NeuralNetworkFromScratch}. */
    SUM,
    /** The loss gradient is divided by m and the parameter gradients are not: seed 001. */
    MEAN_AT_OUTPUT;

    /** The scale the loss op applies to its gradient. */
    public double lossGradientScale(double normalizer) {
        return this == MEAN_AT_OUTPUT ? 1.0 / normalizer : 1.0;
    }

    /** The scale applied to every dW and db. */
    public double parameterScale(double normalizer) {
        return this == MEAN ? 1.0 / normalizer : 1.0;
    }
}
