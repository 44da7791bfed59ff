"""The multilayer perceptron of `scratchnet train` in PyTorch eager mode, written as a PyTorch user
would (nn.Sequential of nn.Linear and activations, autograd, torch.optim): the peer of
`scratchnet train --bench --bench-peer torch`, and the other side of the parity test
(src/test/java/dev/scratchnet/lab/TorchMlpParityTest.java).

Network and training, as scratchnet's (and numpy_mlp.py's):
  - dense layers with a hidden activation (relu, sigmoid, tanh, identity, leaky_relu[:SLOPE]),
    softmax output, cross-entropy averaged over the batch. Train mode (the benchmark) uses
    F.cross_entropy on class indices, as a PyTorch user writes it (fused log-softmax and NLL; the
    gradient is the notebooks' (P - Y) / m). Replay mode (the parity test) uses a small autograd
    Function on one-hot rows whose loss is the notebooks' -sum(Y log(P + 1e-8)) / m, the same
    gradient, so that the reported losses match scratchnet's to 1e-10 (F.cross_entropy's have no
    epsilon and differ by up to 1e-8 / p).
  - optimizers: sgd (torch.optim.SGD), momentum[:MU] (SGD with momentum=MU, dampening 0:
    v = MU v + g, p -= lr v), rmsprop[:RHO] (RMSprop with alpha=RHO, eps=1e-8: eps outside the
    square root), adam (Adam, betas 0.9 and 0.999, eps=1e-8 outside the square root, bias
    correction). Weight decay as scratchnet's: decoupled, W *= 1 - lr * L on the weight matrices
    (not the biases) before each update (for adam that is AdamW).
  - fp32 or fp64; on fp32 CUDA TF32 is off (PyTorch 1.13's default for matmuls; set here to be sure).
  - the data go to the device once; each epoch's shuffle is drawn there (torch.randperm); per batch
    the rows are gathered there; the loss and correct count accumulate there and are read once per
    epoch. torch.cuda.synchronize() before every clock read. No torch.compile.

Usage:
  python3 torch_mlp.py train HIDDEN BATCH OPTIMIZER LR PRECISION ACTIVATION SEED DEVICE WEIGHT_DECAY
      HIDDEN like 256,128; DEVICE cpu or cuda. Reads standard input as numpy_mlp.py's train mode
      does (a JSON header line, then the training and test features as float32 and labels as
      int32, little-endian), puts the data on the device, draws the weights (He normal, biases 0,
      torch.manual_seed(SEED)), and prints one JSON line: ready, library, device. Then, for each
      line "epoch [LR]" on standard input, trains one epoch (at learning rate LR where given) and
      evaluates the test set, and prints one JSON line: epoch, seconds (the epoch and its test
      pass), train_loss, train_accuracy, test_loss, test_accuracy, library, device.
  python3 torch_mlp.py replay FILE.npz OPTIMIZER LR PRECISION ACTIVATION DEVICE WEIGHT_DECAY
      Trains from the arrays in FILE: x (rows x features), labels (rows), classes (one value),
      W1, b1, W2, b2, ... (the initial parameters as scratchnet keeps them: W inputs x outputs, b
      1 x outputs), order (epochs x rows: each epoch's row order) and batch (one value; 0: all rows).
      Prints one JSON line per epoch as train mode does (no test set: test figures are null).
An error in the input or the device prints one JSON line {"error": MESSAGE} and exits with status 1.
"""
import json
import sys
import time

EPS = 1e-8


def fail(message):
    print(json.dumps({"error": "torch_mlp.py: " + message}), flush=True)
    sys.exit(1)


try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    fail("PyTorch is not installed for " + sys.executable + " (" + str(e) + "): install python3-torch")


class SoftmaxCrossEntropy(torch.autograd.Function):
    """Softmax and cross-entropy on the logits Z against one-hot Y: loss -sum(Y log(P + 1e-8)) / m,
    gradient (P - Y) / m, as scratchnet computes them."""

    @staticmethod
    def forward(ctx, z, y):
        p = torch.softmax(z, dim=1)
        ctx.save_for_backward(p, y)
        ctx.mark_non_differentiable(p)
        return -(y * torch.log(p + EPS)).sum() / z.shape[0], p

    @staticmethod
    def backward(ctx, grad, _grad_p):
        p, y = ctx.saved_tensors
        return (p - y) * (grad / p.shape[0]), None


def activation(spec):
    name, _, value = spec.partition(":")
    if name == "relu":
        return nn.ReLU()
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "tanh":
        return nn.Tanh()
    if name == "identity":
        return nn.Identity()
    if name == "leaky_relu":
        return nn.LeakyReLU(float(value) if value else 0.01)
    fail("unknown activation " + spec + ": expected relu, sigmoid, tanh, identity or leaky_relu[:SLOPE]")


