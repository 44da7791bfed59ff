#!/usr/bin/env bash
# Runs every OpenCL kernel and variant at small sizes on Oclgrind, the OpenCL simulator, with its
# checks for out-of-bounds accesses (on by default), data races and uninitialised values, and
# exits 1 on any report or failed check (0 when there is none). Needs the project built (mvn -B
# verify or package) and Oclgrind installed (ci/install-deps.sh). Arguments go to kernels check:
#   bash ci/oclgrind-check.sh [--kernels DIR] [--precision fp32] [--only scale]
# SCRATCHNET_CP replaces the class path (target/classes:target/lib/*), e.g. for the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
lib=$(dpkg -L oclgrind 2>/dev/null | grep -m1 'liboclgrind-rt-icd.so$' || true)
[[ -n $lib ]] || lib=$(find /usr/lib /usr/local/lib -name 'liboclgrind-rt-icd.so' 2>/dev/null | head -1)
if [[ -z $lib ]]; then
  echo "oclgrind-check: Oclgrind is not installed (apt-get install oclgrind)" >&2
  exit 1
fi
vendors=$(mktemp -d)
trap 'rm -rf "$vendors"' EXIT
echo "$lib" > "$vendors/oclgrind.icd"
log=target/oclgrind-check.log
echo "== kernels check --small under Oclgrind ($lib)"
set +e
OCL_ICD_VENDORS=$vendors OCLGRIND_DATA_RACES=1 OCLGRIND_UNINITIALIZED=1 \
  java --add-modules jdk.incubator.vector -cp "${SCRATCHNET_CP:-target/classes:target/lib/*}" dev.scratchnet.cli.Main \
  kernels check --backend opencl --small --no-tuning "$@" >"$log" 2>&1
status=$?
set -e
tail -n 1 "$log"
reports=$(grep -c -E 'Invalid (read|write)|[Dd]ata race|Uninitiali[sz]ed|OCLGRIND FATAL|Unsupported instruction' "$log" || true)
if [[ $status -ne 0 || $reports -ne 0 ]]; then
  echo "oclgrind-check: FAILED (exit status $status, $reports Oclgrind reports); the log, less passed checks:" >&2
  # sed, not a pipe into head: head closing early would end the script with SIGPIPE (141), not 1
  sed -e '/^WARNING: Using incubator/d' -e '/ pass$/d' "$log" | sed -n '1,100p' >&2 || true
  exit 1
fi
grep -q 'Oclgrind' "$log" || { echo "oclgrind-check: the checks did not run on Oclgrind" >&2; exit 1; }
echo "oclgrind-check: no out-of-bounds access, data race or uninitialised value"
