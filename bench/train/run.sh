#!/bin/sh
# bench/train: the same training job with snd-train and with PyTorch (Debian's python3-torch
# under /usr/bin/python3), 2 threads each, on this machine, in one run:
#   FSDD (../shared/data/fsdd), the official split: clips 0-4 of each speaker and digit are
#   the test set (250), the rest (2,250) the training set, 10% of it held out for validation;
#   default features of snd-melspec; the default network, optimiser, schedule and
#   augmentation of snd-train, for EPOCHS epochs (default 30).
# Reports test accuracy (the best validation epoch's weights), seconds per epoch, peak RSS,
# training GFLOP/s, and the SGEMM rate of OpenBLAS on this CPU as the ceiling.
# Usage: sh bench/train/run.sh  (from anywhere; run by hand, never from make check)
# EPOCHS=N: train N epochs (EPOCHS=1 for a quick check); BENCH_KEEP=1 keeps the temporary
# directory; SND_BIN=DIR takes the binaries from DIR instead of build/rel/bin;
# SND_SHARED=DIR: the shared data (default ../shared next to the repository).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1

PY=/usr/bin/python3           # Debian's python: the one python3-torch installs into
BIN=${SND_BIN:-$root/build/rel/bin}
SHARED=${SND_SHARED:-$root/../shared}
FSDD=$SHARED/data/fsdd/recordings
EPOCHS=${EPOCHS:-30}
THREADS=2
BATCH=32
LR=0.001
TUNED="MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456"

say() { printf '%s\n' "$*"; }
die() { printf 'bench/train: %s\n' "$*" >&2; exit 1; }

. "$here/../apt.sh"

case $EPOCHS in
    '' | *[!0-9]*) EPOCHS=0 ;;
esac
[ "$EPOCHS" -ge 1 ] 2>/dev/null || die "EPOCHS must be a positive whole number"

# --- what the benchmark needs ------------------------------------------------------------
[ -x /usr/bin/time ] || apt_install time || die "needs GNU time (/usr/bin/time): apt-get install time"
/usr/bin/time -f '%e %M' -o /dev/null true 2>/dev/null || die "/usr/bin/time is not GNU time"
for tool in snd-melspec snd-train; do
    [ -x "$BIN/$tool" ] || die "no $BIN/$tool: run make"
done
[ -x "$PY" ] && "$PY" -c 'import h5py, numpy' 2>/dev/null ||
    apt_install python3-h5py python3-numpy ||
    die "$PY cannot import h5py and numpy, which the test accuracy of snd-train needs" \
        "(as root: apt-get install python3-h5py python3-numpy)"

have_torch=0
if "$PY" -c 'import torch, h5py, numpy' 2>/dev/null; then
    have_torch=1
elif apt_install python3-torch && "$PY" -c 'import torch, h5py, numpy' 2>/dev/null; then
    have_torch=1
else
    say "PyTorch side skipped: $PY cannot import torch (as root: apt-get install python3-torch)"
fi

have_blas=0
if command -v cc >/dev/null 2>&1 && pkg-config --exists openblas 2>/dev/null; then
    have_blas=1
elif apt_install gcc pkg-config libopenblas-dev && pkg-config --exists openblas 2>/dev/null; then
    have_blas=1
else
    say "SGEMM ceiling skipped: needs cc, pkg-config and OpenBLAS (apt-get install libopenblas-dev)"
fi

[ -d "$FSDD" ] || die "no FSDD at $FSDD (SND_SHARED=DIR names the shared data)"
FSDD=$(cd "$FSDD" && pwd)
set -- "$FSDD"/*.flac
[ -f "$1" ] || die "no .flac files in $FSDD"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-train.XXXXXX") || die "mktemp failed"
if [ "${BENCH_KEEP:-0}" = 1 ]; then
    trap 'say "kept $tmp"' EXIT
else
    trap 'rm -rf "$tmp"' EXIT
fi
trap 'exit 130' INT TERM

# --- the split and the labels ----------------------------------------------------------------
# DIGIT_SPEAKER_INDEX.flac: INDEX 0-4 is the official test set. Ids are the paths given.
printf 'id\tlabel\n' >"$tmp/labels.tsv"
: >"$tmp/train.list"
: >"$tmp/test.list"
for f in "$FSDD"/*.flac; do
    base=${f##*/}
    index=${base%.flac}
    index=${index##*_}
    case $index in
        '' | *[!0-9]*) say "skipping $base: not DIGIT_SPEAKER_INDEX.flac"; continue ;;
    esac
    printf '%s\t%s\n' "$f" "${base%%_*}" >>"$tmp/labels.tsv"
    if [ "$index" -le 4 ]; then printf '%s\n' "$f" >>"$tmp/test.list"
    else printf '%s\n' "$f" >>"$tmp/train.list"; fi
