#!/usr/bin/env bash
# Runs a command as on a machine with Java and Maven only: in a private mount namespace, Python,
# the C and C++ compilers, the CUDA toolkit, Oclgrind and clinfo are hidden (an overlay that deletes
# them on /usr/bin, /usr/local/bin and every directory on the PATH, such as a pyenv's shims, and an
# empty directory over /usr/local/cuda-*), and then, through
# ci/without-opencl.sh, the OpenCL loader. Nothing is uninstalled and nothing outside the command
# sees a change. Needs root (or CAP_SYS_ADMIN) for unshare -m.
#   bash ci/java-and-maven-only.sh mvn -B verify
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ${1:-} != --inside ]]; then
  if ! command -v unshare >/dev/null || ! unshare -m true 2>/dev/null; then
    echo "java-and-maven-only: cannot make a private mount namespace (unshare -m needs root or CAP_SYS_ADMIN; this is uid $(id -u))" >&2
    exit 1
  fi
  exec unshare -m --propagation private bash "$0" --inside "$@"
fi
shift
tools=(python python3 'python3.*' g++ 'g++-*' gcc 'gcc-*' c++ cc 'x86_64-linux-gnu-g++*' 'x86_64-linux-gnu-gcc*' nvcc oclgrind clinfo)
hidden=()
dirs=$( { echo /usr/bin; echo /usr/local/bin; tr ':' '\n' <<<"${PATH:-}"; } | while read -r d; do
          [[ -n $d && -d $d ]] && readlink -f "$d"; done | sort -u)
for d in $dirs; do
  found=()
  for t in "${tools[@]}"; do
    for f in "$d"/$t; do
      [[ -e $f || -L $f ]] && found+=("$f")
    done
  done
  ((${#found[@]})) || continue
  scratch=$(mktemp -d)
  mount -t tmpfs tmpfs "$scratch" && mkdir "$scratch/upper" "$scratch/work"
  if ! mount -t overlay overlay -o "lowerdir=$d,upperdir=$scratch/upper,workdir=$scratch/work" "$d" 2>/dev/null; then
    echo "java-and-maven-only: cannot overlay $d, so ${found[*]} stay visible" >&2
    continue
  fi
  rm -f "${found[@]}"
  hidden+=("${found[@]##*/}")
done
for d in /usr/local/cuda /usr/local/cuda-*; do
  if [[ -d $d && ! -L $d ]]; then
    mount --bind "$(mktemp -d)" "$d" && hidden+=("$d")
  fi
done
echo "java-and-maven-only: hidden ${hidden[*]:-(none was installed)}"
exec bash "$here/without-opencl.sh" "$@"
