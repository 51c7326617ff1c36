#!/bin/sh
# demo.sh: the washing-machine story, end to end, on sound the demo makes itself. A day
# of a washing machine (rumble, hum, a spin cycle, a pause, someone walking by, someone
# asking about it) with its beep at known times is cut into clips, the silent ones are
# dropped, and a small model learns beep from everything else. Then a new evening
# recording streams through snd-melspec | snd-classify | snd-tag --events --cooldown
# --exec, the events are scored against the truth, and the demo fails unless every
# beep was found.
# usage: sh tools/demo.sh BIN_DIR   (writes into ./demo)
set -eu
bin=$(cd "${1:?usage: demo.sh BIN_DIR}" && pwd)
PATH=$bin:$PATH
out=demo
rm -rf "$out"
mkdir -p "$out/clips" "$out/parts"
p=$out/parts
start_time=$(date +%s)

epochs=20

step() { printf '\n== %s  (%s s)\n' "$*" "$(($(date +%s) - start_time))"; }
die() {
    echo "demo: $*" >&2
    exit 1
}

# Align a table for reading, when column(1) is there (bsdextrautils on Debian).
table() {
    if command -v column >/dev/null 2>&1; then
        column -t -s "$(printf '\t')" "$@"
    else
        cat "$@"
    fi
}

# sox -R: the same noise on every run, so the demo's numbers repeat.
R="-R -r 16000 -b 16 -c 1"
# mix INTO PART TIME [GAIN_DB]: add PART to the recording INTO, starting TIME s in.
mix() {
    # shellcheck disable=SC2086
    sox $R "$2" "$p/at.wav" pad "$3" 0 gain "${4:-0}" &&
        sox $R -m -v 1 "$1" -v 1 "$p/at.wav" "$p/mix.wav" trim 0 "$(soxi -D "$1")" &&
        mv "$p/mix.wav" "$1"
}
# beeps INTO TRUTH ID TIME...: the machine's beep at each TIME, one event each in TRUTH.
beeps() {
    into=$1 truth=$2 id=$3
    shift 3
    k=0
    for t in "$@"; do
        mix "$into" "$p/beep.wav" "$t" "-$((k % 3 * 3))"
        printf '%s\t%s\t%s\tbeep\n' "$id" "$t" "$(awk -v t="$t" 'BEGIN { print t + 0.4 }')" >>"$truth"
        k=$((k + 1))
    done
}

