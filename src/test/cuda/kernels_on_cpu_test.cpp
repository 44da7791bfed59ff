// kernels_on_cpu_test.cpp: every kernel of kernels/cuda, run on the CPU through cuda_on_cpu.h,
// against a plain double-precision reference, in float and double, on odd shapes, with the launch
// geometry the Java host (CudaBackend) uses; matmul_tf32 (fp32 only) against the product of the
// TF32-rounded inputs, with the rounding and one tensor-core tile checked on their own. Prints one
// line per failure and a summary line "N passed, M failed"; exits 1 on any failure.
//
//   g++ -std=c++17 -O1 -I kernels/cuda -I native/cuda-emulator -include cuda_on_cpu.h
//       src/test/cuda/kernels_on_cpu_test.cpp -o kernels_on_cpu_test && ./kernels_on_cpu_test
#include "cuda_on_cpu.h"

#include "tensor.cu"
#include "activations.cu"
#include "softmax.cu"
#include "loss.cu"
#include "reduce.cu"
#include "optim.cu"
#include "matmul.cu"

#include <cstdio>
#include <random>

static int passed = 0, failed = 0;

static unsigned blocks(long n, unsigned size) { return (unsigned) ((n + size - 1) / size); }

template <typename T> struct Names;
template <> struct Names<float> { static constexpr const char* p = "fp32"; static constexpr double eps = 1.1920928955078125e-7; };
template <> struct Names<double> { static constexpr const char* p = "fp64"; static constexpr double eps = 0; };

template <typename T>
static double allowed(double magnitude, int reduction) {
    if (Names<T>::eps == 0) {
        return 1e-12 * std::max(1.0, magnitude) * std::max(1.0, reduction / 64.0);
    }
    return 1e-5 + magnitude * Names<T>::eps * (reduction + 4);
}

/** Compares got against want (with magnitudes mag, or |want| when empty). */
template <typename T>
static void check(const std::string& what, const std::vector<T>& got, const std::vector<double>& want,
                  const std::vector<double>& mag, int reduction) {
    for (size_t i = 0; i < want.size(); i++) {
        double m = mag.empty() ? std::fabs(want[i]) : mag[i];
        double diff = std::fabs((double) got[i] - want[i]);
        if (!(diff <= allowed<T>(m, reduction))) {
            std::printf("FAIL %s %s: element %zu is %.17g, expected %.17g\n", what.c_str(), Names<T>::p, i, (double) got[i], want[i]);
            failed++;
            return;
        }
    }
    passed++;
}

static std::mt19937_64 rng(12345);

template <typename T>
static std::vector<T> rand_vec(size_t n, double lo = -1, double hi = 1) {
    std::uniform_real_distribution<double> d(lo, hi);
    std::vector<T> v(n);
    for (auto& x : v) {
        x = (T) d(rng);
    }
    return v;
}

template <typename T>
static std::vector<T> one_hot(int rows, int cols) {
    std::vector<T> v((size_t) rows * cols, T(0));
    for (int i = 0; i < rows; i++) {
        if (cols == 1) {
            v[i] = (T) (rng() % 2);
        } else {
            v[(size_t) i * cols + rng() % cols] = T(1);
        }
    }
    return v;
}

static std::string shape(int m, int n, int k = -1) {
    return std::to_string(m) + "x" + std::to_string(n) + (k >= 0 ? "x" + std::to_string(k) : "");
}

// ---- matmul --------------------------------------------------------------------------------
typedef void (*gemm_float)(int, int, int, int, int, float, const float*, const float*, float, float*);
typedef void (*gemm_double)(int, int, int, int, int, double, const double*, const double*, double, double*);

template <typename T> struct Gemms;
template <> struct Gemms<float> {
    static std::vector<std::pair<std::string, gemm_float>> all() {
        return {{"naive", matmul_naive_f32}, {"tiled", matmul_tiled_f32}, {"blocktile", matmul_blocktile_f32},
                {"vectorized", matmul_vectorized_f32}, {"warptile", matmul_warptile_f32}};
    }
};
template <> struct Gemms<double> {
    static std::vector<std::pair<std::string, gemm_double>> all() {
        return {{"naive", matmul_naive_f64}, {"tiled", matmul_tiled_f64}, {"blocktile", matmul_blocktile_f64},
                {"vectorized", matmul_vectorized_f64}, {"warptile", matmul_warptile_f64}};
    }
};

/** The grid and block CudaBackend launches a matmul variant with. */
static void geometry(const std::string& v, int M, int N, dim3& grid, dim3& block) {
    if (v == "naive") { block = dim3(16, 16); grid = dim3(blocks(N, 16), blocks(M, 16)); }
    else if (v == "tiled") { block = dim3(32, 32); grid = dim3(blocks(N, 32), blocks(M, 32)); }
    else if (v == "blocktile") { block = dim3(256); grid = dim3(blocks(N, 64), blocks(M, 64)); }
    else { block = dim3(256); grid = dim3(blocks(N, 128), blocks(M, 128)); }
}

