#!/usr/bin/env bash
# Runs every OpenCL kernel and variant at small sizes on Oclgrind, the OpenCL simulator, with its
# checks for out-of-bounds accesses (on by default), data races and uninitialised values, and
# fails on any report or failed check. Needs the project built (mvn -B verify or package) and
# Oclgrind installed (ci/install-deps.sh).
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
  java --add-modules jdk.incubator.vector -cp "target/classes:target/lib/*" dev.scratchnet.cli.Main \
  kernels check --backend opencl --small >"$log" 2>&1
status=$?
set -e
tail -n 1 "$log"
reports=$(grep -c -E 'Invalid (read|write)|[Dd]ata race|Uninitiali[sz]ed|OCLGRIND FATAL|Unsupported instruction' "$log" || true)
if [[ $status -ne 0 || $reports -ne 0 ]]; then
  echo "oclgrind-check: FAILED (exit status $status, $reports Oclgrind reports); the log:" >&2
  grep -v '^WARNING: Using incubator' "$log" | grep -v ' pass$' | head -100 >&2
  exit 1
fi
grep -q 'Oclgrind' "$log" || { echo "oclgrind-check: the checks did not run on Oclgrind" >&2; exit 1; }
echo "oclgrind-check: no out-of-bounds access, data race or uninitialised value"
