"""cuBLAS through PyTorch's torch.mm, the CUDA backend's peer in `scratchnet kernels bench`.

Usage: python3 torch_matmul.py SIZES PRECISIONS MIN_SECONDS [--tf32]
  SIZES       comma list of square sizes, e.g. 1024,4096
  PRECISIONS  comma list of fp32, fp64
  --tf32      TF32 tensor cores on for fp32 (torch.backends.cuda.matmul.allow_tf32 = True): the
              peer of `kernels bench --backend cuda --tf32` and its matmul_tf32
Without --tf32, TF32 is off, so fp32 is true single precision (what the scratchnet kernels compute
by default). fp64 is the same either way. Times with
CUDA events around each call, after a warm-up; prints one JSON object per line: library,
precision, size, ms (median), gflops.
"""
import json
import sys
import time

import torch


def main():
    if not torch.cuda.is_available():
        sys.exit("torch_matmul.py: PyTorch sees no CUDA device")
    args = [a for a in sys.argv[1:] if a != "--tf32"]
    tf32 = len(args) != len(sys.argv) - 1
    if len(args) != 3:
        sys.exit("usage: torch_matmul.py SIZES PRECISIONS MIN_SECONDS [--tf32]")
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    sizes = [int(s) for s in args[0].split(",")]
    precisions = args[1].split(",")
    min_seconds = float(args[2])
    library = "cuBLAS%s (PyTorch %s, CUDA %s)" % (" TF32" if tf32 else "", torch.__version__, torch.version.cuda)
    for p in precisions:
        dtype = torch.float32 if p == "fp32" else torch.float64
        for n in sizes:
            a = torch.rand((n, n), dtype=dtype, device="cuda")
            b = torch.rand((n, n), dtype=dtype, device="cuda")
            c = torch.empty((n, n), dtype=dtype, device="cuda")
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            warm = time.perf_counter()
            while time.perf_counter() - warm < min_seconds / 3:
                torch.mm(a, b, out=c)
            torch.cuda.synchronize()
            times = []
            begin = time.perf_counter()
            while len(times) < 5 or (time.perf_counter() - begin < min_seconds and len(times) < 200):
                start.record()
                torch.mm(a, b, out=c)
                stop.record()
                stop.synchronize()
                times.append(start.elapsed_time(stop))
            times.sort()
            ms = times[len(times) // 2]
            print(json.dumps({"library": library, "precision": p, "size": n, "ms": ms,
                              "gflops": 2.0 * n ** 3 / (ms * 1e-3) / 1e9}), flush=True)


if __name__ == "__main__":
    main()
