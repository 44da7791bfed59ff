package dev.scratchnet.nn;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Tensor;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Updates a network's parameters in place from the gradients of its last backward pass. The
 * update runs on the backend; momentum, RMSprop and Adam keep their state there too, one buffer
 * per parameter, made on the first step.
 *
 * <p>Weight decay ({@link #weightDecay(double)}) is decoupled from the gradient for every
 * optimizer: before each update, every weight matrix (not the biases) is multiplied by
 * 1 − lr·λ. For Adam this is AdamW (Loshchilov and Hutter); for plain SGD it is the same as adding
 * λ/2·‖W‖² to the loss (L2 regularisation); for momentum and RMSprop it is the decoupled form
 * (SGDW), which does not pass through the velocity or the RMS scaling.
 */
public abstract class Optimizer implements AutoCloseable {
    /** The rate of the next step: the base rate, or what a schedule set for this epoch. */
    protected double learningRate;
    private final double baseLearningRate;
    private double weightDecay;
    private final Map<Tensor, Tensor[]> state = new IdentityHashMap<>();
    private int steps;

    protected Optimizer(double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate " + learningRate + ": must be a positive number");
        }
        this.learningRate = learningRate;
        this.baseLearningRate = learningRate;
    }

    /** The rate the next step uses. */
    public double learningRate() {
        return learningRate;
    }

    /** The rate the optimizer was made with (a schedule scales this one). */
    public double baseLearningRate() {
        return baseLearningRate;
    }

    /** Sets the rate of the following steps (a learning-rate schedule calls this per epoch). */
    public void setLearningRate(double rate) {
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("learning rate " + rate + ": must be a number of at least 0");
        }
        this.learningRate = rate;
    }

    /** Decoupled weight decay λ on the weight matrices (see the class comment); 0 turns it off. */
    public Optimizer weightDecay(double lambda) {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("--weight-decay " + lambda + ": must be a number of at least 0");
        }
        this.weightDecay = lambda;
        return this;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /** Steps taken so far (Adam's bias correction counts them). */
    public int steps() {
        return steps;
    }

    /** How many buffers of state each parameter needs. */
    protected abstract int stateBuffers();

    /** Applies one update to {@code p} from its gradient {@code g}. */
    protected abstract void update(Backend backend, Tensor p, Tensor g, Tensor[] state, int step);

    /** A readable name, as {@link #parse} accepts it. */
    public abstract String describe();

    /** One step over every parameter of {@code net}. */
    public void step(Network net) {
        steps++;
        Backend backend = net.backend();
        for (Dense d : net.layers()) {
            if (weightDecay > 0) {
                backend.scale(1.0 - learningRate * weightDecay, d.weights());
            }
            apply(backend, d.weights(), d.weightGradient());
            apply(backend, d.bias(), d.biasGradient());
        }
    }

    private void apply(Backend backend, Tensor p, Tensor g) {
        Tensor[] s = state.get(p);
        if (s == null) {
            s = new Tensor[stateBuffers()];
            for (int i = 0; i < s.length; i++) {
                s[i] = backend.zeros(p.rows(), p.cols(), p.precision());
            }
            state.put(p, s);
        }
        update(backend, p, g, s, steps);
    }

    /**
     * The state buffers read back, named {@code W1.0}, {@code b1.0}, ... (parameter, then buffer:
     * Adam's first and second moments are 0 and 1), zeros where no step has made them yet.
     */
    public Map<String, Matrix> exportState(Network net) {
        Map<String, Matrix> out = new LinkedHashMap<>();
        Backend backend = net.backend();
        int l = 0;
        for (Dense d : net.layers()) {
            l++;
            for (Tensor p : new Tensor[] {d.weights(), d.bias()}) {
                Tensor[] s = state.get(p);
                for (int i = 0; i < stateBuffers(); i++) {
                    String name = (p == d.weights() ? "W" : "b") + l + "." + i;
                    out.put(name, s == null ? new Matrix(p.rows(), p.cols()) : backend.download(s[i]));
                }
            }
        }
        return out;
    }

    /** Continues from an {@link #exportState} and step count, as if those steps had been taken here. */
    public void importState(Network net, Map<String, Matrix> saved, int stepsTaken) {
        if (stepsTaken < 0) {
            throw new IllegalArgumentException("optimizer step count " + stepsTaken + ": must be at least 0");
        }
        Backend backend = net.backend();
        int l = 0;
        for (Dense d : net.layers()) {
            l++;
            for (Tensor p : new Tensor[] {d.weights(), d.bias()}) {
                Tensor[] s = new Tensor[stateBuffers()];
                try {
                    for (int i = 0; i < s.length; i++) {
                        String name = (p == d.weights() ? "W" : "b") + l + "." + i;
                        Matrix m = saved.get(name);
                        if (m == null || m.rows() != p.rows() || m.cols() != p.cols()) {
                            throw new IllegalArgumentException("optimizer state " + name + (m == null ? " is missing" : " is "
                                    + m.shape() + ", the parameter is " + p.shape()) + " (" + describe() + ")");
                        }
                        s[i] = backend.upload(m, p.precision());
                    }
                } catch (RuntimeException e) {
                    for (Tensor t : s) {
                        if (t != null) {
                            t.close();
                        }
                    }
                    throw e;
                }
                Tensor[] old = state.put(p, s);
                if (old != null) {
                    for (Tensor t : old) {
                        t.close();
                    }
                }
            }
        }
        this.steps = stepsTaken;
    }

    /** How many state buffers each parameter has: 0 (SGD), 1 (momentum, RMSprop) or 2 (Adam). */
    public int stateBuffersPerParameter() {
        return stateBuffers();
    }

    @Override
    public void close() {
        for (Tensor[] s : state.values()) {
            for (Tensor t : s) {
                t.close();
            }
        }
        state.clear();
    }

    /** p ← p − lr·g: the update every notebook uses. */
    public static Optimizer sgd(double learningRate) {
        return new Optimizer(learningRate) {
            @Override
            protected int stateBuffers() {
                return 0;
            }

            @Override
            protected void update(Backend backend, Tensor p, Tensor g, Tensor[] state, int step) {
                backend.sgdUpdate(p, g, learningRate);
            }

            @Override
            public String describe() {
                return "sgd";
            }
        };
    }

    /** v ← μ·v + g; p ← p − lr·v. */
    public static Optimizer momentum(double learningRate, double mu) {
        requireFraction("momentum", mu);
        return new Optimizer(learningRate) {
            @Override
            protected int stateBuffers() {
                return 1;
            }

            @Override
            protected void update(Backend backend, Tensor p, Tensor g, Tensor[] state, int step) {
                backend.momentumUpdate(p, g, state[0], learningRate, mu);
            }

            @Override
            public String describe() {
                return "momentum:" + mu;
            }
        };
    }

    /** s ← ρ·s + (1−ρ)·g²; p ← p − lr·g/(√s + ε). */
    public static Optimizer rmsprop(double learningRate, double rho, double eps) {
        requireFraction("rho", rho);
        return new Optimizer(learningRate) {
            @Override
            protected int stateBuffers() {
                return 1;
            }

            @Override
            protected void update(Backend backend, Tensor p, Tensor g, Tensor[] state, int step) {
                backend.rmspropUpdate(p, g, state[0], learningRate, rho, eps);
            }

            @Override
            public String describe() {
                return "rmsprop:" + rho;
            }
        };
    }

    /** Adam with bias correction (Kingma and Ba). */
    public static Optimizer adam(double learningRate, double beta1, double beta2, double eps) {
        requireFraction("beta1", beta1);
        requireFraction("beta2", beta2);
        return new Optimizer(learningRate) {
            @Override
            protected int stateBuffers() {
                return 2;
            }

            @Override
            protected void update(Backend backend, Tensor p, Tensor g, Tensor[] state, int step) {
                backend.adamUpdate(p, g, state[0], state[1], learningRate, beta1, beta2, eps, step);
            }

            @Override
            public String describe() {
                return "adam";
            }
        };
    }

    /** Parses {@code sgd}, {@code momentum[:MU]}, {@code rmsprop[:RHO]} or {@code adam}. */
    public static Optimizer parse(String text, double learningRate) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int colon = t.indexOf(':');
        String name = colon < 0 ? t : t.substring(0, colon);
        Double value;
        try {
            value = colon < 0 ? null : Double.valueOf(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("optimizer '" + text + "': the value after ':' is not a number");
        }
        if (colon >= 0 && (name.equals("sgd") || name.equals("adam"))) {
            throw new IllegalArgumentException("optimizer '" + text + "': " + name + " takes no value after ':'"
                    + (name.equals("adam") ? " (its betas are 0.9 and 0.999, epsilon 1e-8)" : ""));
        }
        switch (name) {
            case "sgd": return sgd(learningRate);
            case "momentum": return momentum(learningRate, value == null ? 0.9 : value);
            case "rmsprop": return rmsprop(learningRate, value == null ? 0.9 : value, 1e-8);
            case "adam": return adam(learningRate, 0.9, 0.999, 1e-8);
            default:
                throw new IllegalArgumentException("unknown optimizer '" + text
                        + "': expected sgd, momentum[:MU], rmsprop[:RHO] or adam");
        }
    }

    private static void requireFraction(String what, double v) {
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(what + " " + v + ": expected 0 <= value < 1");
        }
    }
}
