#!/usr/bin/env bash
# Writes the first TRAIN training rows and TEST test rows of Fashion-MNIST (Debian's
# dataset-fashion-mnist, /usr/share/datasets/fashion-mnist) as gzip'd IDX files into DIR, for the GPU
# job (docs/GPU.md): the whole set is 30 MB of gzip, more than the device call can carry beside the
# Java runtime and the jars (64 MiB in all). The files are written to temporary names and renamed.
#   bash ci/fashion-mnist-subset.sh [TRAIN [TEST [DIR]]]     (defaults 20000, 5000, target/fashion-mnist)
set -euo pipefail
train=${1:-20000} test=${2:-5000} dir=${3:-target/fashion-mnist}
src=/usr/share/datasets/fashion-mnist
[[ -r $src/train-images-idx3-ubyte.gz ]] || { echo "fashion-mnist-subset: no $src (apt-get install dataset-fashion-mnist)" >&2; exit 1; }
((train >= 1 && train <= 60000 && test >= 1 && test <= 10000)) \
  || { echo "fashion-mnist-subset: TRAIN must be 1..60000 and TEST 1..10000" >&2; exit 1; }
mkdir -p "$dir"
be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }
# subset NAME ROWS: IDX images (magic 0x00000803, rows, 28, 28) or labels (0x00000801, rows)
subset() {
  local name=$1 rows=$2 tmp="$dir/.$1.tmp" header=8 row=1
  set +o pipefail   # head stops reading early: gzip and tail then end on SIGPIPE, which is expected here
  if [[ $name == *images* ]]; then
    { printf '\x00\x00\x08\x03'; be32 "$rows"; be32 28; be32 28
      gzip -dc "$src/$name.gz" | tail -c +17 | head -c $((rows * 784)); } | gzip -9 > "$tmp"
  else
    { printf '\x00\x00\x08\x01'; be32 "$rows"
      gzip -dc "$src/$name.gz" | tail -c +9 | head -c "$rows"; } | gzip -9 > "$tmp"
  fi
  set -o pipefail
  [[ $name == *images* ]] && header=16 row=784
  local bytes
  bytes=$(gzip -dc "$tmp" | wc -c)
  ((bytes == header + rows * row)) || { echo "fashion-mnist-subset: $name came out $bytes bytes, not $((header + rows * row))" >&2; exit 1; }
  mv "$tmp" "$dir/$name.gz"
}
subset train-images-idx3-ubyte "$train"
subset train-labels-idx1-ubyte "$train"
subset t10k-images-idx3-ubyte "$test"
subset t10k-labels-idx1-ubyte "$test"
du -sh "$dir"
