#!/bin/sh
# bench/classify: snd-classify against PyTorch (Debian's python3-torch and
# python3-torchaudio) with the same trained weights, on this machine, in one run:
#   (a) start-up to the first prediction: one 1-second clip, whole process
#   (b) one window's latency through the network (batch of one, as on a live stream);
#       PyTorch as installed and with glibc's malloc tuned
#   (c) batch throughput over the FSDD test split (index 0-4), audio files to one
#       prediction per clip, whole process
#   (d) peak RSS of (a) and (c)
# 2 threads each. The model is the default network trained on FSDD's training split for
# BENCH_EPOCHS (5) epochs, or BENCH_MODEL=FILE. Usage: sh bench/classify/run.sh
# BENCH_KEEP=1 keeps the temporary directory.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1

PY=/usr/bin/python3
BIN=$root/build/rel/bin
JOB=$here/torch_classify.py
THREADS=2
FSDD=$root/../shared/data/fsdd/recordings
TUNED="MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456"

say() { printf '%s\n' "$*"; }
die() { printf 'bench/classify: %s\n' "$*" >&2; exit 1; }

. "$here/../apt.sh"

[ -x /usr/bin/time ] || apt_install time || die "needs GNU time: apt-get install time"
command -v sox >/dev/null 2>&1 || apt_install sox || die "needs sox"
[ -x "$BIN/snd-classify" ] && [ -f build/rel/libsnd.a ] || die "build first: make"
have_torch=0
if "$PY" -c 'import torch, torchaudio, h5py' 2>/dev/null ||
   { apt_install python3-torch python3-torchaudio python3-h5py &&
     "$PY" -c 'import torch, torchaudio, h5py' 2>/dev/null; }; then
    have_torch=1
else
    say "PyTorch side skipped: $PY cannot import torch, torchaudio and h5py"
