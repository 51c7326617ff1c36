#!/bin/sh
# bench/fewshot: snd-train with its defaults and a plain PyTorch loop, side by side on the
# same folds of a few-shot set of varied-length clips, in one run.
#   The set: bench/fewshot/sounds.py's 45 classes of everyday sounds and spoken words, five
#   clips each, 1-10 s at 44.1 kHz (SET=DIR: a folder of your own with a labels.tsv of id
#   and label, the ids as paths from the directory the script runs in).
#   Features: snd-melspec's defaults, once, for every clip; both sides read that one file.
#   Folds: five, stratified (folds.py): each tests one clip of every class, the rest train.
#   snd: snd-train -l TRAIN-LABELS --skip-unlabelled (and SND_TRAIN_OPTS), then
#   snd-classify --aggregate mean, scored by snd-eval on the fold's clips.
#   PyTorch: torch_fewshot.py, the recipe of its docstring, on 2 threads, with glibc's
#   malloc tuned as bench/train does (its untuned page faults slow PyTorch, not snd).
# Reports per fold the accuracy of each and seconds of training, and the means.
# Usage: sh bench/fewshot/run.sh  (from anywhere; by hand, never from make check)
# SND_TRAIN_OPTS="...": options added to snd-train (ablations); TORCH=0: snd only;
# SND=0: PyTorch only; FOLDS=N; SEED=N (the set's and the folds'); BENCH_KEEP=1 keeps
# the temporary directory; SND_BIN=DIR takes the binaries from DIR.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
start=$(pwd)

PY=/usr/bin/python3 # Debian's python: the one python3-torch installs into
BIN=${SND_BIN:-$root/build/rel/bin}
OPTS=${SND_TRAIN_OPTS:-}
FOLDS=${FOLDS:-5}
SEED=${SEED:-1}
RUN_TORCH=${TORCH:-1}
RUN_SND=${SND:-1}

say() { printf '%s\n' "$*"; }
die() { printf 'bench/fewshot: %s\n' "$*" >&2; exit 1; }

. "$here/../apt.sh"

for tool in snd-melspec snd-train snd-classify snd-eval; do
    [ -x "$BIN/$tool" ] || die "no $BIN/$tool: run make"
done
[ -x "$PY" ] && "$PY" -c 'import h5py, numpy' 2>/dev/null ||
    apt_install python3-h5py python3-numpy || die "$PY cannot import h5py and numpy"
if [ -z "${SET:-}" ]; then
    command -v espeak-ng >/dev/null 2>&1 || apt_install espeak-ng ||
        die "the set's spoken words need espeak-ng (apt-get install espeak-ng)"
fi
if [ "$RUN_TORCH" = 1 ] && ! "$PY" -c 'import torch' 2>/dev/null; then
    apt_install python3-torch && "$PY" -c 'import torch' 2>/dev/null || {
        say "PyTorch side skipped: $PY cannot import torch (as root: apt-get install python3-torch)"
        RUN_TORCH=0
    }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-fewshot.XXXXXX") || die "mktemp failed"
if [ "${BENCH_KEEP:-0}" = 1 ]; then
    trap 'say "kept $tmp"' EXIT
else
    trap 'rm -rf "$tmp"' EXIT
fi
trap 'exit 130' INT TERM

# --- the set, its features and folds ----------------------------------------------------
if [ -n "${SET:-}" ]; then
    cd "$start" && [ -f "$SET/labels.tsv" ] || die "no $SET/labels.tsv"
    labels=$(cd "$SET" && pwd)/labels.tsv
    # shellcheck disable=SC2046
    "$BIN/snd-melspec" -q -j 2 -o "$tmp/all.h5" $(awk -F'\t' 'NR > 1 { print $1 }' "$labels") ||
        die "snd-melspec failed"
    cp "$labels" "$tmp/labels.tsv"
    cd "$tmp" || exit 1
    origin="$SET"
else
    cd "$tmp" || exit 1
    "$PY" "$here/sounds.py" --seed "$SEED" set || die "sounds.py failed"
    cp set/labels.tsv labels.tsv
    # shellcheck disable=SC2046
    "$BIN/snd-melspec" -q -j 2 -o all.h5 $(awk -F'\t' 'NR > 1 { print $1 }' labels.tsv) ||
        die "snd-melspec failed"
    origin="sounds.py --seed $SEED"