done
n_trainfiles=$(wc -l <"$tmp/train.list" | tr -d ' ')
n_testfiles=$(wc -l <"$tmp/test.list" | tr -d ' ')

features() {                  # features LIST OUT.h5: snd-melspec on the files of LIST
    list=$1 out=$2
    set -f
    old_ifs=$IFS
    IFS='
'
    # shellcheck disable=SC2046
    set -- $(cat "$list")
    IFS=$old_ifs
    set +f
    "$BIN/snd-melspec" -j $THREADS -q -o "$out" "$@"
}
say "features: snd-melspec on $n_trainfiles training and $n_testfiles test files"
features "$tmp/train.list" "$tmp/train.h5" || die "snd-melspec failed on the training files"
features "$tmp/test.list" "$tmp/test.h5" || die "snd-melspec failed on the test files"

# Forward FLOPs of the default network for one 101 x 64 window; a training step is 3x.
FLOPS=$(awk 'BEGIN { printf "%.0f", 2 * (32*9*101*64 + 64*32*9*50*32 + 128*64*9*25*16 + 256*128*9*12*8 + 256*10) }')

# --- snd-train -------------------------------------------------------------------------
# Each result goes to $tmp/KEY as "accuracy s_per_epoch rss_kb train_examples" (- if unknown).
snd_run() {                   # snd_run KEY [ENV OPTIONS...]: snd-train under GNU time
    key=$1
    shift
    # env takes its options (-u NAME) before any NAME=VALUE.
    if env "$@" OMP_NUM_THREADS=$THREADS /usr/bin/time -f '%e %M' -o "$tmp/time.$key" \
        "$BIN/snd-train" -o "$tmp/$key.h5" -l "$tmp/labels.tsv" --epochs "$EPOCHS" \
        --batch $BATCH --lr $LR -j $THREADS --json --history "$tmp/$key.hist" "$tmp/train.h5" \
        >"$tmp/$key.json" 2>"$tmp/$key.err"; then
        n_train=$(sed -n 's/.*: \([0-9][0-9]*\) training and [0-9][0-9]* validation examples.*/\1/p' \
            "$tmp/$key.err" | head -n 1)
        spe=$(awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seconds") c = i; next }
            c { s += $c; n++ } END { if (n) printf "%.3f", s / n; else print "-" }' "$tmp/$key.hist")
        acc=$("$PY" tests/cli/model_check.py "$tmp/$key.h5" "$tmp/test.h5" "$tmp/labels.tsv" \
            2>"$tmp/check.err") || { acc=-; say "  model_check.py failed:"; sed 's/^/    /' "$tmp/check.err"; }
        rss=$(tail -n 1 "$tmp/time.$key" | awk '{ print $2 }')
        printf '%s %s %s %s\n' "$acc" "$spe" "$rss" "${n_train:--}" >"$tmp/$key"
        grep '^epoch ' "$tmp/$key.err" | tail -n 1 | sed 's/^/  last: /'
        sed -n 's/^snd-train: \(best epoch.*\)/  \1/p' "$tmp/$key.err"
        say "  $(tail -n 1 "$tmp/time.$key" | awk '{ printf "%.1f s wall in all", $1 }')"
    else
        say "  snd-train FAILED; its stderr ends:"
        tail -n 5 "$tmp/$key.err" | sed 's/^/    /'
    fi
}
say "snd-train: $EPOCHS epoch(s), batch $BATCH, -j $THREADS (about 5-15 s an epoch)"
snd_run snd
# OPENBLAS_CORETYPE set in the environment pins OpenBLAS's kernels, and snd-train keeps to
# that choice (lib/blas.h). Then the run is repeated without it, with the kernels OpenBLAS
# picks for this CPU itself. PyTorch's convolutions (oneDNN) do not read the variable.
pinned=${OPENBLAS_CORETYPE:-}
if [ -n "$pinned" ]; then
    say "snd-train again, OPENBLAS_CORETYPE=$pinned unset"
    snd_run snd_free -u OPENBLAS_CORETYPE
fi

# --- PyTorch ---------------------------------------------------------------------------
torch_run() {                 # torch_run KEY [VAR=VALUE...]: torch_train.py under GNU time
    key=$1
    shift
    if env OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS "$@" \
        /usr/bin/time -f '%e %M' -o "$tmp/time.$key" \
        "$PY" "$here/torch_train.py" --epochs "$EPOCHS" --batch $BATCH --lr $LR \
        --threads $THREADS "$tmp/train.h5" "$tmp/test.h5" "$tmp/labels.tsv" \
        >"$tmp/$key.out" 2>"$tmp/$key.err"; then
        grep '^epoch ' "$tmp/$key.err" | tail -n 1 | sed 's/^/  last: /'
        awk -v t="$(tail -n 1 "$tmp/time.$key")" '
            { v[$1] = $2 }
            END { split(t, w, " ")
                  printf "  best epoch %s, val acc %s; %.1f s wall in all\n",
                      v["best_epoch"], v["val_accuracy"], w[1]
                  printf "%s %s %s %s\n", v["test_accuracy"], v["seconds_per_epoch"], w[2],
                      v["train_examples"] > "/dev/stderr" }' "$tmp/$key.out" 2>"$tmp/$key"
    else
        say "  PyTorch FAILED; its stderr ends:"
        tail -n 5 "$tmp/$key.err" | sed 's/^/    /'
    fi
}
if [ $have_torch = 1 ]; then
    say "PyTorch $("$PY" -c 'import torch; print(torch.__version__)'): $EPOCHS epoch(s)," \
        "batch $BATCH, $THREADS threads (about 7-15 s an epoch)"
    torch_run torch
    say "PyTorch again, glibc malloc tuned: $TUNED"
    # shellcheck disable=SC2086
    torch_run torch_tuned $TUNED
fi

# --- the SGEMM ceiling -----------------------------------------------------------------
if [ $have_blas = 1 ]; then
    say "SGEMM: OpenBLAS on this CPU, 1 and 2 threads"
    # shellcheck disable=SC2046
    if cc -O2 -iquote "$root/lib" $(pkg-config --cflags openblas) "$here/sgemm.c" \
        "$root/build/rel/libsnd.a" $(pkg-config --libs openblas) -o "$tmp/sgemm" 2>"$tmp/cc.err"; then
        "$tmp/sgemm" >"$tmp/sgemm.out" 2>"$tmp/sgemm.err" ||
            { say "  sgemm FAILED:"; sed 's/^/    /' "$tmp/sgemm.err"; }
        [ -z "$pinned" ] || env -u OPENBLAS_CORETYPE "$tmp/sgemm" >"$tmp/sgemm_free.out" 2>"$tmp/sgemm.err" ||
            { say "  sgemm FAILED:"; sed 's/^/    /' "$tmp/sgemm.err"; }
    else
        say "  sgemm.c did not compile:"
        sed 's/^/    /' "$tmp/cc.err"
    fi
fi

# --- the report -------------------------------------------------------------------------
get() { [ -s "$tmp/$1" ] && cat "$tmp/$1"; }

row() {                       # row LABEL KEY
    v=$(get "$2") || { printf '  %-26s %9s %9s %12s %9s\n' "$1" - - - -; return; }
    printf '%s\n' "$v" | awk -v l="$1" -v f="$FLOPS" '{
        acc = $1 == "-" ? "-" : sprintf("%.4f", $1)
        spe = $2 == "-" ? "-" : sprintf("%.2f", $2)
        gf = ($2 == "-" || $4 == "-" || $2 <= 0) ? "-" : sprintf("%.1f", 3 * f * $4 / $2 / 1e9)
        printf "  %-26s %9s %9s %12.1f %9s\n", l, acc, spe, $3 / 1024, gf }'
}

