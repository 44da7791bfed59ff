package dev.scratchnet.data;

import dev.scratchnet.backend.Matrix;

/**
 * scikit-learn's {@code StandardScaler}: per column, subtract the mean and divide by the standard
 * deviation (ddof 0), computed with the corrected two-pass formula scikit-learn uses. A column
 * that is constant (variance within rounding of zero) is divided by 1, as scikit-learn does.
 */
public final class StandardScaler {
    private final double[] mean;
    private final double[] scale;

    private StandardScaler(double[] mean, double[] scale) {
        this.mean = mean;
        this.scale = scale;
    }

    public static StandardScaler fit(Matrix x) {
        int n = x.rows(), d = x.cols();
        double[] sum = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                sum[j] += x.get(i, j);
            }
        }
        double[] mean = new double[d];
        double[] correction = new double[d];
        double[] squares = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] = sum[j] / n;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double t = x.get(i, j) - mean[j];
                correction[j] += t;
                squares[j] += t * t;
            }
        }
        double eps = Math.ulp(1.0);
        double[] scale = new double[d];
        for (int j = 0; j < d; j++) {
            double var = (squares[j] - correction[j] * correction[j] / n) / n;
            double upper = n * eps * var + Math.pow(n * mean[j] * eps, 2);
            scale[j] = var <= upper ? 1.0 : Math.sqrt(var);
        }
        return new StandardScaler(mean, scale);
    }

    public Matrix transform(Matrix x) {
        if (x.cols() != mean.length) {
            throw new IllegalArgumentException("the scaler was fitted on " + mean.length + " columns, got " + x.cols());
        }
        Matrix out = new Matrix(x.rows(), x.cols());
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < x.cols(); j++) {
                out.set(i, j, (x.get(i, j) - mean[j]) / scale[j]);
            }
        }
        return out;
    }

    /** Undoes {@link #transform}: x·scale + mean. */
    public Matrix inverseTransform(Matrix x) {
        Matrix out = new Matrix(x.rows(), x.cols());
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < x.cols(); j++) {
                out.set(i, j, x.get(i, j) * scale[j] + mean[j]);
            }
        }
        return out;
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] scale() {
        return scale.clone();
    }
}
