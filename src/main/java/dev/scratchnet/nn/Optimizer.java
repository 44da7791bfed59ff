package dev.scratchnet.nn;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Updates a network's parameters in place from the gradients of its last backward pass. The
 * update runs on the backend; momentum, RMSprop and Adam keep their state there too, one buffer
 * per parameter, made on the first step. A step is one list-form update over every parameter
 * ({@link Backend#sgdUpdate(List, List, double)} and the like: one kernel launch on CUDA), over
 * lists collected on the first step and kept until the state changes.
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
    /** The network the lists below were collected from; null until the next step collects them. */
    private Network collectedFor;
    /** Every parameter of {@link #collectedFor} (W1, b1, W2, ...), its gradient, and each state buffer's list. */
    private List<Tensor> parameters;
    private List<Tensor> gradients;
    private List<List<Tensor>> stateLists;

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

    /**
     * Applies one update to every parameter {@code ps[i]} from its gradient {@code gs[i]}, with
     * {@code state.get(k).get(i)} its k-th state buffer.
     */
    protected abstract void update(Backend backend, List<Tensor> ps, List<Tensor> gs, List<List<Tensor>> state, int step);

    /** A readable name, as {@link #parse} accepts it. */
    public abstract String describe();

    /** One step over every parameter of {@code net}. */
    public void step(Network net) {
        steps++;
        Backend backend = net.backend();
        if (weightDecay > 0) {
            // before the update, as before each tensor's own update: the updates of the others do not read W
            for (Dense d : net.layers()) {
                backend.scale(1.0 - learningRate * weightDecay, d.weights());
            }
        }
        if (collectedFor != net) {
            collect(net);
        }
        update(backend, parameters, gradients, stateLists, steps);
    }

    /** Collects the lists a step updates, making the state buffers not made yet (zeros). */
    private void collect(Network net) {
        Backend backend = net.backend();
        List<Tensor> ps = new ArrayList<>(), gs = new ArrayList<>();
        List<List<Tensor>> ss = new ArrayList<>();
        for (int i = 0; i < stateBuffers(); i++) {
            ss.add(new ArrayList<>());
        }
        for (Dense d : net.layers()) {
            ps.add(d.weights());
            gs.add(d.weightGradient());
            ps.add(d.bias());
            gs.add(d.biasGradient());
        }
        for (Tensor p : ps) {
            Tensor[] s = state.get(p);
            if (s == null) {
                s = new Tensor[stateBuffers()];
                for (int i = 0; i < s.length; i++) {
                    s[i] = backend.zeros(p.rows(), p.cols(), p.precision());
                }
                state.put(p, s);
            }
            for (int i = 0; i < s.length; i++) {
                ss.get(i).add(s[i]);
            }
        }
        parameters = List.copyOf(ps);
        gradients = List.copyOf(gs);
        List<List<Tensor>> frozen = new ArrayList<>();
        for (List<Tensor> l : ss) {
            frozen.add(List.copyOf(l));
        }
        stateLists = List.copyOf(frozen);
        collectedFor = net;
    }

    /** Forgets the collected lists: the next step collects them again (the state changed). */
    private void forgetLists() {
        collectedFor = null;
        parameters = null;
        gradients = null;
        stateLists = null;
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
        forgetLists();
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
        forgetLists();
    }

    /** p ← p − lr·g: the update every notebook uses. */
    public static Optimizer sgd(double learningRate) {
        return new Optimizer(learningRate) {
            @Override
            protected int stateBuffers() {
                return 0;
            }

            @Override
            protected void update(Backend backend, List<Tensor> ps, List<Tensor> gs, List<List<Tensor>> state, int step) {
                backend.sgdUpdate(ps, gs, learningRate);
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
            protected void update(Backend backend, List<Tensor> ps, List<Tensor> gs, List<List<Tensor>> state, int step) {
                backend.momentumUpdate(ps, gs, state.get(0), learningRate, mu);
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
            protected void update(Backend backend, List<Tensor> ps, List<Tensor> gs, List<List<Tensor>> state, int step) {
                backend.rmspropUpdate(ps, gs, state.get(0), learningRate, rho, eps);
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
            protected void update(Backend backend, List<Tensor> ps, List<Tensor> gs, List<List<Tensor>> state, int step) {
                backend.adamUpdate(ps, gs, state.get(0), state.get(1), learningRate, beta1, beta2, eps, step);
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
