#!/bin/sh
# bench/melspec: the same log-mel job with snd-melspec and with torchaudio (Debian's
# python3-torchaudio), 2 threads each, on this machine, in one run:
#   (a) all 2,500 files of ../shared/data/fsdd (8 kHz FLAC -> 16 kHz -> features -> one HDF5)
#   (b) one 10-minute 16 kHz recording, and a 20-minute one to show how memory scales.
# Reports wall time (whole process), audio-seconds per second, peak RSS and the ratios,
# then compares the two HDF5 outputs. Usage: sh bench/melspec/run.sh  (from anywhere)
# BENCH_KEEP=1 keeps the temporary directory (recordings, HDF5 outputs); SND_MELSPEC=PATH
# measures another snd-melspec binary than build/rel/bin/snd-melspec.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1

PY=/usr/bin/python3           # Debian's python: the one python3-torchaudio installs into
SND=${SND_MELSPEC:-$root/build/rel/bin/snd-melspec}   # SND_MELSPEC=path: another build
JOB=$here/torchaudio_job.py
THREADS=2
FSDD=$root/../shared/data/fsdd/recordings

say() { printf '%s\n' "$*"; }
die() { printf 'bench/melspec: %s\n' "$*" >&2; exit 1; }

. "$here/../apt.sh"

# --- what the benchmark needs ------------------------------------------------------------
[ -x /usr/bin/time ] || apt_install time || die "needs GNU time (/usr/bin/time): apt-get install time"
/usr/bin/time -f '%e %M' -o /dev/null true 2>/dev/null || die "/usr/bin/time is not GNU time"
command -v sox >/dev/null 2>&1 && command -v soxi >/dev/null 2>&1 ||
    apt_install sox libsox-fmt-all || die "needs sox and soxi: apt-get install sox"
command -v espeak-ng >/dev/null 2>&1 || apt_install espeak-ng ||
    say "espeak-ng not available: (b) uses synthetic noise and tones instead of speech"

have_snd=0
if [ -x "$SND" ]; then have_snd=1; else say "snd-melspec not built: run make"; fi

have_ta=0
if [ -x "$PY" ] && "$PY" -c 'import torchaudio, h5py' 2>/dev/null; then
    have_ta=1
elif apt_install python3-torchaudio python3-h5py &&
     "$PY" -c 'import torchaudio, h5py' 2>/dev/null; then
    have_ta=1
else
    say "torchaudio side skipped: $PY cannot import torchaudio and h5py" \
        "(as root: apt-get install python3-torchaudio python3-h5py)"
fi
[ $have_snd = 1 ] || [ $have_ta = 1 ] || die "nothing to measure"

