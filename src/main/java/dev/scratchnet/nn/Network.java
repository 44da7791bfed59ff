package dev.scratchnet.nn;

import dev.scratchnet.backend.ActivationKind;
import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.random.NumpyRandom;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A stack of {@link Dense} layers on one backend. Forward and backward run entirely on the backend;
 * the activations and gradients live in a workspace sized for the largest batch seen so far, so a
 * training loop allocates nothing after its first step.
 *
 * <p>Backward pass, for layer l from the top, given G = dLoss/dZ of that layer:
 * dW = s·Aₗ₋₁ᵀ·G, db = s·colsum(G), and, below the first layer, dAₗ₋₁ = G·Wᵀ followed by
 * Gₗ₋₁ = dAₗ₋₁ ⊙ f'(Aₗ₋₁). The scale s is the one the notebook applies to its parameter gradients.
 */
public final class Network implements AutoCloseable {
    private final Backend backend;
    private final Precision precision;
    private final int inputs;
    private final List<Dense> layers;
    /** Per layer: its activations A and its gradient buffer G, capacity rows each. */
    private Tensor[] activations = new Tensor[0];
    private Tensor[] gradients = new Tensor[0];
    private int capacity;

    private Network(Backend backend, Precision precision, int inputs, List<Dense> layers) {
        this.backend = backend;
        this.precision = precision;
        this.inputs = inputs;
        this.layers = Collections.unmodifiableList(layers);
    }

    /** Starts a network on {@code backend} in {@code precision} with {@code inputs} features. */
    public static Builder builder(Backend backend, Precision precision, int inputs) {
        return new Builder(backend, precision, inputs);
    }

    /** Builds the layers in order, drawing each layer's weights when {@link #build} runs. */
    public static final class Builder {
        private final Backend backend;
        private final Precision precision;
        private final int inputs;
        private final List<int[]> sizes = new ArrayList<>();
        private final List<Activation> activations = new ArrayList<>();

        private Builder(Backend backend, Precision precision, int inputs) {
            if (inputs <= 0) {
                throw new IllegalArgumentException("input size " + inputs + ": a network needs at least one input");
            }
            if (!backend.supports(precision)) {
                throw new UnsupportedOperationException(backend.name() + " backend (" + backend.deviceName()
                        + ") does not support " + precision + ": use --precision fp32");
            }
            this.backend = backend;
            this.precision = precision;
            this.inputs = inputs;
        }

        /** Adds a dense layer of {@code units} outputs. */
        public Builder dense(int units, Activation activation) {
            if (units <= 0) {
                throw new IllegalArgumentException("layer " + (sizes.size() + 1) + " has size " + units
                        + ": every layer needs at least one unit");
            }
            int in = sizes.isEmpty() ? inputs : sizes.get(sizes.size() - 1)[1];
            sizes.add(new int[] {in, units});
            activations.add(activation);
            return this;
        }

        /** Draws every layer's weights with {@code init} from {@code rng}, in layer order. */
        public Network build(Initializer init, NumpyRandom rng) {
            checkMemory();
            List<Matrix> weights = new ArrayList<>();
            for (int[] s : sizes) {
                weights.add(init.weights(s[0], s[1], rng));
            }
            return build(weights);
        }

        /**
         * Refuses, before anything is allocated, a network that cannot fit: its weights are drawn on
         * the host as doubles (all layers, plus a copy of the largest), and its parameters and their
         * gradients live on the backend, the Java heap for the CPU backend, the device for the others.
         */
        private void checkMemory() {
            long params = 0, largest = 0;
            StringBuilder shape = new StringBuilder(Integer.toString(inputs));
            for (int[] s : sizes) {
                long w = (long) s[0] * s[1];
                params += w + s[1];
                largest = Math.max(largest, w);
                shape.append(" → ").append(s[1]);
            }
            String what = "a " + shape + " network (" + params + " parameters, drawn on the host in fp64"
                    + (backend.name().equals("cpu") ? " and trained on the Java heap" : "") + ")";
            long onBackend = 2 * params * precision.bytes();
            long host = (params + largest) * Double.BYTES + (backend.name().equals("cpu") ? onBackend : 0);
            dev.scratchnet.backend.HostMemory.require(host, what, null);
            long device = backend.memoryBytes();
            if (device > 0 && onBackend > device) {
                throw new IllegalArgumentException(what + " needs " + dev.scratchnet.backend.HostMemory.size(onBackend) + " on the "
                        + backend.name() + " device for its parameters and gradients, more than the device's "
                        + dev.scratchnet.backend.HostMemory.size(device) + " (" + backend.deviceName() + ")");
            }
        }

        /** Builds with the given weights (one inputs × outputs matrix per layer). */
        public Network build(List<Matrix> weights) {
            return build(weights, null, true);
        }