template <typename T>
static void test_matmul(int M, int N, int K) {
    for (auto& variant : Gemms<T>::all()) {
        for (int t = 0; t < 4; t++) {
            int ta = t & 1, tb = (t >> 1) & 1;
            for (int beta0 = 0; beta0 < 2; beta0++) {
                T alpha = (T) 0.75, beta = beta0 ? (T) 1.5 : (T) 0;
                auto A = rand_vec<T>((size_t) M * K), B = rand_vec<T>((size_t) K * N), C = rand_vec<T>((size_t) M * N);
                if (!beta0) {
                    std::fill(C.begin(), C.end(), (T) NAN);   // not read when beta is 0
                }
                std::vector<double> want((size_t) M * N), mag((size_t) M * N);
                for (int i = 0; i < M; i++) {
                    for (int j = 0; j < N; j++) {
                        double s = 0, a = 0;
                        for (int k = 0; k < K; k++) {
                            double x = ta ? A[(size_t) k * M + i] : A[(size_t) i * K + k];
                            double y = tb ? B[(size_t) j * K + k] : B[(size_t) k * N + j];
                            s += x * y;
                            a += std::fabs(x * y);
                        }
                        double prior = beta0 ? beta * (double) C[(size_t) i * N + j] : 0;
                        want[(size_t) i * N + j] = alpha * s + prior;
                        mag[(size_t) i * N + j] = alpha * a + std::fabs(prior);
                    }
                }
                dim3 grid, block;
                geometry(variant.first, M, N, grid, block);
                emu::launch(variant.second, grid, block, M, N, K, ta, tb, alpha, A.data(), B.data(), beta, C.data());
                check<T>("matmul_" + variant.first + (ta ? " T" : " N") + (tb ? "T" : "N") + (beta0 ? " beta" : "") + " " + shape(M, N, K),
                         C, want, mag, K);
            }
        }
    }
}

template <typename T>
static void test_dense(int M, int N, int K) {
    for (int act = 0; act <= 4; act++) {
        T param = (T) 0.1;
        auto X = rand_vec<T>((size_t) M * K), W = rand_vec<T>((size_t) K * N), b = rand_vec<T>(N);
        std::vector<T> out((size_t) M * N, (T) NAN);
        std::vector<double> want((size_t) M * N), mag((size_t) M * N);
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double s = 0, a = 0;
                for (int k = 0; k < K; k++) {
                    s += (double) X[(size_t) i * K + k] * W[(size_t) k * N + j];
                    a += std::fabs((double) X[(size_t) i * K + k] * W[(size_t) k * N + j]);
                }
                double z = s + b[j];
                double f = act == 1 ? 1 / (1 + std::exp(-z)) : act == 2 ? (z > 0 ? z : 0) : act == 3 ? std::tanh(z)
                         : act == 4 ? (z > 0 ? z : (double) param * z) : z;
                want[(size_t) i * N + j] = f;
                mag[(size_t) i * N + j] = a + std::fabs((double) b[j]);
            }
        }
        emu::launch(Names<T>::eps == 0 ? (void (*)(int, int, int, const T*, const T*, const T*, int, T, T*)) (void*) dense_forward_f64
                                       : (void (*)(int, int, int, const T*, const T*, const T*, int, T, T*)) (void*) dense_forward_f32,
                    dim3(blocks(N, 64), blocks(M, 64)), dim3(256), M, N, K, (const T*) X.data(), (const T*) W.data(),
                    (const T*) b.data(), act, param, out.data());
        check<T>("dense_forward act " + std::to_string(act) + " " + shape(M, N, K), out, want, mag, K + 1);
    }
}

// ---- the rest -------------------------------------------------------------------------------