# shellcheck disable=SC2086
{
    step "1. Synthesise a day of the washing machine (sox, espeak-ng), its beeps at known times"
    # Four minutes of each sound of the machine; the day and the evening take different
    # stretches of them. The wash: rumble with a slow wobble and the motor's hum. The spin
    # cycle: louder, a faster wobble, a higher hum. A quiet room when the machine rests.
    sox $R -n "$p/rumble.wav" synth 240 brownnoise vol 0.3 tremolo 0.4 30
    sox $R -n "$p/hum.wav" synth 240 sine 100 vol 0.12
    sox $R -m -v 1 "$p/rumble.wav" -v 1 "$p/hum.wav" "$p/wash.wav"
    sox $R -n "$p/whirl.wav" synth 240 brownnoise vol 0.45 tremolo 6 50
    sox $R -n "$p/whine.wav" synth 240 sine 180 vol 0.15
    sox $R -m -v 1 "$p/whirl.wav" -v 1 "$p/whine.wav" "$p/spin.wav"
    sox $R -n "$p/room.wav" synth 240 whitenoise vol 0.001
    # The beep, 0.4 s at 2.4 kHz; a footstep, a short knock; a person walking by, ten steps.
    sox $R -n "$p/beep.wav" synth 0.4 sine 2400 vol 0.15 fade 0.01 0.4 0.01
    sox $R -n "$p/knock.wav" synth 0.06 pinknoise vol 0.4 fade 0 0.06 0.05
    sox "$p/knock.wav" "$p/steps.wav" pad 0 0.45 repeat 9
    # Someone speaking near the machine. espeak-ng leaves silence around the words;
    # snd-silence --trim cuts it, so that the words start where the script puts them.
    espeak-ng -s 150 -g 5 -w "$p/say1.wav" "is the washing done yet"
    espeak-ng -v en+f3 -s 140 -w "$p/say2.wav" "where are my socks"
    espeak-ng -v en+m3 -s 160 -w "$p/say3.wav" "I will hang it up later"
    for s in say1 say2 say3; do
        snd-silence -q --trim --pad 0 -o "$p/$s-trim.wav" "$p/$s.wav"
        sox "$p/$s-trim.wav" $R "$p/$s.wav" gain -9
        rm -f "$p/$s-trim.wav"
    done

    # The day, 100 s: the machine off, a wash, a pause, the spin cycle, a rinse.
    sox "$p/room.wav" "$p/d0.wav" trim 0 5
    sox "$p/wash.wav" "$p/d1.wav" trim 0 45
    sox "$p/room.wav" "$p/d2.wav" trim 10 5
    sox "$p/spin.wav" "$p/d3.wav" trim 0 25
    sox "$p/wash.wav" "$p/d4.wav" trim 50 20
    sox "$p/d0.wav" "$p/d1.wav" "$p/d2.wav" "$p/d3.wav" "$p/d4.wav" "$out/day.wav"
    mix "$out/day.wav" "$p/steps.wav" 14
    mix "$out/day.wav" "$p/steps.wav" 58 -4
    mix "$out/day.wav" "$p/steps.wav" 86 -2
    mix "$out/day.wav" "$p/say1.wav" 24
    mix "$out/day.wav" "$p/say2.wav" 52
    mix "$out/day.wav" "$p/say3.wav" 73
    printf 'id\tstart\tend\tlabel\n' >"$out/day-events.tsv"
    # Thirty beeps over every part of the day, at three levels, to learn from.
    # shellcheck disable=SC2046
    beeps "$out/day.wav" "$out/day-events.tsv" day $(awk 'BEGIN {
        for (k = 0; k < 30; k++) printf "%.2f ", 2.3 + k * 3.23 }')
    echo "demo/day.wav: $(soxi -d "$out/day.wav"), 16 kHz mono; machine off 0-5 s, wash,"
    echo "pause 50-55 s, spin cycle 55-80 s, rinse; steps at 14, 58, 86 s; speech at 24, 52, 73 s;"
    echo "$(($(wc -l <"$out/day-events.tsv") - 1)) beeps, listed in demo/day-events.tsv (start, end, label)"

    step "2. snd-split -l 0.6s --hop 0.3s: cut the day into clips; a clip is a beep if one fills most of it"
    snd-split -q -l 0.6s --hop 0.3s --last drop -o "$out/clips/{base}_{n:3}.wav" "$out/day.wav" >"$out/clips.tsv"
    head -n 4 "$out/clips.tsv" | table
    echo "..."
    # beep: a beep overlaps the clip by 0.3 s or more (of its 0.4 s); other: no beep
    # touches it; a clip with only an edge of a beep is ambiguous and left out.
    awk -F '\t' 'NR == FNR { if (FNR > 1) { n++; bs[n] = $2; be[n] = $3 } next }
        FNR == 1 { print "id\tlabel"; next }
        { best = 0
          for (i = 1; i <= n; i++) {
              o = ($4 < be[i] ? $4 : be[i]) - ($3 > bs[i] ? $3 : bs[i])
              if (o > best) best = o }
          if (best >= 0.3) print $1 "\tbeep"; else if (best <= 0) print $1 "\tother" }' \
        "$out/day-events.tsv" "$out/clips.tsv" >"$out/labels-all.tsv"
    echo "$(($(wc -l <"$out/clips.tsv") - 1)) clips in demo/clips/, index demo/clips.tsv; labelled:"
    tail -n +2 "$out/labels-all.tsv" | cut -f2 | sort | uniq -c

    step "3. snd-silence --report: drop the clips of the silent machine (nothing to learn there)"
    snd-silence -q --report "$out"/clips/*.wav >"$out/silence.tsv"
    # A clip with no stretch of sound is silent through and through.
    awk -F '\t' 'NR > 1 && $4 == "sound" { print $1 }' "$out/silence.tsv" | sort -u >"$p/sound.txt"
    awk -F '\t' -v silent="$out/silent-clips.txt" 'NR == FNR { sound[$1] = 1; next }
        FNR == 1 || ($1 in sound) { print; next }
        { print $1 >silent }' "$p/sound.txt" "$out/labels-all.tsv" >"$out/labels.tsv"
    echo "$(wc -l <"$out/silent-clips.txt") silent clips dropped (listed in demo/silent-clips.txt), e.g.:"
    grep -F -f "$out/silent-clips.txt" "$out/silence.tsv" | head -n 3 | table
    echo "training on $(($(wc -l <"$out/labels.tsv") - 1)) clips:"
    tail -n +2 "$out/labels.tsv" | cut -f2 | sort | uniq -c
    [ "$(grep -c '	beep$' "$out/labels.tsv")" -ge 20 ] || die "too few beep clips to learn from"

    step "4. snd-melspec: log-mel features of the clips, one HDF5 file"
    cut -f1 "$out/labels.tsv" | tail -n +2 >"$p/train.txt"
    # shellcheck disable=SC2046
    snd-melspec -q -j 2 -o "$out/clips.h5" $(cat "$p/train.txt")
    echo "demo/clips.h5: $(wc -l <"$p/train.txt") clips x 64 mel bands, 100 frames a second"

    step "5. snd-train: a small CNN learns beep from other ($epochs epochs, a tenth held out)"
    snd-train -o "$out/beep.h5" -l "$out/labels.tsv" --arch "block 16, block 32, block 64, gap, dense" \
        --window 0.5s --epochs "$epochs" --batch 8 --lr 0.01 --no-augment --balance --seed 1 -j 2 \
        --history "$out/history.tsv" "$out/clips.h5"

    step "6. Synthesise an evening: the same machine, new beeps, steps and words, and their truth"
    # 75 s: a wash, the spin cycle at 40-62 s, the rest of the rinse. The machine beeps
    # once when its door locks, and three times when the washing is done.
    sox "$p/wash.wav" "$p/e1.wav" trim 120 40
    sox "$p/spin.wav" "$p/e2.wav" trim 100 22
    sox "$p/wash.wav" "$p/e3.wav" trim 180 13
    sox "$p/e1.wav" "$p/e2.wav" "$p/e3.wav" "$out/evening.wav"
    mix "$out/evening.wav" "$p/steps.wav" 17
    mix "$out/evening.wav" "$p/steps.wav" 48 -3
    mix "$out/evening.wav" "$p/say1.wav" 30
    mix "$out/evening.wav" "$p/say3.wav" 57
    printf 'id\tstart\tend\tlabel\n' >"$out/truth-events.tsv"
    beeps "$out/evening.wav" "$out/truth-events.tsv" evening 6.5 66 67.5 69
    echo "demo/evening.wav: $(soxi -d "$out/evening.wav"); the truth, demo/truth-events.tsv:"
    table "$out/truth-events.tsv"
    # A picture of the last 20 s: the spin cycle's end, words, and the three beeps high up.
    sox "$out/evening.wav" "$p/evening-end.wav" trim 55
    snd-melspec -q --png "$out/evening.png" --png-scale 2 -o "$p/evening-end.h5" "$p/evening-end.wav"
    echo "demo/evening.png: the spectrogram of its last 20 s (from 55 s; low frequencies at the bottom)"

    step "7. Stream it: snd-melspec | snd-classify | snd-tag --events --cooldown 10s --exec"
    # As a live pipeline would see it: raw PCM in, a row per window, events as they end,
    # a message per event at most every ten seconds.
    # shellcheck disable=SC2016
    sox "$out/evening.wav" -t raw - |
        snd-melspec --id evening |
        snd-classify -m "$out/beep.h5" --hop 0.1s --probs |
        tee "$out/predictions.tsv" |
        snd-tag --events --labels beep --cooldown 10s \
            --exec 'echo "demo: beep at $SND_START s: the washing machine wants you"' \
            >"$out/events.tsv"
    echo "reported events (demo/events.tsv):"
    table "$out/events.tsv"
    # The same windows without the cool-down: every beep, for scoring.
    snd-tag --events --labels beep "$out/predictions.tsv" >"$out/all-events.tsv"
    echo "without the cool-down (demo/all-events.tsv):"
    table "$out/all-events.tsv"

    step "8. snd-eval --events: the detected beeps against the truth"
    # Onsets and offsets within 0.5 s: a model that sees 0.5 s at a time places a beep
    # no more finely than that.
    snd-eval --events --collar 0.5s --truth "$out/truth-events.tsv" \
        "$out/all-events.tsv" | tee "$out/scores.txt"
    snd-eval --events --collar 0.5s --json --truth "$out/truth-events.tsv" \
        "$out/all-events.tsv" >"$out/scores.json"
}

# The demo's own verdict: every beep found, nothing else, and the cool-down kept the
# three end-of-cycle beeps to one message.
found=$(($(wc -l <"$out/all-events.tsv") - 1))
reported=$(($(wc -l <"$out/events.tsv") - 1))
want=$(($(wc -l <"$out/truth-events.tsv") - 1))
snd-eval -q --events --collar 0.5s --min event_f1=1 --truth "$out/truth-events.tsv" \
    "$out/all-events.tsv" || die "FAILED: the model did not find exactly the $want beeps (demo/all-events.tsv)"
[ "$reported" -eq 2 ] || die "FAILED: expected 2 reported events after the cool-down, got $reported (demo/events.tsv)"

step "9. What the demo found"
printf 'The evening had %d beeps, at %s s.\n' "$want" \
    "$(tail -n +2 "$out/truth-events.tsv" | cut -f2 | paste -s -d ' ')"
printf 'The model found %d, starting at %s s; after the 10 s cool-down, %d messages, at %s s.\n' \
    "$found" "$(tail -n +2 "$out/all-events.tsv" | cut -f2 | paste -s -d ' ')" \
    "$reported" "$(tail -n +2 "$out/events.tsv" | cut -f2 | paste -s -d ' ')"
echo "Model demo/beep.h5, window predictions demo/predictions.tsv, events demo/events.tsv,"
echo "scores demo/scores.txt, the evening's spectrogram demo/evening.png."
echo "demo: all beeps found in $(($(date +%s) - start_time)) s"