fi
[ -d "$FSDD" ] || die "no FSDD at $FSDD"
FSDD=$(cd "$FSDD" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-classify.XXXXXX") || die "mktemp failed"
if [ "${BENCH_KEEP:-0}" = 1 ]; then trap 'say "kept $tmp"' EXIT; else trap 'rm -rf "$tmp"' EXIT; fi
trap 'exit 130' INT TERM

# --- the data and the model ------------------------------------------------------------
ls "$FSDD"/*.flac | awk -F/ -v d="$tmp" '{ split($NF, a, "_"); sub(/\.flac$/, "", a[3]);
    print > (d "/" (a[3] + 0 < 5 ? "test.list" : "train.list")) }'
{ printf 'id\tlabel\n'; sed 's|.*/\([0-9]\)_[^/]*$|&\t\1|' "$tmp/train.list" "$tmp/test.list"; } >"$tmp/labels.tsv"
ntest=$(wc -l <"$tmp/test.list")
model=${BENCH_MODEL:-}
if [ -z "$model" ]; then
    say "training the default network on FSDD's training split, ${BENCH_EPOCHS:-5} epochs"
    # shellcheck disable=SC2046
    "$BIN/snd-melspec" -q -o "$tmp/train.h5" $(cat "$tmp/train.list") &&
        "$BIN/snd-train" -q -o "$tmp/model.h5" -l "$tmp/labels.tsv" --epochs "${BENCH_EPOCHS:-5}" \
            "$tmp/train.h5" || die "training failed"
    model=$tmp/model.h5
fi
# A 1-second clip at the model's rate: a test digit, padded.
sox "$(head -1 "$tmp/test.list")" -r 16000 "$tmp/clip.wav" pad 0 1 trim 0 1 || die "sox failed"
cc -O2 -iquote lib $(pkg-config --cflags hdf5 openblas) "$here/latency.c" build/rel/libsnd.a \
    $(pkg-config --libs sndfile samplerate fftw3 hdf5 libpng openblas) -lm -lpthread \
    -o "$tmp/latency" || die "latency.c did not compile"

# --- measuring -------------------------------------------------------------------------
# timed KEY RUNS CMD...: whole-process wall seconds (median of RUNS) and peak RSS (KB,
# the largest) into $tmp/KEY; the last run's stdout in $tmp/KEY.out.
timed() {
    key=$1 runs=$2
    shift 2
    : >"$tmp/$key.all"
    for i in $(seq "$runs"); do
        env OMP_NUM_THREADS=$THREADS /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" \
            >"$tmp/$key.out" 2>"$tmp/$key.err" || { say "  $key FAILED:"; tail -3 "$tmp/$key.err"; return 1; }
        tail -1 "$tmp/time" >>"$tmp/$key.all"
    done
    sort -n "$tmp/$key.all" | awk '{ t[NR] = $1; if ($2 > m) m = $2 }
        END { print t[int((NR + 1) / 2)], m }' >"$tmp/$key"
}
get() { cat "$tmp/$1" 2>/dev/null; }

say "measuring, $THREADS threads each"
timed snd_a 11 "$BIN/snd-classify" -j $THREADS -m "$model" --aggregate mean "$tmp/clip.wav"
timed snd_c 3 "$BIN/snd-classify" -j $THREADS -m "$model" --aggregate mean $(cat "$tmp/test.list")
"$tmp/latency" "$model" 1 500 >"$tmp/snd_b1"
"$tmp/latency" "$model" $THREADS 500 >"$tmp/snd_b"
if [ $have_torch = 1 ]; then
    timed torch_a 5 "$PY" "$JOB" startup "$model" "$tmp/clip.wav"
    timed torch_c 3 "$PY" "$JOB" batch "$model" "$tmp/torch_c.tsv" $(cat "$tmp/test.list")
    "$PY" "$JOB" latency "$model" 500 >"$tmp/torch_b"
    env $TUNED "$PY" "$JOB" latency "$model" 500 >"$tmp/torch_bt"
    timed torch_ct 3 env $TUNED "$PY" "$JOB" batch "$model" "$tmp/torch_ct.tsv" $(cat "$tmp/test.list")
fi

# --- the table -------------------------------------------------------------------------
ms() { awk '{ printf "%.1f ms", $1 * 1000 }'; }
mb() { awk '{ printf "%.1f MB", $2 / 1024 }'; }
rate() { awk -v n="$ntest" '{ printf "%.0f clips/s", n / $1 }'; }
say ""
say "snd-classify vs PyTorch $("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null), $THREADS threads, $(nproc) CPUs"
say "(a) start-up to the first prediction, one 1-s clip (median wall, peak RSS)"
say "    snd-classify   $(get snd_a | ms)   $(get snd_a | mb)"
[ $have_torch = 1 ] && say "    PyTorch        $(get torch_a | ms)   $(get torch_a | mb)"
say "(b) one window through the network, batch of one (median of 500)"
say "    snd (1 thread) $(get snd_b1) ms;  snd ($THREADS threads) $(get snd_b) ms"
[ $have_torch = 1 ] && say "    PyTorch        $(get torch_b) ms as installed, $(get torch_bt) ms with malloc tuned"
say "(c) FSDD test split, $ntest files to one prediction each (median wall of 3, whole process)"
say "    snd-classify   $(get snd_c | rate)   $(get snd_c | awk '{ printf "%.2f s", $1 }')   $(get snd_c | mb)"
if [ $have_torch = 1 ]; then
    say "    PyTorch        $(get torch_c | rate)   $(get torch_c | awk '{ printf "%.2f s", $1 }')   $(get torch_c | mb)"
    say "    PyTorch tuned  $(get torch_ct | rate)   $(get torch_ct | awk '{ printf "%.2f s", $1 }')   $(get torch_ct | mb)"
    say "ratios (target): (a) $(paste "$tmp/snd_a" "$tmp/torch_a" | awk '{ printf "%.0fx faster, snd %.0f ms (< 50 ms)", $3 / $1, $1 * 1000 }')"
    say "                 (b) $(paste "$tmp/snd_b" "$tmp/torch_bt" | awk '{ printf "%.2fx of tuned PyTorch (<= 0.5x)", $1 / $2 }')"
    say "                 (c) $(paste "$tmp/snd_c" "$tmp/torch_c" "$tmp/torch_ct" | awk '{ printf "%.1fx PyTorch, %.1fx tuned (>= 3x)", $3 / $1, $5 / $1 }')"
    say "                 (d) snd peak $(cat "$tmp/snd_a" "$tmp/snd_c" | awk '{ if ($2 > m) m = $2 } END { printf "%.1f MB (< 30 MB)", m / 1024 }')"
    # Same weights, same features: snd's HDF5 features through the PyTorch network must give
    # snd-classify's labels. (From audio the two differ: the resamplers leave different
    # traces above 4 kHz in 8 kHz recordings, bands the model standardises by tiny spreads.)
    # shellcheck disable=SC2046
    "$BIN/snd-melspec" -q -o "$tmp/test.h5" $(cat "$tmp/test.list")
    "$BIN/snd-classify" -m "$model" --aggregate mean "$tmp/test.h5" | tail -n +2 | cut -f1,4,5 | sort >"$tmp/s.lab"
    "$PY" "$JOB" agree "$model" "$tmp/test.h5" "$tmp/agree.tsv"
    tail -n +2 "$tmp/agree.tsv" | sort >"$tmp/t.lab"
    say "agreement on snd's features: $(paste "$tmp/s.lab" "$tmp/t.lab" | awk '{ n++; s += ($2 == $5)
        d = $3 - $6; if (d < 0) d = -d; if (d > m) m = d }
        END { printf "%d of %d clips get the same label; probabilities within %.1e", s, n, m }')"
    say "PyTorch's accuracy from its own features: $(awk -F'\t' 'NR == FNR { t[$1] = $2; next }
        FNR > 1 { n++; s += (t[$1] == $2) } END { printf "%.4f", s / n }' "$tmp/labels.tsv" "$tmp/torch_c.tsv")"
fi
say "snd-classify's accuracy on the test split: $(awk -F'\t' 'NR == FNR { t[$1] = $2; next }
    FNR > 1 { n++; s += (t[$1] == $4) } END { printf "%.4f", s / n }' "$tmp/labels.tsv" "$tmp/snd_c.out")"