template <typename T> struct K;
template <> struct K<float> {
    static constexpr auto fill = fill_f32; static constexpr auto scale = scale_f32; static constexpr auto axpy = axpy_f32;
    static constexpr auto gather = gather_rows_f32; static constexpr auto act_fwd = activation_forward_f32;
    static constexpr auto act_bwd = activation_backward_f32; static constexpr auto add_row = add_row_vector_f32;
    static constexpr auto softmax = softmax_rows_f32; static constexpr auto softmax_bwd = softmax_backward_f32;
    static constexpr auto ce = loss_softmax_cross_entropy_f32; static constexpr auto sbce = loss_sigmoid_bce_f32;
    static constexpr auto bce = loss_bce_f32; static constexpr auto mse = loss_mse_f32;
    static constexpr auto partial = sum_columns_partial_f32; static constexpr auto final_ = sum_columns_final_f32;
    static constexpr auto sum_into = sum_into_f32; static constexpr auto count = count_correct_f32; static constexpr auto argmax = argmax_rows_f32;
    static constexpr auto sgd = sgd_update_f32; static constexpr auto momentum = momentum_update_f32;
    static constexpr auto rmsprop = rmsprop_update_f32; static constexpr auto adam = adam_update_f32;
    static constexpr auto sgd_multi = sgd_update_multi_f32; static constexpr auto momentum_multi = momentum_update_multi_f32;
    static constexpr auto rmsprop_multi = rmsprop_update_multi_f32; static constexpr auto adam_multi = adam_update_multi_f32;
};
template <> struct K<double> {
    static constexpr auto fill = fill_f64; static constexpr auto scale = scale_f64; static constexpr auto axpy = axpy_f64;
    static constexpr auto gather = gather_rows_f64; static constexpr auto act_fwd = activation_forward_f64;
    static constexpr auto act_bwd = activation_backward_f64; static constexpr auto add_row = add_row_vector_f64;
    static constexpr auto softmax = softmax_rows_f64; static constexpr auto softmax_bwd = softmax_backward_f64;
    static constexpr auto ce = loss_softmax_cross_entropy_f64; static constexpr auto sbce = loss_sigmoid_bce_f64;
    static constexpr auto bce = loss_bce_f64; static constexpr auto mse = loss_mse_f64;
    static constexpr auto partial = sum_columns_partial_f64; static constexpr auto final_ = sum_columns_final_f64;
    static constexpr auto sum_into = sum_into_f64; static constexpr auto count = count_correct_f64; static constexpr auto argmax = argmax_rows_f64;
    static constexpr auto sgd = sgd_update_f64; static constexpr auto momentum = momentum_update_f64;
    static constexpr auto rmsprop = rmsprop_update_f64; static constexpr auto adam = adam_update_f64;
    static constexpr auto sgd_multi = sgd_update_multi_f64; static constexpr auto momentum_multi = momentum_update_multi_f64;
    static constexpr auto rmsprop_multi = rmsprop_update_multi_f64; static constexpr auto adam_multi = adam_update_multi_f64;
};

static unsigned softmax_block(int cols) {
    unsigned b = 32;
    while ((int) b < cols && b < 256) {
        b <<= 1;
    }
    return b;
}

