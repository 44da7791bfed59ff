#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine without a GPU:
#   PoCL, an OpenCL driver for the CPU, with the ICD loader: the OpenCL kernels run on it;
#   clinfo, to show what the loader finds;
#   Oclgrind, the OpenCL simulator that checks kernels for out-of-bounds accesses and data races;
#   g++ (with binutils), which builds the emulated CUDA driver the CUDA tests run on;
#   NumPy, scikit-learn and PyTorch (CPU) for /usr/bin/python3: the notebooks' own code and the NumPy
#   and PyTorch peers, which the
#   parity and interoperability tests run (without them those tests skip, and CI's second run fails).
set -euo pipefail
packages=(pocl-opencl-icd ocl-icd-libopencl1 clinfo oclgrind g++ python3-numpy python3-sklearn python3-torch)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "OpenCL platforms:"
clinfo -l || true
