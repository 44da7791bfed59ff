#!/usr/bin/env bash
# The README's main job from a cold start, beside the notebook run as a script (issue 12, goal 2):
#   ./scratchnet workshop digits --plots DIR      against      python3 bench/digits_notebook.py DIR
# each a whole process, alternated RUNS times (default 5); prints each run, the medians and the ratio.
# The launcher's build and its start-up archive are made before timing (they happen once per build).
# Usage: bench/cold-start.sh [RUNS]      (SCRATCHNET_JVM_CACHE=0 to time without the archive)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-5}
python=${SCRATCHNET_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/scratchnet" devices >/dev/null 2>&1 || { echo "cold-start.sh: ./scratchnet devices failed" >&2; exit 1; }
"$python" -c 'import numpy, sklearn, matplotlib' || { echo "cold-start.sh: $python lacks numpy, sklearn or matplotlib" >&2; exit 1; }

seconds() {  # wall seconds of a command, output discarded
  local start end
  start=$(date +%s.%N)
  "$@" >"$work/out" 2>&1 || { echo "cold-start.sh: failed: $*" >&2; cat "$work/out" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}

ours=() theirs=()
echo "load before: $(cat /proc/loadavg)"
for ((i = 1; i <= runs; i++)); do
  rm -rf "$work/a" "$work/b"
  a=$(seconds "$root/scratchnet" workshop digits --plots "$work/a")
  b=$(seconds "$python" "$root/bench/digits_notebook.py" "$work/b")
  ours+=("$a") theirs+=("$b")
  printf 'run %d: scratchnet %.2f s, notebook script %.2f s\n' "$i" "$a" "$b"
done
echo "load after: $(cat /proc/loadavg)"
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
mo=$(median "${ours[@]}") mt=$(median "${theirs[@]}")
printf 'median: scratchnet %.2f s, notebook script %.2f s; scratchnet takes %.0f%% of the script'"'"'s time (goal: at most 50%%)\n' \
  "$mo" "$mt" "$(awk -v a="$mo" -v b="$mt" 'BEGIN { print 100 * a / b }')"
