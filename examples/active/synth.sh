#!/bin/sh
# synth.sh CLASS N SEA.wav OUT.wav: one second of a synthetic hydrophone, a stand-in for
# the orca project's recordings: the sea (SEA.wav from offset N), and over it a call (a
# whistle sweeping up or down, with a harmonic), a click train, or a boat (an engine's
# hum and its wash). N picks the variant; every fourth one is faint, to be hard.
set -eu
class=$1 n=$2 sea=$3 out=$4
S="sox -R -V1" # -R: the same bytes every run
SOX="$S -r 16000 -b 16 -c 1"
SOX2="$S -r 16000 -b 16 -c 2" # two generators, one a channel, then mixed by remix
tmp=${out%.wav}.tmp
# A number in [0, 1) from N and a salt, so that each property varies on its own.
pick() { awk -v n="$n" -v s="$1" 'BEGIN { x = sin(n * 12.9898 + s * 78.233) * 43758.5453; if (x < 0) x = -x; print x - int(x) }'; }
level=$(awk -v n="$n" -v r="$(pick 1)" 'BEGIN { printf "%.1f", (n % 4 == 3) ? -24 - 6 * r : -6 - 10 * r }')
case $class in
call)
    lo=$(awk -v r="$(pick 2)" 'BEGIN { printf "%d", 600 + 800 * r }')
    hi=$(awk -v r="$(pick 3)" -v lo="$lo" 'BEGIN { printf "%d", lo * (1.4 + 0.6 * r) }')
    if [ $((n % 2)) -eq 0 ]; then sweep=$lo:$hi; harm=$((2 * lo)):$((2 * hi)); else sweep=$hi:$lo; harm=$((2 * hi)):$((2 * lo)); fi
    len=$(awk -v r="$(pick 4)" 'BEGIN { printf "%.2f", 0.4 + 0.4 * r }')
    $SOX2 -n "$tmp.2.wav" synth "$len" sine "$sweep" sine "$harm"
    $S "$tmp.2.wav" "$tmp.a.wav" remix 1v0.7,2v0.3 fade 0.05 "$len" 0.1 pad 0.1 0
    ;;
click)
    gap=$(awk -v r="$(pick 2)" 'BEGIN { printf "%.3f", 0.02 + 0.08 * r }')
    count=$(awk -v g="$gap" 'BEGIN { printf "%d", 0.8 / (g + 0.002) }')
    $SOX -n "$tmp.c.wav" synth 0.002 whitenoise vol 0.5 fade 0 0.002 0.0015 highpass 2000
    $S "$tmp.c.wav" "$tmp.a.wav" pad 0 "$gap" repeat "$count" pad 0.1 0
    rm -f "$tmp.c.wav"
    ;;
noise)
    hz=$(awk -v r="$(pick 2)" 'BEGIN { printf "%d", 60 + 140 * r }')
    $SOX2 -n "$tmp.2.wav" synth 1 sine "$hz" pinknoise
    $S "$tmp.2.wav" "$tmp.a.wav" remix 1v0.5,2v0.5 tremolo 8 40
    ;;
*)
    echo "synth.sh: unknown class $class" >&2
    exit 2
    ;;
esac
$S "$sea" "$tmp.s.wav" trim "$(awk -v n="$n" 'BEGIN { print (n * 0.77) % 58 }')" 1
$S "$tmp.a.wav" "$tmp.b.wav" gain "$level"
$S -m -v 1 "$tmp.s.wav" -v 1 "$tmp.b.wav" "$tmp.wav" trim 0 1
rm -f "$tmp.2.wav" "$tmp.a.wav" "$tmp.b.wav" "$tmp.s.wav"
mv "$tmp.wav" "$out"
