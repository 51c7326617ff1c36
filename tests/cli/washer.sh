# The washing machine's beep, end to end: a machine that rumbles and hums, a person
# walking by, and the end-of-cycle beep at known times. A small model learns beep from
# other on clips of the machine; then three minutes of it stream through
# snd-melspec | snd-classify | snd-tag --events --cooldown --exec, and again captured
# through ALSA by snd-record and gated by snd-silence. Every beep must be found within
# 0.5 s (and, by a model of 1-s windows, start and end within 0.25 s), nothing else reported, the cool-down respected, and the command run once per
# reported event, retried when it fails.
. "$(dirname "$0")/lib.sh"

beeps="20 60 61.5 100 150" # 61.5 comes within the cool-down of 60
reported="20 60 100 150"

(
    cd "$tmp" || exit 1
    set -e
    R="-R -r 16000 -b 16 -c 1"
    # mix OUT A B: A and B added at their own levels.
    mix() { sox $R -m -v 1 "$2" -v 1 "$3" "$1.tmp.wav" && mv "$1.tmp.wav" "$1"; }
    # Five minutes of the machine: rumble with a slow wobble, and the motor's hum. The
    # first two minutes give the training clips, the last three the recording.
    sox $R -n rumble.wav synth 300 brownnoise vol 0.5 tremolo 0.4 30
    sox $R -n hum.wav synth 300 sine 100 vol 0.2
    mix machine.wav rumble.wav hum.wav
    sox $R -n beep.wav synth 0.4 sine 2400 vol 0.25 fade 0.01 0.4 0.01
    sox $R -n knock.wav synth 0.06 pinknoise vol 0.6 fade 0 0.06 0.05
    sox knock.wav steps.wav pad 0 0.45 repeat 5
    printf 'id\tlabel\n' >labels.tsv
    for i in $(seq 0 119); do # the machine alone, some with footsteps, at several levels
        sox machine.wav o$i.wav trim "$(awk -v i=$i 'BEGIN { print (i * 0.95) % 119 }')" 0.6 gain -$((i % 4 * 2))
        if [ $((i % 5)) -eq 0 ]; then mix o$i.wav o$i.wav steps.wav; sox o$i.wav t.wav trim 0 0.6; mv t.wav o$i.wav; fi
        printf 'o%d.wav\tother\n' $i >>labels.tsv
    done
    for i in $(seq 0 59); do # a beep over the machine, at several places and levels
        sox machine.wav bg.wav trim "$(awk -v i=$i 'BEGIN { print (1 + i * 1.9) % 119 }')" 0.6 gain -$((i % 4 * 2))
        sox beep.wav bp.wav pad 0.0$((i % 5 * 4)) 0 gain -$((i % 3 * 3))
        mix bg.wav bg.wav bp.wav
        sox bg.wav b$i.wav trim 0 0.6
        printf 'b%d.wav\tbeep\n' $i >>labels.tsv
    done
    sox machine.wav rec.wav trim 120 180
    sox steps.wav at.wav pad 40 0 && mix rec.wav rec.wav at.wav
    for t in $beeps; do sox beep.wav at.wav pad "$t" 0 && mix rec.wav rec.wav at.wav; done
    sox rec.wav -t raw rec.raw
    rm -f rumble.wav hum.wav bg.wav bp.wav at.wav
    snd-melspec -q -o train.h5 o?.wav o??.wav o???.wav b?.wav b??.wav
    snd-train -q -o beep.h5 -l labels.tsv --arch "block 16, block 32, block 64, gap, dense" \
        --window 0.5s --epochs 20 --batch 8 --lr 0.01 --no-augment --seed 1 train.h5
    # The --exec hook: fails its first attempt at each event, then records the call.
    cat >hook.sh <<'HOOK'
echo "$SND_START $SND_ATTEMPT" >>attempts.log
[ "$SND_ATTEMPT" -gt 1 ] || exit 1
printf '%s\t%s\t%s\n' "$SND_LABEL" "$SND_START" "$SND_END" >>calls.log
HOOK
) || echo "FAIL washer.sh: could not make the data and the model"