template <typename T>
static void test_elementwise(int rows, int cols) {
    int n = rows * cols;
    std::string s = shape(rows, cols);
    {   // fill, scale, axpy
        std::vector<T> x = rand_vec<T>(n), y = rand_vec<T>(n);
        std::vector<double> want(n);
        for (int i = 0; i < n; i++) want[i] = -0.75 * (double) x[i] + y[i];
        emu::launch(K<T>::axpy, dim3(blocks(n, 256)), dim3(256), n, (T) -0.75, (const T*) x.data(), y.data());
        check<T>("axpy " + s, y, want, {}, 2);
        for (int i = 0; i < n; i++) want[i] = 3.0 * (double) x[i];
        emu::launch(K<T>::scale, dim3(blocks(n, 256)), dim3(256), n, (T) 3, x.data());
        check<T>("scale " + s, x, want, {}, 1);
        std::fill(want.begin(), want.end(), -2.5);
        emu::launch(K<T>::fill, dim3(blocks(n, 256)), dim3(256), n, (T) -2.5, x.data());
        check<T>("fill " + s, x, want, {}, 1);
    }
    {   // gather, with one index out of range
        std::vector<T> src = rand_vec<T>(n), dst((size_t) n);
        std::vector<int> idx(rows + 2);
        for (auto& i : idx) i = (int) (rng() % rows);
        idx[2] = rows;   // out of range: writes NaN
        emu::launch(K<T>::gather, dim3(blocks(cols, 16), blocks(rows, 16)), dim3(16, 16), rows, cols, rows,
                    (const int*) idx.data(), 1, (const T*) src.data(), dst.data());
        std::vector<double> want(n);
        bool nanRow = true;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int from = idx[1 + r];
                if (from == rows) {
                    nanRow = nanRow && std::isnan((double) dst[(size_t) r * cols + j]);
                    want[(size_t) r * cols + j] = dst[(size_t) r * cols + j] = 0;
                } else {
                    want[(size_t) r * cols + j] = src[(size_t) from * cols + j];
                }
            }
        }
        check<T>("gather_rows " + s, dst, want, {}, 1);
        if (!nanRow) { std::printf("FAIL gather_rows %s: an out-of-range index did not write NaN\n", s.c_str()); failed++; } else passed++;
    }
    for (int act = 0; act <= 4; act++) {   // activations forward and backward
        T param = (T) 0.2;
        std::vector<T> z = rand_vec<T>(n, -4, 4), a(n), dA = rand_vec<T>(n), dZ(n);
        emu::launch(K<T>::act_fwd, dim3(blocks(n, 256)), dim3(256), n, act, param, (const T*) z.data(), a.data());
        std::vector<double> want(n), wantB(n);
        for (int i = 0; i < n; i++) {
            double v = z[i];
            want[i] = act == 1 ? 1 / (1 + std::exp(-v)) : act == 2 ? (v > 0 ? v : 0) : act == 3 ? std::tanh(v) : act == 4 ? (v > 0 ? v : (double) param * v) : v;
            double y = a[i];
            double d = act == 1 ? y * (1 - y) : act == 2 ? (y > 0 ? 1 : 0) : act == 3 ? 1 - y * y : act == 4 ? (y > 0 ? 1 : (double) param) : 1;
            wantB[i] = (double) dA[i] * d;
        }
        check<T>("activation_forward " + std::to_string(act) + " " + s, a, want, {}, 1);
        emu::launch(K<T>::act_bwd, dim3(blocks(n, 256)), dim3(256), n, act, param, (const T*) a.data(), (const T*) dA.data(), dZ.data());
        check<T>("activation_backward " + std::to_string(act) + " " + s, dZ, wantB, {}, 1);
    }
    {   // add_row_vector
        std::vector<T> bias = rand_vec<T>(cols), c = rand_vec<T>(n);
        std::vector<double> want(n);
        for (int i = 0; i < n; i++) want[i] = (double) c[i] + bias[i % cols];
        emu::launch(K<T>::add_row, dim3(blocks(n, 256)), dim3(256), rows, cols, (const T*) bias.data(), c.data());
        check<T>("add_row_vector " + s, c, want, {}, 2);
    }
    {   // softmax forward (in place) and backward
        std::vector<T> z = rand_vec<T>(n, -10, 10);
        z[0] = Names<T>::eps == 0 ? (T) 800 : (T) 80;   // overflows without the maximum subtracted
        std::vector<double> want(n);
        for (int r = 0; r < rows; r++) {
            double m = -INFINITY, sum = 0;
            for (int j = 0; j < cols; j++) m = std::max(m, (double) z[(size_t) r * cols + j]);
            for (int j = 0; j < cols; j++) sum += std::exp((double) z[(size_t) r * cols + j] - m);
            for (int j = 0; j < cols; j++) want[(size_t) r * cols + j] = std::exp((double) z[(size_t) r * cols + j] - m) / sum;
        }
        emu::launch(K<T>::softmax, dim3(rows), dim3(softmax_block(cols)), rows, cols, (const T*) z.data(), z.data());
        check<T>("softmax_rows " + s, z, want, {}, cols);
        std::vector<T> dP = rand_vec<T>(n), dZ(n);
        std::vector<double> wantB(n);
        for (int r = 0; r < rows; r++) {
            double dot = 0;
            for (int j = 0; j < cols; j++) dot += (double) dP[(size_t) r * cols + j] * z[(size_t) r * cols + j];
            for (int j = 0; j < cols; j++) wantB[(size_t) r * cols + j] = (double) z[(size_t) r * cols + j] * (dP[(size_t) r * cols + j] - dot);
        }
        emu::launch(K<T>::softmax_bwd, dim3(rows), dim3(softmax_block(cols)), rows, cols, (const T*) z.data(), (const T*) dP.data(), dZ.data());
        check<T>("softmax_backward " + s, dZ, wantB, {}, cols);
    }
    for (int kind = 0; kind < 4; kind++) {   // losses
        double eps = kind == 0 ? 1e-8 : kind == 1 ? 1e-7 : kind == 2 ? 1e-15 : 0;
        std::vector<T> out = rand_vec<T>(n, 0.02, 0.98), y = kind == 3 ? rand_vec<T>(n) : one_hot<T>(rows, cols);
        out[0] = (T) 1;   // clipped by sigmoid_bce
        std::vector<T> grad(n), rowLoss(rows);
        T e = (T) eps, scale = (T) (1.0 / rows);
        double lo = (double) e, hi = (double) (T) (T(1) - e);
        std::vector<double> wantG(n), wantL(rows);
        for (int r = 0; r < rows; r++) {
            double l = 0;
            for (int j = 0; j < cols; j++) {
                size_t i = (size_t) r * cols + j;
                double a = out[i], t = y[i], g;
                if (kind == 0) { if (t != 0) l -= t * std::log(a + lo); g = a - t; }
                else if (kind == 1) { double c = std::min(std::max(a, lo), hi); l -= t * std::log(c) + (1 - t) * std::log(1 - c); g = a - t; }
                else if (kind == 2) { l -= t * std::log(a + lo) + (1 - t) * std::log(1 - a + lo); g = -(t / (a + lo) - (1 - t) / (1 - a + lo)); }
                else { l += (a - t) * (a - t); g = 2 * (a - t); }
                wantG[i] = g * (double) scale;
            }
            wantL[r] = l;
        }
        auto fn = kind == 0 ? K<T>::ce : kind == 1 ? K<T>::sbce : kind == 2 ? K<T>::bce : K<T>::mse;
        emu::launch(fn, dim3(blocks(rows, 256)), dim3(256), rows, cols, e, scale, (const T*) out.data(), (const T*) y.data(),
                    grad.data(), rowLoss.data());
        check<T>("loss " + std::to_string(kind) + " row loss " + s, rowLoss, wantL, {}, cols);
        check<T>("loss " + std::to_string(kind) + " gradient " + s, grad, wantG, {}, 1);
    }
    {   // column sums, sum_into, count_correct, argmax
        std::vector<T> a = rand_vec<T>(n), out = rand_vec<T>(cols);
        int chunks = std::max(1, std::min(64, (rows + 63) / 64)), per = (rows + chunks - 1) / chunks;
        std::vector<T> partial((size_t) chunks * cols);
        std::vector<double> want(cols), mag(cols);
        for (int j = 0; j < cols; j++) {
            double s = 0, m = 0;
            for (int r = 0; r < rows; r++) { s += a[(size_t) r * cols + j]; m += std::fabs((double) a[(size_t) r * cols + j]); }
            want[j] = 0.5 * s + 2.0 * out[j];
            mag[j] = 0.5 * m + 2.0 * std::fabs((double) out[j]);
        }
        emu::launch(K<T>::partial, dim3(blocks(cols, 16), chunks), dim3(16, 16), rows, cols, per, (const T*) a.data(), partial.data());
        emu::launch(K<T>::final_, dim3(blocks(cols, 256)), dim3(256), chunks, cols, (T) 0.5, (T) 2, (const T*) partial.data(), out.data());
        check<T>("sum_columns " + s, out, want, mag, rows);
        std::vector<T> acc = {(T) 1, (T) 2, (T) 3};
        double total = 0, totalMag = 0;
        for (int i = 0; i < n; i++) { total += a[i]; totalMag += std::fabs((double) a[i]); }
        emu::launch(K<T>::sum_into, dim3(1), dim3(256), n, (T) 2, (const T*) a.data(), acc.data(), 1);
        std::vector<T> y = one_hot<T>(rows, cols);
        emu::launch(K<T>::count, dim3(1), dim3(256), rows, cols, (const T*) a.data(), (const T*) y.data(), acc.data(), 2);
        int correct = 0;
        std::vector<double> wantLabels(rows);
        for (int r = 0; r < rows; r++) {
            auto label = [&](const std::vector<T>& m) {
                if (cols == 1) return m[r] > (T) 0.5 ? 1 : 0;
                int best = 0;
                for (int j = 1; j < cols; j++) if (m[(size_t) r * cols + j] > m[(size_t) r * cols + best]) best = j;
                return best;
            };
            correct += label(a) == label(y);
            wantLabels[r] = label(a);
        }
        check<T>("sum_into and count_correct " + s, acc, {1.0, 2 + 2 * total, 3.0 + correct}, {1.0, 2 + 2 * totalMag, 3.0 + correct}, n);
        std::vector<T> labels(rows);
        emu::launch(K<T>::argmax, dim3(blocks(rows, 256)), dim3(256), rows, cols, (const T*) a.data(), labels.data());
        check<T>("argmax_rows " + s, labels, wantLabels, {}, 1);
    }
    {   // optimizers
        std::vector<T> p0 = rand_vec<T>(n), g = rand_vec<T>(n), s0 = rand_vec<T>(n, 0.01, 1), m0 = rand_vec<T>(n);
        double lr = 0.05, mu = 0.9, rho = 0.99, eps = 1e-6, b1 = 0.9, b2 = 0.999, c1 = 1 - std::pow(b1, 3), c2 = 1 - std::pow(b2, 3);
        std::vector<double> sgd(n), mom(n), rms(n), adam(n);
        for (int i = 0; i < n; i++) {
            sgd[i] = p0[i] - lr * g[i];
            mom[i] = p0[i] - lr * (mu * m0[i] + g[i]);
            double si = rho * s0[i] + (1 - rho) * (double) g[i] * g[i];
            rms[i] = p0[i] - lr * g[i] / (std::sqrt(si) + eps);
            double mi = b1 * m0[i] + (1 - b1) * g[i], vi = b2 * s0[i] + (1 - b2) * (double) g[i] * g[i];
            adam[i] = p0[i] - lr * (mi / c1) / (std::sqrt(vi / c2) + eps);
        }
        std::vector<T> p = p0, v = m0, s2 = s0;
        emu::launch(K<T>::sgd, dim3(blocks(n, 256)), dim3(256), n, (T) lr, (const T*) g.data(), p.data());
        check<T>("sgd_update " + s, p, sgd, {}, 2);
        p = p0;
        emu::launch(K<T>::momentum, dim3(blocks(n, 256)), dim3(256), n, (T) lr, (T) mu, (const T*) g.data(), v.data(), p.data());
        check<T>("momentum_update " + s, p, mom, {}, 3);
        p = p0;
        emu::launch(K<T>::rmsprop, dim3(blocks(n, 256)), dim3(256), n, (T) lr, (T) rho, (T) eps, (const T*) g.data(), s2.data(), p.data());
        check<T>("rmsprop_update " + s, p, rms, {}, 8);
        p = p0;
        v = m0;
        s2 = s0;
        emu::launch(K<T>::adam, dim3(blocks(n, 256)), dim3(256), n, (T) lr, (T) b1, (T) b2, (T) eps, (T) c1, (T) c2,
                    (const T*) g.data(), v.data(), s2.data(), p.data());
        check<T>("adam_update " + s, p, adam, {}, 8);
    }
}

