#!/usr/bin/env bash
# The GPU job: everything that needs an NVIDIA GPU, for a machine with no Java and no package
# registry (docs/GPU.md). Run from the project's root after sourcing .device/on-device.sh, which sets
# CP (classes and runtime jars) and TCP (with the test classes) and puts java on PATH:
#   source .device/on-device.sh && bash ci/gpu-job.sh [verify|perf|tune|all]
#     verify (default)  devices, kernel checks, fp32 recipes, the whole test suite with both GPU
#                       backends required, the CUDA tests under compute-sanitizer (memcheck, racecheck)
#     perf              matmul beside cuBLAS and CLBlast (TF32 too), launch cost, one profiled
#                       training step, Fashion-MNIST training beside PyTorch at batch 128 and 1024,
#                       where the small recipes' epochs go
#     tune              tunes the matmul kernels at 4096 fp32 and benches the tuned ones
#     all               verify, then perf
# Each of verify, perf and tune fits one 10-minute device call (every step has its own time limit,
# their sum under 570 s), so a session's 15 minutes of device time hold a start and two calls: verify
# first, then perf. Everything goes under $OUT (or target/gpu-job); the summary is written line by line
# to $OUT/summary.txt as the steps end, so a call cut short still brings back what it did.
set -uo pipefail
out=${OUT:-target/gpu-job}
mode=${1:-verify}
case $mode in verify|perf|tune|all) ;; *) echo "gpu-job.sh: unknown mode '$mode' (verify, perf, tune or all)" >&2; exit 2 ;; esac
mkdir -p "$out/tuning"
# (the device's runtime is Java 25: without native access granted, JOCL and JCuda loading their libraries
# print four WARNING lines on every command, as the scratchnet launcher knows)
jvm=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true
     -Dscratchnet.tuning.cache="$out/tuning" -Dscratchnet.cuda.cache=target/cuda-tuning)
# signal chaining, as the launcher and the tests have it (docs/DESIGN.md): a driver's LLVM may replace the JVM's
# SIGSEGV handler, and the JVM then dies at a safepoint without a report
jsig=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/libjsig.so
[[ -f $jsig ]] && export LD_PRELOAD=$jsig${LD_PRELOAD:+:$LD_PRELOAD}
summary=$out/summary.txt
: > "$summary"
note() { printf '%s\n' "$*" | tee -a "$summary"; }
# step SECONDS LOG COMMAND...: runs the command with a time limit, its output in $out/LOG
step() {
  local limit=$1 log=$2; shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" > "$out/$log" 2>&1
  local rc=$?
  [[ $rc == 124 ]] && echo "(stopped after ${limit} s)" >> "$out/$log"
  echo "$log: exit $rc in $((SECONDS - t0)) s" >> "$out/timings.txt"
  return $rc
}
# the commands, as arrays: timeout runs programs, not shell functions
scratchnet=(java "${jvm[@]}" -cp "$CP" dev.scratchnet.cli.Main)
# JUnit's console launcher on the JVM's own class path, not `-jar ... -cp`: the tests that start a child JVM
# (kernels check's worker, the fresh-JVM and signal tests) pass it java.class.path, which with -cp would
# hold only the launcher's jar ("Could not find or load main class", found in the dry run)
junit=(java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -cp "$TCP:.device/junit-console.jar"
       org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary)
counts() { grep -E 'tests (successful|failed|skipped|aborted)' "$out/$1" | tr -s ' ' | paste -sd','; }
sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -n 1)

