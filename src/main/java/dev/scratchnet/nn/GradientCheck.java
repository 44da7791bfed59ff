package dev.scratchnet.nn;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Matrix;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks backpropagation against central differences, as seed 002's {@code gradient_check} does:
 * for each parameter (W1, b1, W2, b2, ...) and each of its first {@code limit} elements in row-major
 * order, numerical = (L(θ+ε) − L(θ−ε)) / 2ε, and the parameter's relative error is
 * ‖analytic − numerical‖ / (‖analytic‖ + ‖numerical‖ + 1e-8) over those elements. Below 1e-5 the
 * check passes, below 1e-3 it might be acceptable, above it fails (seed 002's thresholds).
 *
 * <p>Run it in fp64: in fp32 the differences drown in rounding.
 */
public final class GradientCheck {
    public static final double PASSED = 1e-5;
    public static final double ACCEPTABLE = 1e-3;

    /** One parameter's outcome. */
    public static final class Result {
        public final String parameter;
        public final double relativeError;
        public final int elementsChecked;

        Result(String parameter, double relativeError, int elementsChecked) {
            this.parameter = parameter;
            this.relativeError = relativeError;
            this.elementsChecked = elementsChecked;
        }

        /** "passed", "acceptable" or "FAILED", by seed 002's thresholds. */
        public String verdict() {
            return relativeError < PASSED ? "passed" : relativeError < ACCEPTABLE ? "acceptable" : "FAILED";
        }

        @Override
        public String toString() {
            return String.format("%s: relative error = %.2e (%s)", parameter, relativeError, verdict());
        }
    }

    private GradientCheck() {
    }

    /**
     * Checks every parameter of {@code net} on inputs {@code x} and targets {@code y}, with the
     * loss averaged as the notebooks average it.
     *
     * @param epsilon the finite-difference step (seed 002: 1e-5)
     * @param limit   elements checked per parameter (seed 002: 10); {@code Integer.MAX_VALUE} for all
     */
    public static List<Result> run(Network net, Matrix x, Matrix y, Loss loss, double epsilon, int limit) {
        net.requireCompatible(loss);
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("gradient check step " + epsilon + ": must be positive");
        }
        Backend be = net.backend();
        Precision p = net.precision();
        int rows = x.rows();
        try (Tensor xt = be.upload(x.requireFinite("gradient check input"), p);
             Tensor yt = be.upload(y, p);
             Tensor rowLoss = be.zeros(rows, 1, p);
             Tensor acc = be.zeros(1, 1, p)) {
            double norm = loss.kind().normalizer(rows, net.outputs());
            // analytic gradients of the mean loss
            Tensor out = net.forward(xt);
            be.lossAndGradient(loss.kind(), loss.epsilon(), out, yt, 1.0, net.outputGradient(rows), rowLoss);
            net.backward(xt, loss.kind().gradientIsPreActivation(), 1.0 / norm);

            List<Result> results = new ArrayList<>();
            int index = 1;
            for (Dense d : net.layers()) {
                Matrix dW = be.download(d.weightGradient());
                Matrix db = be.download(d.biasGradient());
                results.add(check("W" + index, d.weights(), dW, net, xt, yt, rowLoss, acc, loss, norm, epsilon, limit));
                results.add(check("b" + index, d.bias(), db, net, xt, yt, rowLoss, acc, loss, norm, epsilon, limit));
                index++;
            }
            return results;
        }
    }

    private static Result check(String name, Tensor param, Matrix analytic, Network net, Tensor x, Tensor y,
                                Tensor rowLoss, Tensor acc, Loss loss, double norm, double epsilon, int limit) {
        Backend be = net.backend();
        Matrix values = be.download(param);
        int count = Math.min(limit, values.size());
        double[] numerical = new double[count];
        double[] v = values.data();
        for (int i = 0; i < count; i++) {
            double old = v[i];
            v[i] = old + epsilon;
            be.copyIn(values, param);
            double plus = loss(net, x, y, rowLoss, acc, loss, norm);
            v[i] = old - epsilon;
            be.copyIn(values, param);
            double minus = loss(net, x, y, rowLoss, acc, loss, norm);
            v[i] = old;
            be.copyIn(values, param);
            numerical[i] = (plus - minus) / (2 * epsilon);
        }
        double diff = 0, na = 0, nn = 0;
        for (int i = 0; i < count; i++) {
            double a = analytic.data()[i];
            diff += (a - numerical[i]) * (a - numerical[i]);
            na += a * a;
            nn += numerical[i] * numerical[i];
        }
        double rel = Math.sqrt(diff) / (Math.sqrt(na) + Math.sqrt(nn) + 1e-8);
        return new Result(name, rel, count);
    }

    /** The mean loss of one forward pass. */
    private static double loss(Network net, Tensor x, Tensor y, Tensor rowLoss, Tensor acc, Loss loss, double norm) {
        Backend be = net.backend();
        Tensor out = net.forward(x);
        be.lossAndGradient(loss.kind(), loss.epsilon(), out, y, 1.0, net.outputGradient(x.rows()), rowLoss);
        be.fill(acc, 0.0);
        be.sumInto(rowLoss, 1.0, acc, 0);
        return be.download(acc).get(0, 0) / norm;
    }
}
