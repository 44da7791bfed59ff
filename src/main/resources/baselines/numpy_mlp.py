"""A multilayer perceptron in NumPy, written as a NumPy user would: the peer of scratchnet's
training step (`scratchnet kernels bench --op step`) and of `scratchnet train --bench`.

Network: dense layers with a hidden activation, softmax output, cross-entropy loss averaged over
the batch; backward as the notebooks write it (dZ = P - Y, dW = A.T @ dZ / m, db = sum(dZ) / m,
dA = dZ @ W.T times the activation's derivative); no dA for the input. The notebooks' style,
scaled up: `np.random.permutation` per epoch, X[idx] per batch.

Usage:
  python3 numpy_mlp.py step BATCH LAYERS PRECISION MIN_SECONDS
      LAYERS like 784,256,128,10. Times one step (forward, loss, backward, SGD) on random data after
      a warm-up; prints one JSON line: library, precision, batch, ms (median), steps.
  python3 numpy_mlp.py train HIDDEN BATCH OPTIMIZER LR PRECISION ACTIVATION SEED WEIGHT_DECAY
      HIDDEN like 256,128. Reads from standard input one JSON header line {"train_rows",
      "test_rows", "features", "classes"}, then the training features (float32, row-major), the
      training labels (int32), the test features and the test labels, all little-endian, and prints
      one JSON line: ready, library. Then, for each line "epoch [LR]" on standard input, trains one
      epoch (at learning rate LR where given) and evaluates the test set, and prints one JSON line:
      epoch, seconds (the epoch and its test pass), train_loss, test_loss, test_accuracy. Ends at end
      of input. WEIGHT_DECAY as scratchnet's: W *= 1 - lr * WEIGHT_DECAY on the weight matrices (not
      the biases) before each update.
"""
import json
import sys
import time

import numpy as np


def blas_name():
    try:
        import ctypes.util
        for lib in ("openblas", "mkl_rt", "blis"):
            if ctypes.util.find_library(lib):
                return lib
    except Exception:
        pass
    return "BLAS"


ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(a.dtype)),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "tanh": (np.tanh, lambda a: 1 - a * a),
    "identity": (lambda z: z, lambda a: np.ones_like(a)),
}   # and leaky_relu[:SLOPE] (MLP.__init__)


class MLP:
    def __init__(self, layers, dtype, activation, rng):
        self.dtype = dtype
        name, _, value = activation.partition(":")
        if name == "leaky_relu":
            slope = float(value) if value else 0.01
            self.act = lambda z: np.where(z > 0, z, slope * z)
            self.act_grad = lambda a: np.where(a > 0, 1, slope).astype(a.dtype)
        else:
            self.act, self.act_grad = ACTIVATIONS[name]
        self.W = [(rng.standard_normal((i, o)) * np.sqrt(2.0 / i)).astype(dtype) for i, o in zip(layers, layers[1:])]
        self.b = [np.zeros((1, o), dtype=dtype) for o in layers[1:]]

    def forward(self, X):
        A = [X]
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            Z = A[-1] @ W + b
            if l < len(self.W) - 1:
                A.append(self.act(Z))
            else:
                e = np.exp(Z - Z.max(axis=1, keepdims=True))
                A.append(e / e.sum(axis=1, keepdims=True))
        return A

    def gradients(self, A, Y):
        m = Y.shape[0]
        dZ = A[-1] - Y
        dW, db = [None] * len(self.W), [None] * len(self.W)
        for l in range(len(self.W) - 1, -1, -1):
            dW[l] = A[l].T @ dZ / m
            db[l] = dZ.sum(axis=0, keepdims=True) / m
            if l > 0:
                dZ = (dZ @ self.W[l].T) * self.act_grad(A[l])
        return dW, db


class Optimizer:
    def __init__(self, spec, lr, params):
        name, _, value = spec.partition(":")
        self.name, self.lr, self.t = name, lr, 0
        self.mu = float(value) if value else 0.9
        self.state = [np.zeros_like(p) for p in params]
        self.state2 = [np.zeros_like(p) for p in params] if name == "adam" else None

    def step(self, params, grads, weights=(), weight_decay=0.0):
        self.t += 1
        if weight_decay > 0:
            for W in weights:
                W *= 1 - self.lr * weight_decay
        for i, (p, g) in enumerate(zip(params, grads)):
            if self.name == "sgd":
                p -= self.lr * g
            elif self.name == "momentum":
                self.state[i] = self.mu * self.state[i] + g
                p -= self.lr * self.state[i]
            elif self.name == "rmsprop":
                self.state[i] = self.mu * self.state[i] + (1 - self.mu) * g * g
                p -= self.lr * g / (np.sqrt(self.state[i]) + 1e-8)
            elif self.name == "adam":
                self.state[i] = 0.9 * self.state[i] + 0.1 * g
                self.state2[i] = 0.999 * self.state2[i] + 0.001 * g * g
                m_hat = self.state[i] / (1 - 0.9 ** self.t)
                v_hat = self.state2[i] / (1 - 0.999 ** self.t)
                p -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)
            else:
                raise SystemExit("numpy_mlp.py: unknown optimizer " + self.name)