say ""
say "snd-train vs PyTorch: FSDD, $n_trainfiles training clips (10% held out for validation)," \
    "$n_testfiles test clips; $EPOCHS epoch(s), batch $BATCH, $THREADS threads each, $(nproc) CPUs"
say "forward pass $(awk -v f="$FLOPS" 'BEGIN { printf "%.1f", f / 1e6 }') MFLOP per example," \
    "a training step counted as 3x; GFLOP/s = 3 x that x training examples / s per epoch"
printf '  %-26s %9s %9s %12s %9s\n' "" "test acc" "s/epoch" "peak RSS MB" "GFLOP/s"
if [ -n "$pinned" ]; then
    row "snd-train, $pinned kernels" snd
    row "snd-train, OpenBLAS's choice" snd_free
else
    row "snd-train -j $THREADS" snd
fi
if [ $have_torch = 1 ]; then
    row "PyTorch" torch
    row "PyTorch (tuned malloc)" torch_tuned
fi
for key in snd snd_free; do
    if s=$(get $key) && t=$(get torch_tuned); then
        printf '%s %s\n' "$s" "$t" | awk -v k="$key" -v p="$pinned" '$2 != "-" && $6 != "-" && $6 > 0 {
            if ($2 < $6) who = sprintf("snd-train %.2fx faster", $6 / $2)
            else who = sprintf("PyTorch %.2fx faster", $2 / $6)
            what = p == "" ? "" : k == "snd" ? " (" p " kernels)" : " (OpenBLAS'"'"'s choice)"
            printf "  snd-train%s s/epoch / PyTorch (tuned malloc) s/epoch: %.2f (%s)\n", what,
                $2 / $6, who }'
    fi
