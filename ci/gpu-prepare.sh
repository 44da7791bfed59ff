#!/usr/bin/env bash
# Prepares what the GPU job (ci/gpu-job.sh, docs/GPU.md) carries to a GPU machine that has no Java,
# no package registry and no nvcc. Run here, from the project's root:
#   bash ci/gpu-prepare.sh [--tune]
# 1. A Java runtime with every module scratchnet uses (jlink, Temurin 25): the shared
#    ../shared/device/prepare.sh links one without jdk.incubator.vector (the CPU backend's Vector API)
#    and jdk.management, and every java command of the job, which passes --add-modules
#    jdk.incubator.vector, would stop at "Module jdk.incubator.vector not found". That script keeps a
#    .device/jre.tar.xz it finds, so this one links it first.
# 2. ../shared/device/prepare.sh: builds the project, the JUnit console launcher, the OpenCL loader.
# 3. The first 20000 training and 5000 test rows of Fashion-MNIST into target/fashion-mnist (the whole
#    set would not fit the carry).
# 4. With --tune: the CUDA matmul candidates for kernels tune into target/cuda-tuning (7 MB, 2 minutes).
# 5. Removes what a test run left in target/ (and the emulated CUDA driver, which a GPU machine must not
#    use), prints the carry of each call (verify and perf; tune) and checks each fits the 64 MiB a device
#    call takes beside the tracked files.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
tune=0
case ${1:-} in --tune) tune=1 ;; "") ;; *) echo "gpu-prepare.sh: unknown option '$1' (only --tune)" >&2; exit 2 ;; esac
jdk=/usr/lib/jvm/temurin-25-jdk-amd64
# (jdk.zipfs: JUnit's console launcher scans the class path's jars through it)
modules=java.base,java.logging,java.sql,java.management,jdk.management,jdk.unsupported,java.desktop,jdk.incubator.vector,jdk.zipfs
mkdir -p .device
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
if [[ ! -f .device/jre.tar.xz || "$(cat .device/jre.modules 2>/dev/null)" != "$modules" ]]; then
  echo "== linking a Java runtime with $modules"
  rm -rf /tmp/device-jre .device/jre.tar.xz
  "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --exclude-files='**/libawt_xawt.so,**/libjawt.so,**/libsplashscreen.so,**/libjsound.so' --output /tmp/device-jre
  find /tmp/device-jre -name '*.so' -exec strip --strip-unneeded {} \;
  tar -C /tmp -cJf .device/jre.tar.xz.tmp device-jre
  mv .device/jre.tar.xz.tmp .device/jre.tar.xz
  echo "$modules" > .device/jre.modules
fi
bash ../shared/device/prepare.sh
bash ci/fashion-mnist-subset.sh
if ((tune)); then
  SCRATCHNET_JAVA_OPTS=-Dscratchnet.cuda.cache=target/cuda-tuning \
    ./scratchnet kernels tune --backend cuda --compile-only 24 --precision fp32
fi
rm -rf target/cuda-on-cpu target/surefire-reports target/site target/jacoco.exec target/cuda-emulator target/jvm-cache \
  target/gpu-job target/*.jar target/ci-*.log
# what each call carries (docs/GPU.md), and whether it fits
verify_perf=(.device target/classes target/test-classes target/lib target/test-lib target/fashion-mnist)
tune_carry=(.device target/classes target/lib target/cuda-tuning)
tracked=$(git ls-files -z | du -ck --files0-from=- | tail -n 1 | cut -f1)
fits() {
  local name=$1; shift
  local kib=$(( $(du -sk "$@" 2>/dev/null | awk '{s += $1} END {print s}') + tracked ))
  printf 'carry for %s: %s (%d MiB with the tracked files; at most 64)\n' "$name" "$(printf '"%s", ' "$@" | sed 's/, $//')" $((kib / 1024))
  ((kib <= 64 * 1024)) || { echo "gpu-prepare.sh: the carry for $name is over the 64 MiB a device call takes" >&2; exit 1; }
}
fits "verify and perf" "${verify_perf[@]}"
((tune)) && fits tune "${tune_carry[@]}"
exit 0