// ---- the one-launch optimizer steps: NAME_update_multi against NAME_update per tensor, bit for bit ----
template <typename T>
static bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

/** Tensors of odd sizes (one element, one block, one past a block, several blocks), each with its gradient and two state buffers. */
template <typename T>
struct OptimTensors {
    std::vector<std::vector<T>> p, g, s0, s1;

    OptimTensors() {
        for (int n : {1, 7, 256, 257, 1000, 221, 3}) {
            p.push_back(rand_vec<T>(n));
            g.push_back(rand_vec<T>(n));
            s0.push_back(rand_vec<T>(n));
            s1.push_back(rand_vec<T>(n, 0.01, 1));   // a second moment or mean square is positive
        }
    }

    /**
     * The table CudaBackend uploads for optimizer opt (0 SGD, 1 momentum, 2 RMSprop, 3 Adam), here with
     * host pointers (the CPU is the device), and the grid's blocks. RMSprop's mean square (the table's
     * s0) is s1 here: it must be positive.
     */
    std::vector<OptimEntry<T>> table(int opt, unsigned& grid) {
        std::vector<OptimEntry<T>> t;
        grid = 0;
        for (size_t i = 0; i < p.size(); i++) {
            int n = (int) p[i].size();
            T* first = opt == 1 || opt == 3 ? s0[i].data() : opt == 2 ? s1[i].data() : nullptr;
            t.push_back(OptimEntry<T>{p[i].data(), g[i].data(), first, opt == 3 ? s1[i].data() : nullptr, n, (int) grid});
            grid += blocks(n, 256);
        }
        return t;
    }

