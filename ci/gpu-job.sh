#!/usr/bin/env bash
# The GPU job: everything that needs an NVIDIA GPU, in one run, for a machine with no Java and no
# package registry (docs/GPU.md). Run from the project's root after sourcing .device/on-device.sh,
# which sets CP (classes and runtime jars) and TCP (with the test classes) and puts java on PATH:
#   source .device/on-device.sh && bash ci/gpu-job.sh [quick|tune]
#     quick  stops after the kernel checks
#     tune   only tunes the matmul kernels (kernels tune) and benches them beside cuBLAS and CLBlast
# Writes its logs under $OUT (or target/gpu-job) and prints a summary last. Tuned parameters are
# written to $OUT/tuning (bring them back: they are the figures for docs/BENCHMARKS.md) and used by
# every later step of the job. The GPU machine has no nvcc: the CUDA tuner searches the candidates
# compiled beforehand into target/cuda-tuning (docs/GPU.md: kernels tune --compile-only).
set -uo pipefail
out=${OUT:-target/gpu-job}
mkdir -p "$out/tuning"
jvm=(--add-modules jdk.incubator.vector -Djava.awt.headless=true -Dscratchnet.tuning.cache="$out/tuning"
     -Dscratchnet.cuda.cache=target/cuda-tuning)
run() { java "${jvm[@]}" -cp "$CP" dev.scratchnet.cli.Main "$@"; }
summary=()

tune() {
  # 4096 fp32, the size of the goal (95% of cuBLAS); the timeouts leave room for the final comparison,
  # and the 'tune' mode as a whole stays within one 10-minute call (at most 260 + 150 + 2 x 80 s)
  timeout 260 java "${jvm[@]}" -cp "$CP" dev.scratchnet.cli.Main kernels tune --backend cuda --sizes 4096 --precision fp32 \
    --budget 150 > "$out/tune-cuda.txt" 2>&1
  summary+=("tune cuda: $(grep -E '^  (warptile|vectorized|blocktile) ' "$out/tune-cuda.txt" | tr -s ' ' | paste -sd';')")
  timeout 150 java "${jvm[@]}" -cp "$CP" dev.scratchnet.cli.Main kernels tune --backend opencl --sizes 4096 --precision fp32 \
    --budget 80 > "$out/tune-opencl.txt" 2>&1
  summary+=("tune opencl: $(grep -E '^  (regblock|tiled) ' "$out/tune-opencl.txt" | tr -s ' ' | paste -sd';')")
}

if [[ ${1:-} == tune ]]; then
  run devices > "$out/devices.txt" 2>&1
  tune
  for b in cuda opencl; do
    timeout 80 java "${jvm[@]}" -cp "$CP" dev.scratchnet.cli.Main kernels bench --backend "$b" --op matmul --sizes 4096 \
      --precision fp32 --variants "$( [[ $b == cuda ]] && echo warptile,vectorized,blocktile || echo regblock )" \
      > "$out/bench-tuned-$b.txt" 2>&1
    summary+=("bench tuned $b: see $out/bench-tuned-$b.txt")
  done
  printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
  exit 0
fi

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
  tune
  for b in cuda opencl; do
    timeout 420 java "${jvm[@]}" -cp "$CP" dev.scratchnet.cli.Main kernels bench --backend "$b" \
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
  # where a small network's epoch goes on each GPU backend: the small products' kernel choice
  # (Backend.gemmVariantFor keeps them register-blocked on a GPU until this is measured)
  for b in cuda opencl; do
    run workshop bench --backend "$b" --recipes moons,digits --runs 3 --no-fresh-jvm --profile > "$out/workshop-profile-$b.txt" 2>&1
    summary+=("workshop bench --profile $b: see $out/workshop-profile-$b.txt")
  done
fi

printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
