/*
 * loss.cl: loss and gradient in one pass, one work-item per row.
 *
 *   loss_softmax_cross_entropy  row loss -sum_j y log(p + eps)            grad (p - y) * scale
 *   loss_sigmoid_bce            row loss -sum_j [y log c + (1-y) log(1-c)],
 *                               c = clamp(a, eps, 1 - eps)               grad (a - y) * scale
 *   loss_bce                    row loss -sum_j [y log(a+eps) + (1-y) log(1-a+eps)]
 *                                                                         grad -(y/(a+eps) - (1-y)/(1-a+eps)) * scale
 *   loss_mse                    row loss sum_j (a - y)^2                   grad 2 (a - y) * scale
 *
 * All take (rows, cols, eps, scale, out, y, grad, row_loss). Cross-entropy skips the terms whose
 * target is 0 (their limit is 0), so a zero probability where the target is 0 costs nothing.
 * The first two gradients are with respect to the logits (the softmax or sigmoid derivative folded
 * in), the last two with respect to the output.
 */

__kernel void loss_softmax_cross_entropy(int rows, int cols, REAL eps, REAL scale, __global const REAL* out,
                                         __global const REAL* y, __global REAL* grad, __global REAL* row_loss) {
    int i = get_global_id(0);
    if (i >= rows) {
        return;
    }
    REAL l = 0;
    for (int j = 0; j < cols; j++) {
        int e = i * cols + j;
        REAL a = out[e], t = y[e];
        if (t != 0) {
            l += t * log(a + eps);
        }
        grad[e] = (a - t) * scale;
    }
    row_loss[i] = -l;
}

__kernel void loss_sigmoid_bce(int rows, int cols, REAL eps, REAL scale, __global const REAL* out,
                               __global const REAL* y, __global REAL* grad, __global REAL* row_loss) {
    int i = get_global_id(0);
    if (i >= rows) {
        return;
    }
    REAL hi = (REAL) 1 - eps;
    REAL l = 0;
    for (int j = 0; j < cols; j++) {
        int e = i * cols + j;
        REAL a = out[e], t = y[e];
        REAL c = fmin(fmax(a, eps), hi);
        l += t * log(c) + ((REAL) 1 - t) * log((REAL) 1 - c);
        grad[e] = (a - t) * scale;
    }
    row_loss[i] = -l;
}

__kernel void loss_bce(int rows, int cols, REAL eps, REAL scale, __global const REAL* out,
                       __global const REAL* y, __global REAL* grad, __global REAL* row_loss) {
    int i = get_global_id(0);
    if (i >= rows) {
        return;
    }
    REAL l = 0;
    for (int j = 0; j < cols; j++) {
        int e = i * cols + j;
        REAL a = out[e], t = y[e];
        l += t * log(a + eps) + ((REAL) 1 - t) * log((REAL) 1 - a + eps);
        grad[e] = -(t / (a + eps) - ((REAL) 1 - t) / ((REAL) 1 - a + eps)) * scale;
    }
    row_loss[i] = -l;
}

__kernel void loss_mse(int rows, int cols, REAL eps, REAL scale, __global const REAL* out,
                       __global const REAL* y, __global REAL* grad, __global REAL* row_loss) {
    int i = get_global_id(0);
    if (i >= rows) {
        return;
    }
    REAL l = 0;
    for (int j = 0; j < cols; j++) {
        int e = i * cols + j;
        REAL d = out[e] - y[e];
        l += d * d;
        grad[e] = (REAL) 2 * d * scale;
    }
    row_loss[i] = l;
}