    bool equals(const OptimTensors& o) const {
        for (size_t i = 0; i < p.size(); i++) {
            if (!same_bits(p[i], o.p[i]) || !same_bits(s0[i], o.s0[i]) || !same_bits(s1[i], o.s1[i])) {
                return false;
            }
        }
        return true;
    }
};

template <typename T>
static void test_optim_multi() {
    const T lr = (T) 0.05, mu = (T) 0.9, rho = (T) 0.99, eps = (T) 1e-6, b1 = (T) 0.9, b2 = (T) 0.999;
    const char* names[] = {"sgd_update_multi", "momentum_update_multi", "rmsprop_update_multi", "adam_update_multi"};
    for (int opt = 0; opt < 4; opt++) {
        OptimTensors<T> single, multi;
        multi = single;
        unsigned grid;
        std::vector<OptimEntry<T>> table = multi.table(opt, grid);
        bool ok = true;
        for (int step = 1; step <= 3 && ok; step++) {
            T c1 = (T) (1 - std::pow((double) b1, step)), c2 = (T) (1 - std::pow((double) b2, step));
            for (size_t i = 0; i < single.p.size(); i++) {
                int n = (int) single.p[i].size();
                const T* g = single.g[i].data();
                T *p = single.p[i].data(), *s0 = single.s0[i].data(), *s1 = single.s1[i].data();
                dim3 b(blocks(n, 256));
                switch (opt) {
                    case 0: emu::launch(K<T>::sgd, b, dim3(256), n, lr, g, p); break;
                    case 1: emu::launch(K<T>::momentum, b, dim3(256), n, lr, mu, g, s0, p); break;
                    case 2: emu::launch(K<T>::rmsprop, b, dim3(256), n, lr, rho, eps, g, s1, p); break;
                    default: emu::launch(K<T>::adam, b, dim3(256), n, lr, b1, b2, eps, c1, c2, g, s0, s1, p); break;
                }
            }
            int count = (int) table.size();
            const OptimEntry<T>* t = table.data();
            switch (opt) {
                case 0: emu::launch(K<T>::sgd_multi, dim3(grid), dim3(256), count, t, lr); break;
                case 1: emu::launch(K<T>::momentum_multi, dim3(grid), dim3(256), count, t, lr, mu); break;
                case 2: emu::launch(K<T>::rmsprop_multi, dim3(grid), dim3(256), count, t, lr, rho, eps); break;
                default: emu::launch(K<T>::adam_multi, dim3(grid), dim3(256), count, t, lr, b1, b2, eps, c1, c2); break;
            }
            ok = single.equals(multi);
            if (!ok) {
                std::printf("FAIL %s %s: step %d differs from one NAME_update launch per tensor\n", names[opt], Names<T>::p, step);
            }
        }
        ok ? passed++ : failed++;
    }
}

