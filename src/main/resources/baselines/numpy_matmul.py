"""NumPy's matmul, the CPU backend's peer in `scratchnet kernels bench`.

Usage: python3 numpy_matmul.py SIZES PRECISIONS MIN_SECONDS
  SIZES       comma list of square sizes, e.g. 256,1024
  PRECISIONS  comma list of fp32, fp64
Prints one JSON object per line: library, precision, size, ms (median), gflops.
"""
import json
import sys
import time

import numpy as np


def blas_name():
    try:
        info = np.show_config(mode="dicts")  # numpy >= 1.25
        return info["Build Dependencies"]["blas"]["name"]
    except Exception:
        pass
    try:
        import ctypes.util
        for lib in ("openblas", "mkl_rt", "blis"):
            if ctypes.util.find_library(lib):
                return lib
    except Exception:
        pass
    return "BLAS"


def main():
    sizes = [int(s) for s in sys.argv[1].split(",")]
    precisions = sys.argv[2].split(",")
    min_seconds = float(sys.argv[3])
    library = "NumPy %s (%s)" % (np.__version__, blas_name())
    for p in precisions:
        dtype = np.float32 if p == "fp32" else np.float64
        for n in sizes:
            rng = np.random.default_rng(n)
            a = rng.random((n, n)).astype(dtype)
            b = rng.random((n, n)).astype(dtype)
            c = np.empty((n, n), dtype=dtype)
            for _ in range(2):
                np.matmul(a, b, out=c)
            times = []
            start = time.perf_counter()
            while len(times) < 5 or (time.perf_counter() - start < min_seconds and len(times) < 200):
                t = time.perf_counter()
                np.matmul(a, b, out=c)
                times.append(time.perf_counter() - t)
            times.sort()
            ms = times[len(times) // 2] * 1e3
            print(json.dumps({"library": library, "precision": p, "size": n, "ms": ms,
                              "gflops": 2.0 * n ** 3 / (ms * 1e-3) / 1e9}), flush=True)


if __name__ == "__main__":
    main()