        /**
         * Builds with saved parameters: one inputs × outputs weight matrix and one 1 × outputs bias
         * per layer. Non-finite values are taken as they are (the model reader warns about them).
         */
        public Network build(List<Matrix> weights, List<Matrix> biases) {
            return build(weights, biases, false);
        }

        private Network build(List<Matrix> weights, List<Matrix> biases, boolean requireFinite) {
            if (sizes.isEmpty()) {
                throw new IllegalArgumentException("a network needs at least one layer");
            }
            if (weights.size() != sizes.size() || (biases != null && biases.size() != sizes.size())) {
                throw new IllegalArgumentException(weights.size() + " weight matrices for " + sizes.size() + " layers");
            }
            for (int l = 0; l < sizes.size() - 1; l++) {
                if (!activations.get(l).kind().elementwise()) {
                    throw new IllegalArgumentException("layer " + (l + 1) + ": softmax belongs on the output layer only");
                }
            }
            List<Dense> layers = new ArrayList<>();
            try {
                for (int l = 0; l < sizes.size(); l++) {
                    Matrix w = weights.get(l);
                    int[] s = sizes.get(l);
                    if (w.rows() != s[0] || w.cols() != s[1]) {
                        throw new IllegalArgumentException("layer " + (l + 1) + " weights are " + w.shape()
                                + ", expected " + s[0] + "×" + s[1]);
                    }
                    if (requireFinite) {
                        w.requireFinite("layer " + (l + 1) + " weights");
                    }
                    Matrix b = biases == null ? null : biases.get(l);
                    if (b != null && (b.rows() != 1 || b.cols() != s[1])) {
                        throw new IllegalArgumentException("layer " + (l + 1) + " bias is " + b.shape() + ", expected 1×" + s[1]);
                    }
                    layers.add(new Dense(backend, precision, s[0], s[1], activations.get(l), w, b));
                }
            } catch (RuntimeException e) {
                layers.forEach(Dense::close);
                throw e;
            }
            return new Network(backend, precision, inputs, layers);
        }
    }

    public Backend backend() {
        return backend;
    }

    public Precision precision() {
        return precision;
    }

    public int inputs() {
        return inputs;
    }

    public int outputs() {
        return layers.get(layers.size() - 1).outputs();
    }

    public List<Dense> layers() {
        return layers;
    }

    public Dense outputLayer() {
        return layers.get(layers.size() - 1);
    }

    public int parameterCount() {
        return layers.stream().mapToInt(Dense::parameterCount).sum();
    }

    /** "2 → 4 (relu) → 1 (sigmoid)". */
    public String describe() {
        StringBuilder sb = new StringBuilder().append(inputs);
        for (Dense d : layers) {
            sb.append(" → ").append(d.outputs()).append(" (").append(d.activation()).append(')');
        }
        return sb.toString();
    }

    /** Makes room for batches of up to {@code rows} rows. */
    public void reserve(int rows) {
        if (rows <= capacity) {
            return;
        }
        releaseWorkspace();
        activations = new Tensor[layers.size()];
        gradients = new Tensor[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            activations[l] = backend.zeros(rows, layers.get(l).outputs(), precision);
            gradients[l] = backend.zeros(rows, layers.get(l).outputs(), precision);
        }
        capacity = rows;
    }

    /** Runs the layers on {@code x} (rows × inputs); returns the output activations (a view). */
    public Tensor forward(Tensor x) {
        if (x.cols() != inputs) {
            throw new IllegalArgumentException("input has " + x.cols() + " features, the network expects " + inputs);
        }
        int rows = x.rows();
        reserve(rows);
        Tensor in = x;
        for (int l = 0; l < layers.size(); l++) {
            Dense d = layers.get(l);
            Tensor out = activations[l].topRows(rows);
            backend.denseForward(in, d.weights(), d.bias(), d.activation().kind(), d.activation().param(), out);
            in = out;
        }
        return in;
    }

    /** The output layer's activations from the last forward pass of {@code rows} rows. */
    public Tensor output(int rows) {
        return activations[layers.size() - 1].topRows(rows);
    }

    /**
     * The buffer a loss op writes its gradient into, for a batch of {@code rows}: dLoss/dZ of the
     * output layer, or dLoss/dA when the loss leaves the activation's derivative to
     * {@link #backward}.
     */
    public Tensor outputGradient(int rows) {
        reserve(rows);
        return gradients[layers.size() - 1].topRows(rows);
    }

