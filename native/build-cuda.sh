#!/usr/bin/env bash
# Compiles kernels/cuda/*.cu with nvcc, for the CUDA backend to load at run time:
#   OUT/<name>.ptx     PTX for compute_75 (nvcc 13 writes PTX 9.0: drivers of CUDA 13 or newer)
#   OUT/<name>.fatbin  machine code for sm_80 (A100) and sm_90 (H100, H200), plus that PTX and PTX
#                      for compute_80 (which the driver compiles on a newer GPU: TF32's matmul_tf32 is
#                      real code from compute_80 on, and a trap in the compute_75 PTX)
# Warnings are errors. Maven runs this during its build (process-classes) with OUT set to
# target/classes/kernels/cuda, so the jar carries the results. A file is compiled again only when
# it or common.cuh is newer than its outputs. Without nvcc this prints one line and succeeds: the
# build goes on, and the CUDA backend then says its kernels are not built.
#   bash native/build-cuda.sh OUT_DIR
set -euo pipefail
out=${1:?usage: build-cuda.sh OUT_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$root/kernels/cuda

nvcc=${NVCC:-}
if [[ -z $nvcc ]]; then
  if command -v nvcc >/dev/null 2>&1; then nvcc=nvcc
  elif [[ -x /usr/local/cuda/bin/nvcc ]]; then nvcc=/usr/local/cuda/bin/nvcc
  fi
fi
if [[ -z $nvcc ]]; then
  echo "native: nvcc not found, CUDA kernels not built (install the CUDA toolkit to build them)"
  exit 0
fi

mkdir -p "$out"
flags=(-std=c++17 --Werror all-warnings -Xptxas -Werror -I "$src")
built=0
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  ptx=$out/$name.ptx
  fatbin=$out/$name.fatbin
  if [[ -f $ptx && -f $fatbin && $ptx -nt $cu && $ptx -nt $src/common.cuh && $fatbin -nt $cu && $fatbin -nt $src/common.cuh ]]; then
    continue
  fi
  "$nvcc" "${flags[@]}" -ptx -arch=compute_75 -o "$ptx" "$cu"
  "$nvcc" "${flags[@]}" -fatbin \
    -gencode arch=compute_80,code=[sm_80,compute_80] \
    -gencode arch=compute_90,code=sm_90 \
    -gencode arch=compute_75,code=compute_75 \
    -o "$fatbin" "$cu"
  built=$((built + 1))
done
echo "native: $("$nvcc" --version | grep -o 'release [0-9.]*' || echo nvcc): $built of $(ls "$src"/*.cu | wc -l) CUDA modules compiled into $out (PTX compute_75, fatbin sm_80 sm_90 + PTX compute_75 compute_80)"