verify() {
  { nvidia-smi; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv; } > "$out/nvidia-smi.txt" 2>&1
  note "gpu: $(sed -n 2p <(nvidia-smi --query-gpu=name,driver_version --format=csv 2>&1))"
  step 30 devices.txt "${scratchnet[@]}" devices
  note "devices: $(grep -E '^(cuda|opencl) ' "$out/devices.txt" | tr -s ' ' | paste -sd';')"
  for b in cuda opencl; do
    step 45 "check-$b.txt" "${scratchnet[@]}" kernels check --backend "$b"
    note "kernels check $b: $(tail -n 1 "$out/check-$b.txt")"
  done
  # the workshop's goal in fp32: digits reaches 100% test accuracy on both GPU backends, and with TF32
  for r in digits moons; do
    for b in cuda opencl; do
      step 20 "$b-$r-fp32.txt" "${scratchnet[@]}" workshop "$r" --backend "$b" --precision fp32 --json "$out/$b-$r-fp32.json"
      note "workshop $r $b fp32: $(grep -E 'Final (Test )?Accuracy' "$out/$b-$r-fp32.txt" | head -n 1 | tr -s ' ')"
    done
  done
  step 20 cuda-digits-tf32.txt "${scratchnet[@]}" workshop digits --backend cuda --tf32 --precision fp32 --json "$out/cuda-digits-tf32.json"
  note "workshop digits cuda fp32 --tf32: $(grep -E 'Final (Test )?Accuracy' "$out/cuda-digits-tf32.txt" | head -n 1 | tr -s ' ')"
  # the whole suite with both GPU backends required: none of their tests may skip (the fp64 recipes
  # against the notebooks' numbers and the CPU backend are part of it: WorkshopParityTest)
  SCRATCHNET_REQUIRE=opencl,cuda step 180 tests.txt "${junit[@]}" --scan-classpath
  note "tests: $(counts tests.txt)"
  # the CUDA tests under compute-sanitizer: every op and variant against the reference, and the fp64
  # recipes; the other backends are left out (SCRATCHNET_TEST_BACKENDS)
  if [[ -n $sanitizer ]]; then
    local classes=(--select-class dev.scratchnet.backend.BackendParityTest --select-class dev.scratchnet.workshop.WorkshopParityTest
                   --select-class dev.scratchnet.backend.cuda.CudaOptimizerStepTest --select-class dev.scratchnet.backend.OptimizerListsTest)
    local rc
    SCRATCHNET_REQUIRE=cuda SCRATCHNET_TEST_BACKENDS=cuda step 90 memcheck.txt "$sanitizer" --tool memcheck \
      --target-processes all --error-exitcode 99 "${junit[@]}" "${classes[@]}"
    rc=$?
    note "compute-sanitizer memcheck: exit $rc (99: it reported errors) ($(counts memcheck.txt)); $(grep -E '^========= ERROR SUMMARY' "$out/memcheck.txt" | head -n 1)"
    SCRATCHNET_REQUIRE=cuda SCRATCHNET_TEST_BACKENDS=cuda step 60 racecheck.txt "$sanitizer" --tool racecheck \
      --racecheck-report all --target-processes all --error-exitcode 99 "${junit[@]}" \
      --select-class dev.scratchnet.backend.BackendParityTest
    rc=$?
    note "compute-sanitizer racecheck: exit $rc (99: it reported hazards) ($(counts racecheck.txt)); $(grep -E '^========= (RACECHECK|ERROR) SUMMARY' "$out/racecheck.txt" | head -n 1)"
  else
    note "compute-sanitizer: not found on PATH or under /usr/local/cuda*/bin"
  fi
}