template <typename T>
static void run_all() {
    test_optim_multi<T>();
    const int shapes[][3] = {{1, 1, 1}, {7, 13, 5}, {33, 17, 65}, {67, 132, 36}, {130, 70, 40}};
    for (auto& sh : shapes) {
        test_matmul<T>(sh[0], sh[1], sh[2]);
        test_dense<T>(sh[0], sh[1], sh[2]);
        test_elementwise<T>(sh[0], sh[1]);
    }
    test_elementwise<T>(3, 1025);    // a softmax row longer than one block
    test_elementwise<T>(300, 1);     // one column; column sums over several chunks
}

// ---- TF32: the rounding, one mma, and matmul_tf32 (fp32 only) -----------------------------------
static float from_bits(uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t to_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

/** x rounded to TF32 for the reference, in double arithmetic: 11 significant bits, halves away from zero (normal x). */
static double tf32_reference(float x) {
    if (x == 0 || !std::isfinite(x)) {
        return x;
    }
    int e;
    double f = std::frexp((double) x, &e);   // |f| in [0.5, 1)
    return std::ldexp(std::round(std::ldexp(f, 11)), e - 11);
}

static void test_tf32_round() {
    const uint32_t cases[][2] = {
        {0x3f800000u, 0x3f800000u},   // 1
        {0x3f801000u, 0x3f802000u},   // 1 + 2^-11: a tie, away from zero
        {0xbf801000u, 0xbf802000u},   // its negative: away from zero too
        {0x3f800fffu, 0x3f800000u},   // just below the tie
        {0x3f801001u, 0x3f802000u},   // just above it
        {0x3f803000u, 0x3f804000u},   // a tie from an odd last kept bit: away, not to even
        {0x3fffffffu, 0x40000000u},   // carries into the exponent
        {0x7f7fffffu, 0x7f800000u},   // FLT_MAX rounds past the largest TF32 value: Inf
        {0x7f7fefffu, 0x7f7fe000u},   // below the largest TF32 value's midpoint
        {0x7f800000u, 0x7f800000u},   // Inf
        {0xff800000u, 0xff800000u},   // -Inf
        {0x7fc00000u, 0x7fc00000u},   // a quiet NaN
        {0x00000000u, 0x00000000u},   // 0
        {0x80000000u, 0x80000000u},   // -0
        {0x00000fffu, 0x00000000u},   // a subnormal below half a TF32 step
        {0x00001000u, 0x00002000u},   // a subnormal tie
        {0x007ff000u, 0x00800000u},   // the largest subnormal tie rounds to the smallest normal
    };
    bool ok = true;
    for (auto& c : cases) {
        uint32_t got = tf32_round(from_bits(c[0]));
        if (got != c[1]) {
            std::printf("FAIL tf32_round(0x%08x) is 0x%08x, expected 0x%08x\n", c[0], got, c[1]);
            ok = false;
        }
    }
    uint32_t nan = tf32_round(from_bits(0x7f800001u));   // a NaN whose only mantissa bit is dropped by rounding
    if (!std::isnan(from_bits(nan))) {
        std::printf("FAIL tf32_round(0x7f800001) is 0x%08x, not a NaN\n", nan);
        ok = false;
    }
    std::uniform_real_distribution<double> d(-1e6, 1e6);
    for (int i = 0; i < 100000 && ok; i++) {
        float x = (float) d(rng) * (i % 2 ? 1e-30f : 1.0f);
        if ((double) from_bits(tf32_round(x)) != tf32_reference(x)) {
            std::printf("FAIL tf32_round(%.9g) is %.9g, expected %.9g\n", x, from_bits(tf32_round(x)), tf32_reference(x));
            ok = false;
        }
    }
    ok ? passed++ : failed++;
}

/** One warp's mma_m16n8k8_tf32 on A(r, k) = r - 2k, B(k, c) = 3k - c + 1, D = 1 (all exact in TF32): the fragment layout. */
__global__ void mma_one_tile(float* out) {
    int lane = threadIdx.x, g = lane >> 2, t = lane & 3;
    auto a_at = [](int r, int k) { return tf32_round((float) (r - 2 * k)); };
    auto b_at = [](int k, int c) { return tf32_round((float) (3 * k - c + 1)); };
    unsigned a[4] = {a_at(g, t), a_at(g + 8, t), a_at(g, t + 4), a_at(g + 8, t + 4)};
    unsigned b[2] = {b_at(t, g), b_at(t + 4, g)};
    float d[4] = {1, 1, 1, 1};
    mma_m16n8k8_tf32(d, a, b);
    out[g * 8 + 2 * t] = d[0];
    out[g * 8 + 2 * t + 1] = d[1];
    out[(g + 8) * 8 + 2 * t] = d[2];
    out[(g + 8) * 8 + 2 * t + 1] = d[3];
}

static void test_mma_tile() {
    std::vector<float> out(16 * 8, NAN);
    emu::launch(mma_one_tile, dim3(1), dim3(32), out.data());
    bool ok = true;
    for (int r = 0; r < 16 && ok; r++) {
        for (int c = 0; c < 8 && ok; c++) {
            double want = 1;
            for (int k = 0; k < 8; k++) {
                want += (double) (r - 2 * k) * (3 * k - c + 1);
            }
            if (out[r * 8 + c] != want) {
                std::printf("FAIL mma_m16n8k8_tf32: D(%d, %d) is %g, expected %g\n", r, c, out[r * 8 + c], want);
                ok = false;
            }
        }
    }
    ok ? passed++ : failed++;
}

/** matmul_tf32_f32 against a double product of the TF32-rounded inputs, with fp32 accumulation's tolerance. */
static void test_matmul_tf32(int M, int N, int K) {
    for (int t = 0; t < 4; t++) {
        int ta = t & 1, tb = (t >> 1) & 1;
        for (int beta0 = 0; beta0 < 2; beta0++) {
            float alpha = 0.75f, beta = beta0 ? 1.5f : 0.0f;
            auto A = rand_vec<float>((size_t) M * K), B = rand_vec<float>((size_t) K * N), C = rand_vec<float>((size_t) M * N);
            if (!beta0) {
                std::fill(C.begin(), C.end(), NAN);   // not read when beta is 0
            }
            std::vector<double> want((size_t) M * N), mag((size_t) M * N);
            for (int i = 0; i < M; i++) {
                for (int j = 0; j < N; j++) {
                    double s = 0, a = 0;
                    for (int k = 0; k < K; k++) {
                        double x = tf32_reference(ta ? A[(size_t) k * M + i] : A[(size_t) i * K + k]);
                        double y = tf32_reference(tb ? B[(size_t) j * K + k] : B[(size_t) k * N + j]);
                        s += x * y;
                        a += std::fabs(x * y);
                    }
                    double prior = beta0 ? beta * (double) C[(size_t) i * N + j] : 0;
                    want[(size_t) i * N + j] = alpha * s + prior;
                    mag[(size_t) i * N + j] = alpha * a + std::fabs(prior);
                }
            }
            emu::launch(matmul_tf32_f32, dim3(blocks(N, TC_BN), blocks(M, TC_BM)), dim3(TC_THREADS), M, N, K, ta, tb, alpha, A.data(),
                        B.data(), beta, C.data());
            check<float>(std::string("matmul_tf32") + (ta ? " T" : " N") + (tb ? "T" : "N") + (beta0 ? " beta" : "") + " " + shape(M, N, K),
                         C, want, mag, K);
        }
    }
}

static void test_tf32() {
    test_tf32_round();
    test_mma_tile();
    const int shapes[][3] = {{1, 1, 1}, {7, 13, 5}, {33, 17, 65}, {67, 132, 36}, {130, 70, 40}, {129, 136, 72}};
    for (auto& sh : shapes) {
        test_matmul_tf32(sh[0], sh[1], sh[2]);
    }
}

// ---- the emulation's own shuffles and atomics, for kernels that use them -----------------------
__global__ void shuffle_variants(int* out, int* counter) {
    int lane = threadIdx.x % 32;
    int v = lane + 1;
    int x = v;
    for (int o = 16; o > 0; o >>= 1) {
        x += __shfl_xor_sync(0xffffffffu, x, o);   // butterfly: every lane gets the warp's sum
    }
    int b = __shfl_sync(0xffffffffu, v * 10, 3);   // broadcast from lane 3
    int s = v;
    for (int o = 1; o < 32; o <<= 1) {             // inclusive prefix sum
        int y = __shfl_up_sync(0xffffffffu, s, o);
        if (lane >= o) {
            s += y;
        }
    }
    int h = __shfl_down_sync(0xffffffffu, v, 1, 16);   // within halves of 16 lanes
    int* o4 = out + 4 * threadIdx.x;
    o4[0] = x;
    o4[1] = b;
    o4[2] = s;
    o4[3] = h;
    atomicAdd(counter, 1);
}

static void test_shuffles() {
    std::vector<int> out(4 * 64, -1);
    int counter = 0;
    emu::launch(shuffle_variants, dim3(3), dim3(64), out.data(), &counter);
    bool ok = counter == 3 * 64;
    for (int t = 0; t < 64 && ok; t++) {
        int lane = t % 32;
        int h = lane % 16 == 15 ? lane + 1 : lane + 2;
        ok = out[4 * t] == 528 && out[4 * t + 1] == 40 && out[4 * t + 2] == (lane + 1) * (lane + 2) / 2 && out[4 * t + 3] == h;
        if (!ok) {
            std::printf("FAIL shuffles: thread %d got %d %d %d %d\n", t, out[4 * t], out[4 * t + 1], out[4 * t + 2], out[4 * t + 3]);
        }
    }
    if (counter != 3 * 64) {
        std::printf("FAIL atomicAdd: %d, expected %d\n", counter, 3 * 64);
    }
    ok ? passed++ : failed++;
}

int main() {
    try {
        test_shuffles();
        test_tf32();
        run_all<float>();
        run_all<double>();
    } catch (const std::exception& e) {
        std::printf("FAIL: %s\n", e.what());
        failed++;
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
