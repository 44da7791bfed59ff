package dev.scratchnet.nn;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;

/**
 * A fully connected layer: out = act(in·W + b), with W stored inputs × outputs and b 1 × outputs,
 * and room for their gradients. Seed 001's {@code Layer}.
 */
public final class Dense implements AutoCloseable {
    private final int inputs;
    private final int outputs;
    private final Activation activation;
    private final Tensor weights;
    private final Tensor bias;
    private final Tensor weightGradient;
    private final Tensor biasGradient;

    Dense(Backend backend, Precision precision, int inputs, int outputs, Activation activation, Matrix initialWeights,
          Matrix initialBias) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.activation = activation;
        this.weights = backend.upload(initialWeights, precision);
        this.bias = initialBias == null ? backend.zeros(1, outputs, precision) : backend.upload(initialBias, precision);
        this.weightGradient = backend.zeros(inputs, outputs, precision);
        this.biasGradient = backend.zeros(1, outputs, precision);
    }

    public int inputs() {
        return inputs;
    }

    public int outputs() {
        return outputs;
    }

    public Activation activation() {
        return activation;
    }

    /** W, inputs × outputs. */
    public Tensor weights() {
        return weights;
    }

    /** b, 1 × outputs. */
    public Tensor bias() {
        return bias;
    }

    /** dLoss/dW after the last backward pass. */
    public Tensor weightGradient() {
        return weightGradient;
    }

    /** dLoss/db after the last backward pass. */
    public Tensor biasGradient() {
        return biasGradient;
    }

    public int parameterCount() {
        return inputs * outputs + outputs;
    }

    @Override
    public void close() {
        weights.close();
        bias.close();
        weightGradient.close();
        biasGradient.close();
    }

    @Override
    public String toString() {
        return "Dense(" + inputs + " → " + outputs + ", " + activation + ")";
    }
}