    /**
     * Backpropagates from the gradient in {@link #outputGradient(int)} through every layer, leaving
     * dW and db in each layer. {@code gradientIsPreActivation} says whether that gradient is already
     * dLoss/dZ (softmax or sigmoid folded into the loss) or dLoss/dA; {@code parameterScale}
     * multiplies every dW and db (1/m for the notebooks that average).
     */
    public void backward(Tensor x, boolean gradientIsPreActivation, double parameterScale) {
        int rows = x.rows();
        int top = layers.size() - 1;
        if (!gradientIsPreActivation) {
            Dense out = layers.get(top);
            Tensor g = gradients[top].topRows(rows);
            backend.activationBackward(out.activation().kind(), out.activation().param(),
                    activations[top].topRows(rows), g, g);
        }
        for (int l = top; l >= 0; l--) {
            Dense d = layers.get(l);
            Tensor g = gradients[l].topRows(rows);
            Tensor below = l == 0 ? x : activations[l - 1].topRows(rows);
            backend.gemm(true, false, parameterScale, below, g, 0.0, d.weightGradient());
            backend.sumColumns(parameterScale, g, 0.0, d.biasGradient());
            if (l > 0) {
                Dense prev = layers.get(l - 1);
                Tensor gPrev = gradients[l - 1].topRows(rows);
                backend.gemm(false, true, 1.0, g, d.weights(), 0.0, gPrev);
                backend.activationBackward(prev.activation().kind(), prev.activation().param(),
                        activations[l - 1].topRows(rows), gPrev, gPrev);
            }
        }
    }

    /** The network's outputs for host rows {@code x}. */
    public Matrix predict(Matrix x) {
        try (Tensor t = backend.upload(x.requireFinite("prediction input"), precision)) {
            return backend.download(forward(t));
        }
    }

    /** Class labels for host rows {@code x}: arg-max of the outputs, or the 0.5 threshold for one output. */
    public int[] predictLabels(Matrix x) {
        Matrix out = predict(x);
        int[] labels = new int[out.rows()];
        for (int i = 0; i < labels.length; i++) {
            if (out.cols() == 1) {
                labels[i] = out.get(i, 0) > 0.5 ? 1 : 0;
            } else {
                int best = 0;
                for (int j = 1; j < out.cols(); j++) {
                    if (out.get(i, j) > out.get(i, best)) {
                        best = j;
                    }
                }
                labels[i] = best;
            }
        }
        return labels;
    }

    /** Every layer's weights, read back (inputs × outputs each). */
    public List<Matrix> weights() {
        List<Matrix> out = new ArrayList<>();
        for (Dense d : layers) {
            out.add(backend.download(d.weights()));
        }
        return out;
    }

    /** Every layer's bias, read back (1 × outputs each). */
    public List<Matrix> biases() {
        List<Matrix> out = new ArrayList<>();
        for (Dense d : layers) {
            out.add(backend.download(d.bias()));
        }
        return out;
    }

    /** Activations of every layer, in order. */
    public List<Activation> activations() {
        List<Activation> out = new ArrayList<>();
        for (Dense d : layers) {
            out.add(d.activation());
        }
        return out;
    }

    /** Layer widths, inputs first: [784, 256, 128, 10]. */
    public int[] layerSizes() {
        int[] s = new int[layers.size() + 1];
        s[0] = inputs;
        for (int l = 0; l < layers.size(); l++) {
            s[l + 1] = layers.get(l).outputs();
        }
        return s;
    }

    /** Overwrites every layer's weights and biases with host values of the same shapes. */
    public void setParameters(List<Matrix> weights, List<Matrix> biases) {
        if (weights.size() != layers.size() || biases.size() != layers.size()) {
            throw new IllegalArgumentException(weights.size() + " weight matrices and " + biases.size() + " biases for "
                    + layers.size() + " layers");
        }
        for (int l = 0; l < layers.size(); l++) {
            backend.copyIn(weights.get(l), layers.get(l).weights());
            backend.copyIn(biases.get(l), layers.get(l).bias());
        }
    }

    /** Whether the output layer's activation suits {@code loss} (softmax for cross-entropy, ...). */
    public void requireCompatible(Loss loss) {
        ActivationKind needed = loss.kind().requiredActivation();
        ActivationKind actual = outputLayer().activation().kind();
        if (needed != null && needed != actual) {
            throw new IllegalArgumentException("loss " + loss.kind().label() + " needs a " + needed.label()
                    + " output layer, this network's output is " + actual.label());
        }
        if (actual == ActivationKind.SOFTMAX && loss.kind() != dev.scratchnet.backend.LossKind.SOFTMAX_CROSS_ENTROPY
                && outputs() == 1) {
            throw new IllegalArgumentException("a softmax over one output is always 1: use sigmoid for one output");
        }
    }

    private void releaseWorkspace() {
        for (Tensor t : activations) {
            t.close();
        }
        for (Tensor t : gradients) {
            t.close();
        }
        capacity = 0;
    }

    @Override
    public void close() {
        releaseWorkspace();
        activations = new Tensor[0];
        gradients = new Tensor[0];
        layers.forEach(Dense::close);
    }

    @Override
    public String toString() {
        return "Network(" + describe() + ", " + backend.name() + " " + precision + ")";
    }
}
