#!/usr/bin/env bash
# The GPU job: everything that needs an NVIDIA GPU, in one run, for a machine with no Java and no
# package registry (docs/GPU.md). Run from the project's root after sourcing .device/on-device.sh,
# which sets CP (classes and runtime jars) and TCP (with the test classes) and puts java on PATH:
#   source .device/on-device.sh && bash ci/gpu-job.sh [quick]
# Writes its logs under $OUT (or target/gpu-job) and prints a summary last.
set -uo pipefail
out=${OUT:-target/gpu-job}
mkdir -p "$out"
run() { java --add-modules jdk.incubator.vector -Djava.awt.headless=true -cp "$CP" dev.scratchnet.cli.Main "$@"; }
summary=()

{ nvidia-smi; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv; } > "$out/nvidia-smi.txt" 2>&1
run devices > "$out/devices.txt" 2>&1
summary+=("devices: $(grep -E '^(cuda|opencl) ' "$out/devices.txt" | tr -s ' ' | paste -sd';')")

# the whole test suite with both GPU backends required: none of their tests may skip
SCRATCHNET_REQUIRE=opencl,cuda timeout 540 java --add-modules jdk.incubator.vector -Djava.awt.headless=true \
  -jar .device/junit-console.jar execute -cp "$TCP" --scan-classpath --disable-banner --details=summary \
  > "$out/tests.txt" 2>&1
summary+=("tests: $(grep -E 'tests (successful|failed|skipped|aborted)' "$out/tests.txt" | tr -s ' ' | paste -sd',')")

for b in cuda opencl; do
  run kernels check --backend "$b" > "$out/check-$b.txt" 2>&1
  summary+=("kernels check $b: $(tail -n 1 "$out/check-$b.txt")")
done

if [[ ${1:-} != quick ]]; then
  for b in cuda opencl; do
    timeout 420 java --add-modules jdk.incubator.vector -cp "$CP" dev.scratchnet.cli.Main kernels bench --backend "$b" \
      --sizes 1024,2048,4096 --variants "$( [[ $b == cuda ]] && echo warptile,vectorized,blocktile,tiled || echo regblock,tiled )" \
      > "$out/bench-$b.txt" 2>&1
    summary+=("bench $b: see $out/bench-$b.txt")
  done
  for r in digits moons; do
    for b in cuda opencl; do
      run workshop "$r" --backend "$b" --precision fp32 --json "$out/$b-$r-fp32.json" > "$out/$b-$r-fp32.txt" 2>&1
      summary+=("workshop $r $b fp32: $(grep -E 'Final (Test )?Accuracy' "$out/$b-$r-fp32.txt" | head -1 | tr -s ' ')")
    done
  done
fi

printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
