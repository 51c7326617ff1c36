#!/bin/sh
# shard.sh STEP I N: one shard's work, wherever it runs (GNU parallel on a node, a Slurm
# array task, or by hand). Shard I of N (0 <= I < N) is every N-th line of files.list from
# line I (counting from 0).
#   features   feats/shard-I.h5 from the shard's recordings
#   classify   preds/shard-I.tsv from feats/shard-I.h5, with the model $MODEL
# Run from the folder of files.list. THREADS (default 1): threads of this job.
set -eu
step=${1:?usage: shard.sh features|classify I N} i=${2:?usage: shard.sh STEP I N} n=${3:?usage: shard.sh STEP I N}
threads=${THREADS:-1}
case $i$n in *[!0-9]*) echo "shard.sh: I and N must be numbers" >&2; exit 2 ;; esac
[ "$i" -lt "$n" ] || { echo "shard.sh: shard $i of $n: I must be below N" >&2; exit 2; }
case $step in
features)
    mkdir -p feats
    list=feats/shard-$i.list
    trap 'rm -f "$list"' EXIT
    awk -v i="$i" -v n="$n" '(NR - 1) % n == i' files.list >"$list"
    [ -s "$list" ] || { echo "shard.sh: shard $i of $n has no files" >&2; exit 1; }
    # One file name a line; names with spaces are fine, names with newlines are not.
    tr '\n' '\0' <"$list" | xargs -0 snd-melspec -q -j "$threads" -o "feats/shard-$i.h5"
    ;;
classify)
    mkdir -p preds
    snd-classify -m "${MODEL:?shard.sh: set MODEL}" -j "$threads" --aggregate mean --uncertainty \
        "feats/shard-$i.h5" >"preds/shard-$i.tsv.tmp"
    mv "preds/shard-$i.tsv.tmp" "preds/shard-$i.tsv"
    ;;
*)
    echo "shard.sh: unknown step $step (features or classify)" >&2
    exit 2
    ;;
esac
