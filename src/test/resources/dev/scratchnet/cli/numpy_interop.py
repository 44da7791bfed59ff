"""NumPy's side of NumpyInteropTest.

  check MODEL RAW.npy PREDICTED.npy   load a scratchnet model (.npz with np.load; .safetensors by its
                                      header alone: json + np.frombuffer), run it on the raw rows with
                                      its saved normalisation, print the largest relative difference
                                      to scratchnet's predict output (label column, probabilities)
  write DIR TEMPLATE_MODEL.npz        write weights drawn by NumPy as DIR/numpy.npz (W in Fortran
                                      order, 1-D biases) and DIR/numpy.safetensors, and NumPy's own
                                      predictions for RAW as DIR/expected-DTYPE.npy
"""
import json, struct, sys
import numpy as np

def load(path):
    if path.endswith(".npz"):
        z = np.load(path)
        md = json.loads(str(z["metadata"]))
        tensors = {k: z[k] for k in z.files if k != "metadata"}
        return md, tensors
    buf = open(path, "rb").read()
    n = struct.unpack("<Q", buf[:8])[0]
    header = json.loads(buf[8:8 + n])
    md = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        dt = {"F32": "<f4", "F64": "<f8"}[t["dtype"]]
        b, e = t["data_offsets"]
        tensors[name] = np.frombuffer(buf, dtype=dt, count=(e - b) // np.dtype(dt).itemsize, offset=8 + n + b).reshape(t["shape"])
    return md, tensors

def act(name, z):
    if name == "relu": return np.maximum(z, 0)
    if name == "tanh": return np.tanh(z)
    if name == "sigmoid": return 1 / (1 + np.exp(-z))
    if name == "identity": return z
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True)); return e / e.sum(axis=1, keepdims=True)
    raise ValueError(name)

def forward(md, tensors, raw):
    dtype = tensors["W1"].dtype
    x = ((raw - np.array(json.loads(md["input_mean"]))) / np.array(json.loads(md["input_scale"]))).astype(dtype).astype(np.float64)
    for l, a in enumerate(json.loads(md["activations"]), start=1):
        x = act(a, x @ tensors[f"W{l}"].astype(np.float64) + tensors[f"b{l}"].astype(np.float64).reshape(1, -1))
    return x

if sys.argv[1] == "check":
    md, tensors = load(sys.argv[2])
    raw = np.load(sys.argv[3])
    got = np.load(sys.argv[4])
    p = forward(md, tensors, raw)
    labels = p.argmax(axis=1)
    rel = np.abs(got[:, 1:] - p) / np.maximum(np.abs(p), 1e-300)
    print(f"labels_equal {int((got[:, 0] == labels).all())}")
    print(f"max_relative {np.abs(got[:, 1:] - p).max() / np.abs(p).max():.3e}")
    print(f"max_elementwise_relative {rel.max():.3e}")
    print(f"max_absolute {np.abs(got[:, 1:] - p).max():.3e}")
else:
    out, template, raw_path = sys.argv[2], sys.argv[3], sys.argv[4]
    md, _ = load(template)
    raw = np.load(raw_path)
    sizes = json.loads(md["layer_sizes"])
    rng = np.random.default_rng(7)
    for dtype in ("f4", "f8"):
        t = {}
        for l in range(1, len(sizes)):
            t[f"W{l}"] = np.asfortranarray(rng.standard_normal((sizes[l - 1], sizes[l])) * np.sqrt(2 / sizes[l - 1])).astype(dtype)
            t[f"b{l}"] = (rng.standard_normal(sizes[l]) * 0.1).astype(dtype)
        meta = {"activations": md["activations"], "input_mean": md["input_mean"], "input_scale": md["input_scale"],
                "class_names": md["class_names"], "data": md["data"], "seed": md["seed"], "test_fraction": md["test_fraction"],
                "validation_fraction": md["validation_fraction"]}
        np.savez(f"{out}/numpy-{dtype}.npz", metadata=np.array(json.dumps(meta)), **t)
        header, off, blobs = {"__metadata__": meta}, 0, []
        for k, a in t.items():
            b = np.ascontiguousarray(a).astype("<" + dtype).tobytes()
            header[k] = {"dtype": "F32" if dtype == "f4" else "F64", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
            off += len(b); blobs.append(b)
        h = json.dumps(header).encode()
        with open(f"{out}/numpy-{dtype}.safetensors", "wb") as f:
            f.write(struct.pack("<Q", len(h))); f.write(h)
            for b in blobs: f.write(b)
        np.save(f"{out}/expected-{dtype}.npy", forward(meta, t, raw))
    print("written")
