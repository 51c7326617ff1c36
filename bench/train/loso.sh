#!/bin/sh
# bench/train/loso.sh: leave one speaker out. FSDD has five speakers; for each, snd-train
# learns the digits from the other four (all their clips, 10% held out for validation)
# and the model is tested on every clip of the fifth, whose voice it has never heard. A
# network that has only learnt voices fails here; augmentation is what should carry it.
# Usage: sh bench/train/loso.sh  (by hand, never from make check)
# EPOCHS=N (default: what snd-train chooses, at least 30); SND_TRAIN_OPTS="..." adds options to snd-train, MELSPEC_OPTS="..."
# to snd-melspec (the features of every clip, real or synthetic); VOICES=N adds N
# synthetic speakers of the digits (voices.py) to every fold's training set, made by the
# synthesisers ENGINES="espeak accent flite festival" names (default espeak; one named
# twice makes twice as many); ADAPT=1 also adapts each fold's model to the held-out
# speaker's clips, unlabelled (snd-train --adapt), and tests that model too; BENCH_KEEP=1
# keeps the temporary directory; SND_BIN, SND_SHARED as for run.sh.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3
BIN=${SND_BIN:-$root/build/rel/bin}
SHARED=${SND_SHARED:-$root/../shared}
FSDD=$SHARED/data/fsdd/recordings
EPOCHS=${EPOCHS:-}
OPTS=${SND_TRAIN_OPTS:-}
FEATURES=${MELSPEC_OPTS:-}
VOICES=${VOICES:-0}
ENGINES=${ENGINES:-espeak}
ADAPT=${ADAPT:-0}

[ -x "$BIN/snd-train" ] || { echo "loso: no $BIN/snd-train: run make" >&2; exit 1; }
[ -d "$FSDD" ] || { echo "loso: no $FSDD" >&2; exit 1; }
"$PY" -c 'import h5py, numpy' 2>/dev/null || { echo "loso: $PY needs h5py and numpy" >&2; exit 1; }
case $VOICES in '' | *[!0-9]*) echo "loso: VOICES must be a whole number" >&2; exit 1 ;; esac
case $ADAPT in 0 | 1) ;; *) echo "loso: ADAPT must be 0 or 1" >&2; exit 1 ;; esac
. "$here/../apt.sh"
# The packages of each engine: its program, and for festival the two voices voices.py uses.
engine_packages() {
    for e in $ENGINES; do
        case $e in
        espeak | accent) command -v espeak-ng >/dev/null 2>&1 || echo espeak-ng ;;
        flite) command -v flite >/dev/null 2>&1 || echo flite ;;
        festival)
            command -v text2wave >/dev/null 2>&1 || echo festival
            [ -d /usr/share/festival/voices/english/ked_diphone ] || echo festvox-kdlpc16k
            [ -d /usr/share/festival/voices/us/cmu_us_slt_arctic_hts ] || echo festvox-us-slt-hts
            ;;
        *) echo "loso: ENGINES: no engine $e (espeak, accent, flite, festival)" >&2; exit 1 ;;
        esac
    done
    command -v sox >/dev/null 2>&1 || echo sox
}
if [ "$VOICES" -gt 0 ]; then
    missing=$(engine_packages) || exit 1
    # shellcheck disable=SC2086
    [ -z "$missing" ] || apt_install $missing ||
        { echo "loso: VOICES needs" $missing >&2; exit 1; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-loso.XXXXXX")
[ "${BENCH_KEEP:-0}" = 1 ] && echo "keeping $tmp" || trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

speakers=$(ls "$FSDD" | sed -n 's/^[0-9]_\([a-z]*\)_[0-9]*\.flac$/\1/p' | sort -u)
{
    printf 'id\tlabel\n'
    ls "$FSDD"/*.flac | sed 's|.*/\([0-9]\)_[^/]*$|&\t\1|'
} >labels.tsv
for s in $speakers; do
    # shellcheck disable=SC2046,SC2086
    "$BIN/snd-melspec" -q -j 2 $FEATURES -o "$s.h5" $(ls "$FSDD"/*_"$s"_*.flac) || exit 1
done
extra=
if [ "$VOICES" -gt 0 ]; then
    # shellcheck disable=SC2086
    "$PY" "$here/voices.py" "$VOICES" voices $ENGINES || { echo "loso: voices.py failed" >&2; exit 1; }
    tail -n +2 voices/labels.tsv >>labels.tsv
    # shellcheck disable=SC2086
    "$BIN/snd-melspec" -q -j 2 $FEATURES -o voices.h5 voices/*.wav || exit 1
    extra=voices.h5
fi

echo "leave one speaker out: ${EPOCHS:-snd-train's choice of} epochs, snd-train defaults${OPTS:+ and $OPTS}${FEATURES:+, features $FEATURES}${extra:+, $VOICES synthetic voices ($ENGINES)}"
if [ "$ADAPT" = 1 ]; then
    printf '  %-10s %8s %9s %9s\n' speaker "test acc" "s/epoch" "adapted"
else
    printf '  %-10s %8s %9s\n' speaker "test acc" "s/epoch"
fi
sum=0
sum_adapted=0
n=0
for s in $speakers; do
    train=$(for o in $speakers; do [ "$o" = "$s" ] || printf '%s.h5 ' "$o"; done)$extra
    # shellcheck disable=SC2086
    "$BIN/snd-train" -q -o "model-$s.h5" -l labels.tsv ${EPOCHS:+--epochs "$EPOCHS"} -j 2 \
        --history "hist-$s.tsv" $OPTS $train || { echo "loso: snd-train failed for $s" >&2; exit 1; }
    acc=$("$PY" "$root/tests/cli/model_check.py" "model-$s.h5" "$s.h5" labels.tsv)
    secs=$(awk -F'\t' 'NR > 1 { s += $6; n++ } END { printf "%.2f", s / n }' "hist-$s.tsv")
    if [ "$ADAPT" = 1 ]; then
        # The held-out speaker's clips without their labels: the model's batch norms
        # measure them, and the adapted model is tested on the same clips.
        "$BIN/snd-train" -q --adapt --init "model-$s.h5" -o "adapted-$s.h5" -j 2 "$s.h5" ||
            { echo "loso: snd-train --adapt failed for $s" >&2; exit 1; }
        adapted=$("$PY" "$root/tests/cli/model_check.py" "adapted-$s.h5" "$s.h5" labels.tsv)
        printf '  %-10s %8s %9s %9s\n' "$s" "$acc" "$secs" "$adapted"
        sum_adapted=$(awk -v a="$sum_adapted" -v b="$adapted" 'BEGIN { print a + b }')
    else
        printf '  %-10s %8s %9s\n' "$s" "$acc" "$secs"
    fi
    sum=$(awk -v a="$sum" -v b="$acc" 'BEGIN { print a + b }')
    n=$((n + 1))
done
if [ "$ADAPT" = 1 ]; then
    awk -v s="$sum" -v a="$sum_adapted" -v n="$n" \
        'BEGIN { printf "  %-10s %8.4f %9s %9.4f\n", "mean", s / n, "", a / n }'
else
    awk -v s="$sum" -v n="$n" 'BEGIN { printf "  %-10s %8.4f\n", "mean", s / n }'
fi
