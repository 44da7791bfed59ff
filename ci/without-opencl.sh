#!/usr/bin/env bash
# Runs a command as on a machine with Java and Maven only: in a private mount namespace, every
# libOpenCL.so* the dynamic linker could find is hidden (an overlay that deletes it, or, where
# overlays are refused, /dev/null bound over it). Nothing is uninstalled and nothing outside the
# command sees a change. Needs root (or CAP_SYS_ADMIN) for unshare -m.
#   bash ci/without-opencl.sh mvn -B verify
set -euo pipefail
if [[ ${1:-} != --inside ]]; then
  if ! command -v unshare >/dev/null || ! unshare -m true 2>/dev/null; then
    echo "without-opencl: cannot make a private mount namespace (unshare -m needs root or CAP_SYS_ADMIN; this is uid $(id -u))," \
         "so libOpenCL.so.1 cannot be hidden for the bare-machine run" >&2
    exit 1
  fi
  exec unshare -m --propagation private bash "$0" --inside "$@"
fi
shift
dirs=$( { /sbin/ldconfig -p 2>/dev/null | sed -n 's|.*libOpenCL\.so[.0-9]* .*=> \(.*\)/[^/]*$|\1|p'
          ls -d /lib/*-linux-gnu /usr/lib/*-linux-gnu /lib64 /usr/lib64 /lib /usr/lib /usr/local/lib 2>/dev/null
        } | xargs -r -n1 readlink -f | sort -u)
hidden=()
for d in $dirs; do
  compgen -G "$d/libOpenCL.so*" >/dev/null || continue
  scratch=$(mktemp -d)
  mount -t tmpfs tmpfs "$scratch" && mkdir "$scratch/upper" "$scratch/work"
  if mount -t overlay overlay -o "lowerdir=$d,upperdir=$scratch/upper,workdir=$scratch/work" "$d" 2>/dev/null; then
    rm -f "$d"/libOpenCL.so*
  else
    for f in "$d"/libOpenCL.so*; do mount --bind /dev/null "$f"; done
  fi
  hidden+=("$d")
done
echo "without-opencl: libOpenCL.so* hidden in ${hidden[*]:-(none was installed)}"
exec "$@"