def train_step(net, opt, X, Y, weight_decay=0.0):
    A = net.forward(X)
    P = A[-1]
    loss = -np.log(P[np.arange(len(Y)), Y.argmax(axis=1)] + 1e-8).sum()
    correct = int((P.argmax(axis=1) == Y.argmax(axis=1)).sum())
    dW, db = net.gradients(A, Y)
    opt.step(net.W + net.b, dW + db, net.W, weight_decay)
    return loss, correct


def step_mode(batch, layers, precision, min_seconds):
    dtype = np.float32 if precision == "fp32" else np.float64
    rng = np.random.default_rng(3)
    net = MLP(layers, dtype, "relu", rng)
    opt = Optimizer("sgd", 0.01, net.W + net.b)
    X = (rng.random((batch, layers[0])) * 2 - 1).astype(dtype)
    Y = np.eye(layers[-1], dtype=dtype)[rng.integers(0, layers[-1], batch)]
    warm = time.perf_counter()
    while time.perf_counter() - warm < min_seconds / 3:
        train_step(net, opt, X, Y)
    times = []
    start = time.perf_counter()
    while len(times) < 5 or (time.perf_counter() - start < min_seconds and len(times) < 100000):
        t = time.perf_counter()
        train_step(net, opt, X, Y)
        times.append(time.perf_counter() - t)
    times.sort()
    print(json.dumps({"library": "NumPy %s (%s)" % (np.__version__, blas_name()), "precision": precision,
                      "batch": batch, "ms": times[len(times) // 2] * 1e3, "steps": len(times)}), flush=True)


def read_exact(stream, n):
    data = stream.read(n)
    if len(data) != n:
        raise SystemExit("numpy_mlp.py: the input ended early")
    return data


def train_mode(layers, batch, optimizer, lr, precision, activation, seed, weight_decay):
    dtype = np.float32 if precision == "fp32" else np.float64
    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline())
    n, nt, f, c = header["train_rows"], header["test_rows"], header["features"], header["classes"]
    X = np.frombuffer(read_exact(stdin, 4 * n * f), dtype="<f4").reshape(n, f).astype(dtype)
    y = np.frombuffer(read_exact(stdin, 4 * n), dtype="<i4")
    Xt = np.frombuffer(read_exact(stdin, 4 * nt * f), dtype="<f4").reshape(nt, f).astype(dtype)
    yt = np.frombuffer(read_exact(stdin, 4 * nt), dtype="<i4")
    Y = np.eye(c, dtype=dtype)[y]
    rng = np.random.default_rng(seed)
    net = MLP([f] + layers + [c], dtype, activation, rng)
    opt = Optimizer(optimizer, lr, net.W + net.b)
    bs = n if batch <= 0 else batch
    epoch = 0
    library = "NumPy %s (%s)" % (np.__version__, blas_name())
    print(json.dumps({"ready": True, "library": library, "device": "CPU"}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] != "epoch":
            continue
        if len(words) > 1:
            opt.lr = float(words[1])
        t = time.perf_counter()
        order = rng.permutation(n)
        loss = 0.0
        for first in range(0, n, bs):
            idx = order[first:first + bs]
            batch_loss, _ = train_step(net, opt, X[idx], Y[idx], weight_decay)
            loss += batch_loss
        P = net.forward(Xt)[-1]
        test_loss = float(-np.log(P[np.arange(nt), yt] + 1e-8).mean())
        accuracy = float((P.argmax(axis=1) == yt).mean())
        seconds = time.perf_counter() - t
        epoch += 1
        print(json.dumps({"epoch": epoch, "seconds": seconds, "train_loss": float(loss / n), "test_loss": test_loss,
                          "test_accuracy": accuracy,
                          "library": library}), flush=True)


def main():
    mode = sys.argv[1]
    if mode == "step":
        step_mode(int(sys.argv[2]), [int(v) for v in sys.argv[3].split(",")], sys.argv[4], float(sys.argv[5]))
    elif mode == "train":
        train_mode([int(v) for v in sys.argv[2].split(",") if v], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]),
                   sys.argv[6], sys.argv[7], int(sys.argv[8]), float(sys.argv[9]))
    else:
        raise SystemExit("numpy_mlp.py: unknown mode " + mode)


if __name__ == "__main__":
    main()