perf() {
  note "gpu: $(sed -n 2p <(nvidia-smi --query-gpu=name,driver_version --format=csv 2>&1))"
  # matmul beside cuBLAS (PyTorch torch.mm, TF32 off) and CLBlast: the goals at 4096 fp32 are CUDA's
  # best variant at 90% of cuBLAS, OpenCL's at 75% and ahead of CLBlast
  step 120 bench-cuda.txt "${scratchnet[@]}" kernels bench --backend cuda --op matmul --sizes 1024,2048,4096 --min-seconds 0.5 \
    --variants warptile,vectorized,blocktile,tiled
  note "bench cuda: $(grep -cE 'GFLOP' "$out/bench-cuda.txt") lines in bench-cuda.txt"
  step 100 bench-opencl.txt "${scratchnet[@]}" kernels bench --backend opencl --op matmul --sizes 1024,2048,4096 --min-seconds 0.5 \
    --variants regblock,tiled
  note "bench opencl: $(grep -cE 'GFLOP' "$out/bench-opencl.txt") lines in bench-opencl.txt"
  # the TF32 tensor-core variant beside cuBLAS with TF32 on (goal: 70%)
  step 50 bench-cuda-tf32.txt "${scratchnet[@]}" kernels bench --backend cuda --tf32 --op matmul --sizes 1024,2048,4096 \
    --precision fp32 --variants tf32,warptile --min-seconds 0.5
  note "bench cuda tf32: see bench-cuda-tf32.txt"
  # what a launch costs through the Java host, and where one training step goes
  step 20 launch-cuda.txt "${scratchnet[@]}" kernels bench --backend cuda --op launch --precision fp32 --min-seconds 0.5
  note "launch cuda: $(grep -iE 'launch' "$out/launch-cuda.txt" | tail -n 1 | tr -s ' ')"
  step 40 step-cuda.txt "${scratchnet[@]}" kernels bench --backend cuda --op step --precision fp32 --profile --min-seconds 0.5
  note "training step cuda: $(grep -E 'training step|speed' "$out/step-cuda.txt" | tr -s ' ' | paste -sd';')"
  # Fashion-MNIST 784-256-128-10, fp32, data on the device, beside PyTorch eager on the same GPU
  # (goal: 2x PyTorch's samples/s at batch 128)
  # (the first 20000 training and 5000 test rows, carried in target/fashion-mnist: ci/fashion-mnist-subset.sh)
  local fm=target/fashion-mnist
  local data=idx:$fm/train-images-idx3-ubyte.gz,$fm/train-labels-idx1-ubyte.gz,$fm/t10k-images-idx3-ubyte.gz,$fm/t10k-labels-idx1-ubyte.gz
  for batch in 128 1024; do
    step 50 "train-fashion-$batch.txt" "${scratchnet[@]}" train --backend cuda --precision fp32 --data "$data" \
      --hidden 256,128 --optimizer sgd --lr 0.1 --batch "$batch" --epochs 5 --bench
    note "train fashion-mnist batch $batch: $(grep -E 'scratchnet / PyTorch|PyTorch' "$out/train-fashion-$batch.txt" | tail -n 1 | tr -s ' ')"
  done
  # where a small recipe's epoch goes on each GPU backend (Backend.gemmVariantFor's choice for tiny products)
  for b in cuda opencl; do
    step 50 "workshop-profile-$b.txt" "${scratchnet[@]}" workshop bench --backend "$b" --recipes moons,digits --runs 3 --no-fresh-jvm --profile
    note "workshop bench --profile $b: see workshop-profile-$b.txt"
  done
}

tune() {
  note "gpu: $(sed -n 2p <(nvidia-smi --query-gpu=name,driver_version --format=csv 2>&1))"
  # 4096 fp32, the size of the goal (95% of cuBLAS), among the CUDA candidates compiled beforehand
  # into target/cuda-tuning (docs/GPU.md: kernels tune --compile-only)
  step 260 tune-cuda.txt "${scratchnet[@]}" kernels tune --backend cuda --sizes 4096 --precision fp32 --budget 150
  note "tune cuda: $(grep -E '^  (warptile|vectorized|blocktile) ' "$out/tune-cuda.txt" | tr -s ' ' | paste -sd';')"
  step 150 tune-opencl.txt "${scratchnet[@]}" kernels tune --backend opencl --sizes 4096 --precision fp32 --budget 80
  note "tune opencl: $(grep -E '^  (regblock|tiled) ' "$out/tune-opencl.txt" | tr -s ' ' | paste -sd';')"
  for b in cuda opencl; do
    step 75 "bench-tuned-$b.txt" "${scratchnet[@]}" kernels bench --backend "$b" --op matmul --sizes 4096 --precision fp32 \
      --min-seconds 0.5 --variants "$( [[ $b == cuda ]] && echo warptile,vectorized,blocktile || echo regblock )"
    note "bench tuned $b: see bench-tuned-$b.txt"
  done
}

case $mode in
  verify) verify ;;
  perf) perf ;;
  tune) tune ;;
  all) verify; perf ;;
esac
echo "== summary ($mode)"
cat "$summary"
