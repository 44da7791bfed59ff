/*
 * optim.cl: optimizer updates, in place, one work-item per parameter.
 *
 *   sgd_update       p -= lr * g
 *   momentum_update  v = mu * v + g;  p -= lr * v
 *   rmsprop_update   s = rho * s + (1 - rho) * g^2;  p -= lr * g / (sqrt(s) + eps)
 *   adam_update      m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *                    p -= lr * (m / c1) / (sqrt(v / c2) + eps),  c1 = 1 - b1^t, c2 = 1 - b2^t (host)
 */

__kernel void sgd_update(int n, REAL lr, __global const REAL* g, __global REAL* p) {
    int i = get_global_id(0);
    if (i < n) {
        p[i] -= lr * g[i];
    }
}

__kernel void momentum_update(int n, REAL lr, REAL mu, __global const REAL* g, __global REAL* v, __global REAL* p) {
    int i = get_global_id(0);
    if (i < n) {
        REAL vi = mu * v[i] + g[i];
        v[i] = vi;
        p[i] -= lr * vi;
    }
}

__kernel void rmsprop_update(int n, REAL lr, REAL rho, REAL eps, __global const REAL* g, __global REAL* s,
                             __global REAL* p) {
    int i = get_global_id(0);
    if (i < n) {
        REAL gi = g[i];
        REAL si = rho * s[i] + ((REAL) 1 - rho) * gi * gi;
        s[i] = si;
        p[i] -= lr * gi / (sqrt(si) + eps);
    }
}

__kernel void adam_update(int n, REAL lr, REAL beta1, REAL beta2, REAL eps, REAL c1, REAL c2,
                          __global const REAL* g, __global REAL* m, __global REAL* v, __global REAL* p) {
    int i = get_global_id(0);
    if (i < n) {
        REAL gi = g[i];
        REAL mi = beta1 * m[i] + ((REAL) 1 - beta1) * gi;
        REAL vi = beta2 * v[i] + ((REAL) 1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= lr * (mi / c1) / (sqrt(vi / c2) + eps);
    }
}