done

sgemm_report() {              # sgemm_report OUT KEY KERNELS: the table, and KEY's share of it
    say ""
    say "SGEMM ceiling (OpenBLAS $(pkg-config --modversion openblas 2>/dev/null), $3 kernels," \
        "C = A B row-major, 2 M N K flops a call, best of 5):"
    printf '  %-26s %9s %9s\n' "M x K x N" "1 thread" "2 threads"
    awk '{ k = $1 " x " $2 " x " $3; if (!(k in seen)) { seen[k] = 1; order[++n] = k }
           g[k, $4] = $5 }
         END { for (i = 1; i <= n; i++)
                   printf "  %-26s %9.1f %9.1f\n", order[i], g[order[i], 1], g[order[i], 2] }' "$1"
    say "  (2048 and 1024 square: the ceiling; 64 x 288 x 1600, 128 x 576 x 400 and" \
        "256 x 1152 x 96: the network's convolutions as im2col products of one example)"
    ceiling=$(awk '$1 == $2 && $2 == $3 && $4 == 2 && $5 > m { m = $5 } END { print m + 0 }' "$1")
    if s=$(get "$2") && [ "${ceiling%.*}" != 0 ]; then
        printf '%s\n' "$s" | awk -v f="$FLOPS" -v c="$ceiling" '$2 != "-" && $4 != "-" && $2 > 0 {
            g = 3 * f * $4 / $2 / 1e9
            printf "  snd-train: %.1f GFLOP/s = %.1f%% of the 2-thread large-SGEMM rate (%.1f GFLOP/s)\n",
                g, 100 * g / c, c }'
    fi
}
kernels=$(env OPENBLAS_VERBOSE=2 "$BIN/snd-train" --version 2>&1 | sed -n 's/^Core: //p' | tail -n 1)
[ -s "$tmp/sgemm.out" ] && sgemm_report "$tmp/sgemm.out" snd "${kernels:-its}"
if [ -s "$tmp/sgemm_free.out" ]; then
    kernels=$(env -u OPENBLAS_CORETYPE OPENBLAS_VERBOSE=2 "$BIN/snd-train" --version 2>&1 |
        sed -n 's/^Core: //p' | tail -n 1)
    sgemm_report "$tmp/sgemm_free.out" snd_free "${kernels:-its own}"
fi
exit 0