# found EVENTS.tsv TIMES...: one event per time, in order, each starting within 0.5 s of
# it, labelled beep, and no other event.
found() {
    file=$1
    shift
    tail -n +2 "$file" | cut -f2,4 >got || return 1
    [ "$(wc -l <got)" -eq $# ] || { echo "want events at $*, got:"; cat "$file"; return 1; }
    for t in "$@"; do
        read -r start label || return 1
        [ "$label" = beep ] && near "$start" "$t" 0.5 || { echo "event at $t:"; cat "$file"; return 1; }
    done <got
}

test_stream() {
    # shellcheck disable=SC2086
    timeout 120 sh -c 'snd-melspec <rec.raw | snd-classify -m beep.h5 --hop 0.1s --probs | tee pred.tsv |
        snd-tag --events --labels beep --cooldown 10s --exec "sh hook.sh" --retry-delay 0.1s' \
        >events.tsv 2>err.txt &&
        found events.tsv $reported &&
        # The cool-down held back the beep at 61.5 s; without it, all five are found.
        snd-tag --events --labels beep pred.tsv >all.tsv && found all.tsv $beeps &&
        # One call per reported event, each after one failed attempt.
        tail -n +2 events.tsv | cut -f4,2,3 | awk -F'\t' '{ print $3 "\t" $1 "\t" $2 }' >want.log &&
        sort calls.log >got.log && sort want.log | cmp - got.log &&
        [ "$(wc -l <attempts.log)" -eq 8 ] && [ "$(grep -c ' 1$' attempts.log)" -eq 4 ] &&
        [ "$(grep -c 'retry 1 of 3' err.txt)" -eq 4 ]
}
check "the beeps of a three-minute stream: found, cooled down, each announced once" test_stream

# Events where the beeps are: a model of 1-s windows read every 0.25 s hears each 0.4-s
# beep in five windows, the first starting 0.75 s before it; the event must start and
# end within 0.25 s of the beep's own start and end. Its training clips are 1.2 s, two of
# the 0.6-s clips end to end (an other and a beep, or two others), so that its windows
# meet the machine around the beep as they will in the stream.
test_localised() {
    printf 'id\tlabel\n' >labels1.tsv &&
        for i in $(seq 0 59); do
            sox o$i.wav b$i.wav c$i.wav && printf 'c%d.wav\tbeep\n' $i >>labels1.tsv || return 1
        done &&
        for i in $(seq 0 119); do
            sox o$i.wav o$(((i + 7) % 120)).wav d$i.wav && printf 'd%d.wav\tother\n' $i >>labels1.tsv ||
                return 1
        done &&
        snd-melspec -q -o train1.h5 c*.wav d*.wav &&
        snd-train -q -o beep1.h5 -l labels1.tsv --arch "block 16, block 32, block 64, gap, dense" \
            --window 1s --epochs 20 --batch 8 --lr 0.01 --no-augment --seed 1 train1.h5 &&
        snd-melspec <rec.raw | snd-classify -m beep1.h5 --hop 0.25s --probs >pred1.tsv &&
        snd-tag --events --labels beep pred1.tsv >ev1.tsv && tail -n +2 ev1.tsv | cut -f2,3 >got &&
        [ "$(wc -l <got)" -eq 5 ] || { cat ev1.tsv; return 1; }
    for t in $beeps; do
        read -r start end || return 1
        near "$start" "$t" 0.25 && near "$end" "$(awk -v t="$t" 'BEGIN { print t + 0.4 }')" 0.25 ||
            { cat ev1.tsv; return 1; }
    done <got
}
check "events start and end within 0.25 s of the beeps (1-s windows every 0.25 s)" test_localised

test_alsa_chain() {
    mkdir home &&
        printf 'pcm.washer {\n type file\n slave.pcm "null"\n file "/dev/null"\n infile "%s"\n format "raw"\n}\n' \
            "$tmp/rec.raw" >home/.asoundrc &&
        HOME=$tmp/home timeout 120 sh -c 'snd-record -q -D washer -d 180s | snd-silence -q --gate |
            snd-melspec | snd-classify -m beep.h5 --hop 0.1s | snd-tag --events --labels beep --cooldown 10s' \
            >alsa.tsv &&
        # shellcheck disable=SC2086
        found alsa.tsv $reported
}
check "the same through the live chain: snd-record | snd-silence --gate | ... | snd-tag" test_alsa_chain
