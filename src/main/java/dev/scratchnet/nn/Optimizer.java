package dev.scratchnet.nn;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Tensor;

import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Updates a network's parameters in place from the gradients of its last backward pass. The
 * update runs on the backend; momentum, RMSprop and Adam keep their state there too, one buffer
 * per parameter, made on the first step.
 */
public abstract class Optimizer implements AutoCloseable {
    protected final double learningRate;
    private final Map<Tensor, Tensor[]> state = new IdentityHashMap<>();
    private int steps;

    protected Optimizer(double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate " + learningRate + ": must be a positive number");
        }
        this.learningRate = learningRate;
    }

    public double learningRate() {
        return learningRate;
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