fi
"$PY" "$here/folds.py" --folds "$FOLDS" --seed "$SEED" labels.tsv > folds.tsv || die "folds.py failed"
clips=$(($(wc -l < labels.tsv) - 1))
classes=$(awk -F'\t' 'NR > 1 { print $2 }' labels.tsv | sort -u | wc -l)
seconds=$(awk -F'\t' 'NR > 1 { print $1 }' labels.tsv | head -n 1000 | tr '\n' '\0' |
    xargs -0 soxi -D 2>/dev/null | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f-%.1f s, median %.1f s", v[1], v[NR], v[int((NR + 1) / 2)] }')
say "few-shot set ($origin): $clips clips, $classes classes${seconds:+, $seconds}; $FOLDS folds"

# --- snd ----------------------------------------------------------------------------------
# Labels of the fold's training clips and of its test clips.
split_labels() {
    awk -F'\t' -v k="$1" -v want="$2" 'NR == FNR { if (FNR > 1) fold[$1] = $2; next }
        FNR == 1 || (want == "test") == (fold[$1] == k) { print }' folds.tsv labels.tsv
}

if [ "$RUN_SND" = 1 ]; then
    k=0
    while [ "$k" -lt "$FOLDS" ]; do
        split_labels "$k" train > "train-$k.tsv"
        split_labels "$k" test > "test-$k.tsv"
        t0=$(date +%s.%N)
        # shellcheck disable=SC2086
        "$BIN/snd-train" -o "model-$k.h5" -l "train-$k.tsv" --skip-unlabelled -j 2 \
            --seed $((SEED + k)) $OPTS all.h5 2> "train-$k.log" ||
            { cat "train-$k.log" >&2; die "snd-train failed on fold $k"; }
        t1=$(date +%s.%N)
        "$BIN/snd-classify" -m "model-$k.h5" --aggregate mean --probs all.h5 > "pred-$k.tsv" ||
            die "snd-classify failed on fold $k"
        acc=$("$BIN/snd-eval" --truth "test-$k.tsv" --allow-missing --tsv "pred-$k.tsv" |
            awk -F'\t' '$1 == "accuracy" { print $3 }')
        awk -v k="$k" -v a="$acc" -v t0="$t0" -v t1="$t1" \
            'BEGIN { printf "fold %d accuracy %.4f seconds %.1f\n", k, a, t1 - t0 }' >> snd.txt
        k=$((k + 1))
    done
    grep -h '^snd-train: ' train-0.log | sed 's/^/  fold 0: /'
fi

# --- PyTorch ------------------------------------------------------------------------------
if [ "$RUN_TORCH" = 1 ]; then
    env MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456 \
        "$PY" "$here/torch_fewshot.py" --threads 2 --seed "$SEED" all.h5 labels.tsv folds.tsv \
        > torch.txt || die "torch_fewshot.py failed"
fi

# --- the report -----------------------------------------------------------------------------
touch snd.txt torch.txt
say ""
printf '  %-6s %10s %10s %10s %10s\n' fold "snd acc" "snd s" "torch acc" "torch s"
k=0
while [ "$k" -lt "$FOLDS" ]; do
    s=$(awk -v k="$k" '$1 == "fold" && $2 == k { print $4, $6 }' snd.txt)
    t=$(awk -v k="$k" '$1 == "fold" && $2 == k { print $4, $6 }' torch.txt)
    printf '  %-6s %10s %10s %10s %10s\n' "$k" ${s:-- -} ${t:-- -}
    k=$((k + 1))
done
awk 'FILENAME == "snd.txt" && $1 == "fold" { sa += $4; ss += $6; sn++ }
     FILENAME == "torch.txt" && $1 == "fold" { ta += $4; ts += $6; tn++ }
     END {
        printf "  %-6s %10s %10s %10s %10s\n", "mean", sn ? sprintf("%.4f", sa / sn) : "-",
            sn ? sprintf("%.1f", ss / sn) : "-", tn ? sprintf("%.4f", ta / tn) : "-",
            tn ? sprintf("%.1f", ts / tn) : "-"
        if (sn && tn)
            printf "  snd - torch accuracy %+.4f; snd time / torch time %.2f\n", sa / sn - ta / tn, ss / ts
     }' snd.txt torch.txt