def network(sizes, act, dtype, device):
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out, dtype=dtype, device=device))
        if i < len(sizes) - 2:
            layers.append(activation(act))
    return nn.Sequential(*layers)


def linears(net):
    return [m for m in net if isinstance(m, nn.Linear)]


def optimizer(spec, lr, net):
    name, _, value = spec.partition(":")
    params = list(net.parameters())
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=float(value) if value else 0.9)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=float(value) if value else 0.9, eps=1e-8)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    fail("unknown optimizer " + spec + ": expected sgd, momentum[:MU], rmsprop[:RHO] or adam")


def device_of(name):
    if name == "cuda":
        if not torch.cuda.is_available():
            fail("PyTorch %s here has no CUDA device (torch.cuda.is_available() is false): use --bench-peer numpy, "
                 "or a PyTorch built with CUDA" % torch.__version__)
        torch.backends.cuda.matmul.allow_tf32 = False
        return torch.device("cuda"), torch.cuda.get_device_name(0)
    if name == "cpu":
        threads = torch.get_num_threads()
        return torch.device("cpu"), "CPU, %d thread%s" % (threads, "" if threads == 1 else "s")
    fail("unknown device " + name + ": expected cpu or cuda")


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


class Trainer:
    def __init__(self, net, opt, weight_decay, device, library, device_name):
        self.net, self.opt, self.weight_decay = net, opt, weight_decay
        self.weights = [m.weight for m in linears(net)]
        self.device, self.library, self.device_name = device, library, device_name
        self.epochs = 0

    def epoch(self, x, y, order, batch, xt=None, yt=None, lr=None):
        """One epoch over the rows of x in the given order (a device tensor), then the test pass."""
        if lr is not None:
            for group in self.opt.param_groups:
                group["lr"] = lr
        synchronize(self.device)
        start = time.perf_counter()
        n = x.shape[0]
        bs = n if batch <= 0 else batch
        loss_sum = torch.zeros((), dtype=x.dtype, device=self.device)
        correct = torch.zeros((), dtype=torch.int64, device=self.device)
        for first in range(0, n, bs):
            idx = order[first:first + bs]
            xb, yb = x[idx], y[idx]
            if yb.dim() == 1:
                # class indices: the idiomatic F.cross_entropy (fused log-softmax and NLL), what the speed is measured on
                z = self.net(xb)
                loss = F.cross_entropy(z, yb)
                correct += (z.detach().argmax(dim=1) == yb).sum()
            else:
                # one-hot rows (replay): the notebooks' loss with its epsilon, for parity to 1e-10
                loss, p = SoftmaxCrossEntropy.apply(self.net(xb), yb)
                correct += (p.detach().argmax(dim=1) == yb.argmax(dim=1)).sum()
            loss_sum += loss.detach() * xb.shape[0]
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            if self.weight_decay > 0:
                with torch.no_grad():
                    factor = 1 - self.opt.param_groups[0]["lr"] * self.weight_decay
                    for w in self.weights:
                        w.mul_(factor)
            self.opt.step()
        figures = [loss_sum / n, correct.to(x.dtype) / n]
        if xt is not None:
            with torch.no_grad():
                zt = self.net(xt)
                if yt.dim() == 1:
                    figures.append(F.cross_entropy(zt, yt))
                    figures.append((zt.argmax(dim=1) == yt).to(x.dtype).mean())
                else:
                    pt = torch.softmax(zt, dim=1)
                    figures.append(-(yt * torch.log(pt + EPS)).sum() / xt.shape[0])
                    figures.append((pt.argmax(dim=1) == yt.argmax(dim=1)).to(x.dtype).mean())
        values = torch.stack(figures).tolist()   # the epoch's one read-back
        synchronize(self.device)
        seconds = time.perf_counter() - start
        self.epochs += 1
        return {"epoch": self.epochs, "seconds": seconds, "train_loss": values[0], "train_accuracy": values[1],
                "test_loss": values[2] if xt is not None else None, "test_accuracy": values[3] if xt is not None else None,
                "library": self.library, "device": self.device_name}


def library():
    return "PyTorch %s eager" % torch.__version__


def dtype_of(precision):
    if precision not in ("fp32", "fp64"):
        fail("unknown precision " + precision + ": expected fp32 or fp64")
    return torch.float32 if precision == "fp32" else torch.float64


def one_hot(labels, classes, dtype):
    return torch.nn.functional.one_hot(labels.long(), classes).to(dtype)


