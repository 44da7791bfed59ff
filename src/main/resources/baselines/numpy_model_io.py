"""NumPy's peer for `scratchnet model bench`: np.savez / np.load of the same arrays, and a
safetensors file read by its header alone (json + np.frombuffer), median milliseconds of REPEATS.
Usage: numpy_model_io.py DIR REPEATS SIZES(comma list) DTYPE(f4|f8)"""
import json, os, struct, sys, time
import numpy as np

d, repeats, sizes, dtype = sys.argv[1], int(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")], sys.argv[4]
rng = np.random.default_rng(0)
arrays = {}
for l in range(len(sizes) - 1):
    arrays[f"W{l + 1}"] = rng.standard_normal((sizes[l], sizes[l + 1])).astype(dtype)
    arrays[f"b{l + 1}"] = np.zeros((1, sizes[l + 1]), dtype=dtype)
npz = os.path.join(d, "numpy-peer.npz")
st = os.path.join(d, "numpy-peer.safetensors")

def median(f):
    t = []
    for _ in range(repeats):
        s = time.perf_counter(); f(); t.append((time.perf_counter() - s) * 1e3)
    t.sort(); return t[len(t) // 2]

def save_npz():
    with open(npz, "wb") as f:
        np.savez(f, **arrays); f.flush(); os.fsync(f.fileno())

def load_npz():
    with np.load(npz) as z:
        return {k: z[k] for k in z.files}

def save_st():
    header, off, blobs = {}, 0, []
    for k, a in arrays.items():
        b = a.tobytes(); header[k] = {"dtype": "F32" if dtype == "f4" else "F64", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        off += len(b); blobs.append(b)
    h = json.dumps(header).encode(); h += b" " * ((8 - len(h) % 8) % 8)
    with open(st, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)
        f.flush(); os.fsync(f.fileno())

def load_st():
    with open(st, "rb") as f:
        buf = f.read()
    n = struct.unpack("<Q", buf[:8])[0]; h = json.loads(buf[8:8 + n]); out = {}
    for k, v in h.items():
        if k == "__metadata__": continue
        b, e = v["data_offsets"]
        out[k] = np.frombuffer(buf, dtype="<" + dtype, count=(e - b) // int(dtype[1]), offset=8 + n + b).reshape(v["shape"])
    return out

save_npz(); save_st()
print(f"npz save {median(save_npz):.3f}")
print(f"npz load {median(load_npz):.3f}")
print(f"safetensors save {median(save_st):.3f}")
print(f"safetensors load {median(load_st):.3f}")
os.remove(npz); os.remove(st)
