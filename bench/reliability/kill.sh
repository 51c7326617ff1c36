#!/bin/sh
# bench/reliability/kill.sh: kill -9 writers at random moments, TRIALS times each, and
# count what is left: a partial output (a file under the target's name that h5py cannot
# read whole) and temporaries beside it (hidden .NAME.* files).
#   snd-melspec -o: FSDD's clips four times over into a feature file, half the trials replacing one that
#   exists (which must then be the old file or the new one, whole).
#   snd-train: a small network on FSDD features, killed while it writes checkpoints
#   after every epoch (the checkpoint itself, NAME.ckpt, is meant to stay).
# Each with the unnamed temporaries of lib/atomic.c and, for comparison, with
# SND_NAMED_TEMPORARIES=1, the hidden named temporaries they replaced.
# Usage: sh bench/reliability/kill.sh  (by hand; TRIALS=N, default 100; SND_BIN, SND_SHARED)
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3
BIN=${SND_BIN:-$root/build/rel/bin}
SHARED=${SND_SHARED:-$root/../shared}
TRIALS=${TRIALS:-100}

die() { printf 'bench/reliability: %s\n' "$*" >&2; exit 1; }
[ -x "$BIN/snd-melspec" ] && [ -x "$BIN/snd-train" ] || die "no $BIN/snd-melspec: run make"
[ -d "$SHARED/data/fsdd/recordings" ] || die "no $SHARED/data/fsdd/recordings"
"$PY" -c 'import h5py' 2>/dev/null || die "$PY cannot import h5py"
case $TRIALS in '' | *[!0-9]*) die "TRIALS must be a whole number" ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-kill.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
cd "$tmp" || exit 1
ls "$SHARED"/data/fsdd/recordings/*.flac | head -n 600 > clips
ls "$SHARED"/data/fsdd/recordings/*.flac > all
for k in 1 2 3 4; do cat all; done > many # 10,000 clips: about a second and a half
n_many=$(wc -l < many)
"$BIN/snd-melspec" -q -o old.h5 $(head -n 20 clips) || die "snd-melspec failed"
"$BIN/snd-melspec" -q -o train.h5 $(head -n 300 clips) || die "snd-melspec failed"
awk -F/ 'BEGIN { print "id\tlabel" } { n = $NF; sub(/\.flac$/, "", n); split(n, a, "_"); print $0 "\t" a[1] }' \
    clips > labels.tsv

# whole FILE CLIPS: h5py reads FILE and it holds CLIPS clips.
whole() {
    "$PY" -c "import sys, h5py; f = h5py.File(sys.argv[1], 'r'); sys.exit(len(f['offsets']) - 1 != int(sys.argv[2]))" \
        "$1" "$2" 2>/dev/null
}

# A random pause of 0 to MAX ms, as seconds.
pause_ms() {
    awk -v seed="$1" -v max="$2" 'BEGIN { srand(seed); printf "%.3f", rand() * max / 1000 }'
}

# trial_melspec N: one kill of snd-melspec; prints "partial temporaries finished".
trial_melspec() {
    target=new.h5
    [ $(($1 % 2)) = 1 ] && { cp old.h5 kept.h5; target=kept.h5; }
    # shellcheck disable=SC2046
    "$BIN/snd-melspec" -q -j 2 -o $target $(cat many) &
    pid=$!
    sleep "$(pause_ms "$1" 1500)"
    finished=0
    kill -9 $pid 2>/dev/null || finished=1
    wait $pid 2>/dev/null
    partial=0
    if [ -e new.h5 ]; then whole new.h5 "$n_many" || partial=1; fi
    if [ -e kept.h5 ]; then whole kept.h5 20 || whole kept.h5 "$n_many" || partial=1; fi
    temps=$(ls -A | grep -c '^\.')
    rm -f new.h5 kept.h5 .new.h5.* .kept.h5.*
    echo "$partial $temps $finished"
}

# trial_train N: one kill of snd-train mid-run; the checkpoint may stay, nothing else.
trial_train() {
    "$BIN/snd-train" -q -o model.h5 -l labels.tsv --arch "conv 8, relu, maxpool 2, conv 16, relu, maxpool 2, gap, dense" --epochs 50 \
        --batch 16 -j 2 --seed "$1" train.h5 &
    pid=$!
    sleep "$(pause_ms "$1" 3000)"
    finished=0
    kill -9 $pid 2>/dev/null || finished=1
    wait $pid 2>/dev/null
    partial=0
    if [ -e model.h5 ]; then
        "$PY" -c "import h5py; h5py.File('model.h5', 'r')['params']" 2>/dev/null || partial=1
    fi
    if [ -e model.h5.ckpt ]; then
        "$PY" -c "import h5py; h5py.File('model.h5.ckpt', 'r')['checkpoint']" 2>/dev/null || partial=1
    fi
    temps=$(ls -A | grep -c '^\.')
    rm -f model.h5 model.h5.ckpt .model.h5*
    echo "$partial $temps $finished"
}

run() {
    what=$1
    scheme=$2
    i=0
    : > "$what-$scheme.txt"
    while [ $i -lt "$TRIALS" ]; do
        if [ "$scheme" = named ]; then
            SND_NAMED_TEMPORARIES=1 "trial_$what" $i >> "$what-$scheme.txt"
        else
            "trial_$what" $i >> "$what-$scheme.txt"
        fi
        i=$((i + 1))
    done
    awk -v w="$what" -v s="$scheme" '{ p += $1; t += ($2 > 0); f += $3 }
        END { printf "  %-12s %-8s %7d %9d %18d %9d\n", w, s, NR, p, t, f }' "$what-$scheme.txt"
}

printf '  %-12s %-8s %7s %9s %18s %9s\n' writer temps trials partial "temporaries left" finished
for what in melspec train; do
    for scheme in unnamed named; do
        run $what $scheme
    done
done