def read_exact(stream, n):
    data = stream.read(n)
    if len(data) != n:
        fail("the input ended early")
    return data


def train_mode(hidden, batch, opt_spec, lr, precision, act, seed, device_name, weight_decay):
    dtype = dtype_of(precision)
    device, described = device_of(device_name)
    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline())
    n, nt, f, c = header["train_rows"], header["test_rows"], header["features"], header["classes"]

    def floats(rows):
        t = torch.frombuffer(bytearray(read_exact(stdin, 4 * rows * f)), dtype=torch.float32).reshape(rows, f)
        return t.to(device=device, dtype=dtype)

    def labels(rows):
        t = torch.frombuffer(bytearray(read_exact(stdin, 4 * rows)), dtype=torch.int32)
        if t.numel() and (int(t.min()) < 0 or int(t.max()) >= c):
            fail("a label is outside 0..%d" % (c - 1))
        return t.to(device=device, dtype=torch.int64)   # class indices, as F.cross_entropy takes them

    x, y = floats(n), labels(n)
    xt, yt = floats(nt), labels(nt)
    torch.manual_seed(seed)
    net = network([f] + hidden + [c], act, dtype, device)
    with torch.no_grad():
        for m in linears(net):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")   # He: std sqrt(2 / fan_in), as scratchnet's default
            nn.init.zeros_(m.bias)
    trainer = Trainer(net, optimizer(opt_spec, lr, net), weight_decay, device, library(), described)
    shuffle = torch.Generator(device=device)
    shuffle.manual_seed(seed + 1)
    synchronize(device)
    print(json.dumps({"ready": True, "library": trainer.library, "device": described}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] != "epoch":
            continue
        order = torch.randperm(n, device=device, generator=shuffle)
        result = trainer.epoch(x, y, order, batch, xt, yt, float(words[1]) if len(words) > 1 else None)
        print(json.dumps(result), flush=True)


def replay_mode(path, opt_spec, lr, precision, act, device_name, weight_decay):
    import numpy as np
    dtype = dtype_of(precision)
    device, described = device_of(device_name)
    try:
        arrays = np.load(path)
        x, labels, order = arrays["x"], arrays["labels"], arrays["order"]
        classes, batch = int(arrays["classes"].reshape(-1)[0]), int(arrays["batch"].reshape(-1)[0])
        layers = sum(1 for k in arrays.files if k.startswith("W"))
        params = [(arrays["W%d" % l], arrays["b%d" % l]) for l in range(1, layers + 1)]
    except (OSError, KeyError, ValueError, IndexError) as e:
        fail("cannot read %s: %s" % (path, e))
    if layers == 0 or order.ndim != 2 or order.shape[1] != x.shape[0] or len(labels) != x.shape[0]:
        fail("%s: expected W1.., b1.., x (rows x features), labels (rows), order (epochs x rows)" % path)
    sizes = [params[0][0].shape[0]] + [w.shape[1] for w, _ in params]
    net = network(sizes, act, dtype, device)
    with torch.no_grad():
        for m, (w, b) in zip(linears(net), params):
            m.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
            m.bias.copy_(torch.from_numpy(b.reshape(-1)))
    trainer = Trainer(net, optimizer(opt_spec, lr, net), weight_decay, device, library(), described)
    xs = torch.from_numpy(np.ascontiguousarray(x)).to(device=device, dtype=dtype)
    ys = one_hot(torch.from_numpy(labels.astype(np.int64)).to(device), classes, dtype)
    for e in range(order.shape[0]):
        result = trainer.epoch(xs, ys, torch.from_numpy(order[e].astype(np.int64)).to(device), batch)
        print(json.dumps(result), flush=True)


def main():
    args = sys.argv[1:]
    try:
        if args and args[0] == "train" and len(args) == 10:
            train_mode([int(v) for v in args[1].split(",") if v], int(args[2]), args[3], float(args[4]), args[5], args[6],
                       int(args[7]), args[8], float(args[9]))
            return
        if args and args[0] == "replay" and len(args) == 8:
            replay_mode(args[1], args[2], float(args[3]), args[4], args[5], args[6], float(args[7]))
            return
    except ValueError as e:
        fail("bad argument: %s" % e)
    fail("usage: torch_mlp.py train HIDDEN BATCH OPTIMIZER LR PRECISION ACTIVATION SEED DEVICE WEIGHT_DECAY, "
         "or replay FILE.npz OPTIMIZER LR PRECISION ACTIVATION DEVICE WEIGHT_DECAY")


if __name__ == "__main__":
    main()