[ -d "$FSDD" ] || die "no FSDD at $FSDD"
FSDD=$(cd "$FSDD" && pwd)
set -- "$FSDD"/*.flac
[ -f "$1" ] || die "no .flac files in $FSDD"
nfiles=$#

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-melspec.XXXXXX") || die "mktemp failed"
if [ "${BENCH_KEEP:-0}" = 1 ]; then
    trap 'say "kept $tmp"' EXIT
else
    trap 'rm -rf "$tmp"' EXIT
fi
trap 'exit 130' INT TERM

# --- (b)'s recordings: speech-like, 16 kHz mono 16-bit -----------------------------------
synth_rec() {                 # synth_rec SECONDS OUT.wav
    if command -v espeak-ng >/dev/null 2>&1; then
        if [ ! -f "$tmp/speech.wav" ]; then
            text="The north wind and the sun were disputing which was the stronger, when a
traveller came along wrapped in a warm cloak. They agreed that the one who first succeeded
in making the traveller take his cloak off should be considered stronger than the other.
Zero one two three four five six seven eight nine. Then the north wind blew as hard as
he could, but the more he blew the more closely did the traveller fold his cloak around
him; and at last the north wind gave up the attempt."
            n=0
            for v in en-us+m3 en+f2 en-gb+m1 en-us+f4; do
                n=$((n + 1))
                espeak-ng -v "$v" -s 165 -p $((30 + 10 * n)) -g 8 \
                    -w "$tmp/voice$n.wav" "$text" 2>/dev/null || return 1
                sox "$tmp/voice$n.wav" -r 16000 -c 1 -b 16 "$tmp/v16_$n.wav" \
                    gain -n -6 pad 0 0.7 || return 1
            done
            sox "$tmp"/v16_*.wav "$tmp/speech.wav" || return 1
        fi
        len=$(soxi -D "$tmp/speech.wav")
        reps=$(awk -v s="$1" -v l="$len" 'BEGIN { print int(s / l) + 1 }')
        sox "$tmp/speech.wav" "$tmp/loop.wav" repeat "$reps" trim 0 "$1" || return 1
        sox -n -r 16000 -c 1 -b 16 "$tmp/bed.wav" synth "$1" pinknoise vol 0.03 || return 1
        sox -m "$tmp/loop.wav" "$tmp/bed.wav" -r 16000 -c 1 -b 16 "$2" gain -n -3 || return 1
        rm -f "$tmp/loop.wav" "$tmp/bed.wav"
    else
        sox -n -r 16000 -c 1 -b 16 "$2" synth "$1" pinknoise synth "$1" sine mix 150-900 \
            tremolo 3 80 gain -n -3 || return 1
    fi
}
say "synthesising the 10- and 20-minute recordings for (b)"
synth_rec 600 "$tmp/rec10.wav" || die "could not synthesise the 10-minute recording"
synth_rec 1200 "$tmp/rec20.wav" || die "could not synthesise the 20-minute recording"

secs_a=$(soxi -D -T "$@")
secs_b10=$(printf '%.1f' "$(soxi -D "$tmp/rec10.wav")")
secs_b20=$(printf '%.1f' "$(soxi -D "$tmp/rec20.wav")")

# --- measuring -------------------------------------------------------------------------
# measure KEY OUT.h5 CMD...: run twice under GNU time, keep the faster run's wall seconds
# and peak RSS (KB) in $tmp/KEY.
measure() {
    key=$1 out=$2
    shift 2
    best=
    for i in 1 2; do
        rm -f "$out"
        if ! OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS \
             /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$tmp/stdout" 2>"$tmp/stderr"; then
            say "  $key: FAILED (run $i); its stderr ends:"
            tail -n 5 "$tmp/stderr" | sed 's/^/    /'
            rm -f "$tmp/$key"
            return 1
        fi
        t=$(tail -n 1 "$tmp/time")
        say "  $key run $i: $(printf '%s' "$t" | awk '{ printf "%.2f s, %.1f MB", $1, $2 / 1024 }')"
        if [ -z "$best" ] || awk -v a="${t%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best=$t
        fi
    done
    printf '%s\n' "$best" >"$tmp/$key"
}

say "measuring: (a) $nfiles FSDD files, $(printf '%.1f' "$secs_a") s of audio;" \
    "(b) $secs_b10 s and $secs_b20 s at 16 kHz; $THREADS threads each, best of 2 runs"
if [ $have_snd = 1 ]; then
    measure snd_a "$tmp/snd_a.h5" "$SND" -j $THREADS -q -o "$tmp/snd_a.h5" "$@"
    measure snd_b10 "$tmp/snd_b10.h5" "$SND" -j $THREADS -q -o "$tmp/snd_b10.h5" "$tmp/rec10.wav"
    measure snd_b20 "$tmp/snd_b20.h5" "$SND" -j $THREADS -q -o "$tmp/snd_b20.h5" "$tmp/rec20.wav"
fi
if [ $have_ta = 1 ]; then
    measure ta_a "$tmp/ta_a.h5" "$PY" "$JOB" job -j $THREADS -o "$tmp/ta_a.h5" "$@"
    measure ta_b10 "$tmp/ta_b10.h5" "$PY" "$JOB" job -j $THREADS -o "$tmp/ta_b10.h5" "$tmp/rec10.wav"
    measure ta_b20 "$tmp/ta_b20.h5" "$PY" "$JOB" job -j $THREADS -o "$tmp/ta_b20.h5" "$tmp/rec20.wav"
fi

# --- the table -------------------------------------------------------------------------
get() { [ -f "$tmp/$1" ] && cat "$tmp/$1"; }     # "wall rss_kb" or nothing

row() {                       # row LABEL KEY AUDIO_SECONDS
    v=$(get "$2") || { printf '  %-28s %9s\n' "$1" "-"; return; }
    printf '%s %s\n' "$v" "$3" | awk -v l="$1" '{
        w = $1 < 0.005 ? 0.005 : $1
        printf "  %-28s %9.2f %12.1f %12.1f\n", l, $1, $3 / w, $2 / 1024 }'
}

ratio() {                     # ratio SND_KEY TA_KEY [TARGET]: snd/torchaudio throughput, memory
    s=$(get "$1") && t=$(get "$2") || return
    printf '%s %s\n' "$s" "$t" | awk -v target="${3:-}" '{
        ws = $1 < 0.005 ? 0.005 : $1
        thr = $3 / ws; mem = $2 / $4
        v = target == "" ? "" : (thr >= 10 && mem < 0.1) ? ": target met (>=10x, <0.1x)" \
            : ": TARGET MISSED (>=10x, <0.1x)"
        printf "  %-28s %8.1fx throughput, %.3fx peak memory%s\n", "snd / torchaudio", thr, mem, v }'
}

say ""
say "snd-melspec vs torchaudio, $THREADS threads each, $(nproc) CPUs, best of 2 runs (GNU time)"
printf '  %-28s %9s %12s %12s\n' "" "wall s" "audio s/s" "peak RSS MB"
for job in a b10 b20; do
    case $job in
        a) say "(a) FSDD: $nfiles files, 8 kHz FLAC -> 16 kHz, $(printf '%.1f' "$secs_a") s of audio"
           secs=$secs_a ;;
        b10) say "(b) one 10-minute 16 kHz WAV ($secs_b10 s)"; secs=$secs_b10 ;;
        b20) say "(b') one 20-minute 16 kHz WAV ($secs_b20 s)"; secs=$secs_b20 ;;
    esac
    [ $have_snd = 1 ] && row "snd-melspec -j $THREADS" "snd_$job" "$secs"
    [ $have_ta = 1 ] && row "torchaudio ($THREADS threads)" "ta_$job" "$secs"
    if [ $job = b20 ]; then ratio "snd_$job" "ta_$job"; else ratio "snd_$job" "ta_$job" target; fi
done

say ""
say "peak RSS, 10 -> 20 minutes (should not grow with the length of the file for snd-melspec):"
for who in snd ta; do
    a=$(get "${who}_b10") && b=$(get "${who}_b20") || continue
    [ $who = snd ] && name=snd-melspec || name=torchaudio
    printf '%s %s\n' "${a#* }" "${b#* }" | awk -v n="$name" -v w="$who" '{
        g = ($2 - $1) / $1 * 100
        v = ""
        if (w == "snd") v = ($2 - $1 <= 0.1 * $1 || $2 - $1 < 2048) ? ": flat" : ": GROWS"
        printf "  %-28s %.1f -> %.1f MB (%+.1f%%)%s\n", n, $1 / 1024, $2 / 1024, g, v }'
done

# --- correctness: the two outputs -----------------------------------------------------------
if [ -f "$tmp/snd_a" ] && [ -f "$tmp/ta_a" ]; then
    say ""
    say "correctness (a): snd-melspec vs torchaudio on FSDD. The resamplers differ" \
        "(snd's polyphase Kaiser sinc vs torchaudio's sinc): expect dB-sized differences in the" \
        "transition band near 4 kHz and tens of dB above it, where an 8 kHz source has" \
        "nothing but each resampler's leakage."
    "$PY" "$JOB" compare "$tmp/ta_a.h5" "$tmp/snd_a.h5" || say "  (a): MISMATCH in clips or frame counts"
fi
if [ -f "$tmp/snd_b10" ] && [ -f "$tmp/ta_b10" ]; then
    say ""
    say "correctness (b): the 10-minute recording, already at 16 kHz (no resampling):"
    "$PY" "$JOB" compare "$tmp/ta_b10.h5" "$tmp/snd_b10.h5" || say "  (b): MISMATCH in clips or frame counts"
fi
exit 0
