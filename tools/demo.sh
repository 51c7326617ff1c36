#!/bin/sh
# demo.sh: run the toolkit on sound it makes itself. Today that is the front of the
# pipeline: someone counts from zero to nine over a humming machine; snd-silence finds the
# words, snd-split cuts them into labelled clips, the gate drops the pauses from a stream,
# and snd-melspec turns the clips into features and the recording into a picture. Then
# twenty synthetic voices count too, and snd-train learns the words from their clips.
# Later stages (classification, detection) join as they are built.
# usage: sh tools/demo.sh BIN_DIR   (writes into demo/)
set -eu
bin=$(cd "${1:?usage: demo.sh BIN_DIR}" && pwd)
PATH=$bin:$PATH
out=demo
rm -rf "$out"
mkdir -p "$out/words"

step() { printf '\n== %s\n' "$*"; }

# Align a table for reading, when column(1) is there (bsdextrautils on Debian).
table() {
    if command -v column >/dev/null 2>&1; then
        column -t -s "$(printf '\t')" "$@"
    else
        cat "$@"
    fi
}

step "1. Synthesise: counting 0-9 (espeak-ng) over a 50 Hz machine hum and noise (sox)"
espeak-ng -w "$out/voice.wav" -s 140 -g 45 "zero one two three four five six seven eight nine"
len=$(soxi -D "$out/voice.wav")
sox -n -r 22050 -c 1 "$out/hum.wav" synth "$len" sine 50 vol 0.01
sox -n -r 22050 -c 1 "$out/noise.wav" synth "$len" brownnoise vol 0.01
# sox -m halves each input: the voice peaks near -8 dBFS over a floor near -53 dBFS.
sox -m "$out/voice.wav" "$out/hum.wav" "$out/noise.wav" -r 16000 -b 16 "$out/counting.wav"
rm -f "$out/voice.wav" "$out/hum.wav" "$out/noise.wav"
echo "demo/counting.wav: $(soxi -d "$out/counting.wav"), 16 kHz mono"

step "2. snd-silence --report: where the sound is"
snd-silence --report "$out/counting.wav" | tee "$out/report.tsv" | table

step "3. snd-split --at-silence: one clip per word, with its index"
snd-split --at-silence -o "$out/words/{base}_{n:2}.wav" "$out/counting.wav" >"$out/words.tsv"
table "$out/words.tsv"

step "4. Label the clips (the words were said in order) for training later"
tail -n +2 "$out/words.tsv" | cut -f1 |
    awk 'BEGIN { split("zero one two three four five six seven eight nine", w, " ");
                 print "id\tlabel" }
         { print $0 "\t" w[NR] }' >"$out/labels.tsv"
table "$out/labels.tsv"

step "5. A live stream through the gate: raw PCM in, only the words out"
sox "$out/counting.wav" -t raw - |
    snd-silence --gate --log "$out/gate.tsv" >"$out/gated.raw"
echo "dropped stretches (input times, and where each cut sits in the output):"
table "$out/gate.tsv"

step "6. snd-split -l 1s --hop 500ms: fixed windows, as a classifier reads a stream"
snd-split -q -l 1s --hop 500ms --last pad --index "$out/windows.tsv" "$out/counting.wav" >"$out/windows.raw"
echo "$(($(wc -l <"$out/windows.tsv") - 1)) windows of 1 s in demo/windows.raw, index in demo/windows.tsv"

step "7. snd-melspec: log-mel features of the ten clips, and a picture of the recording"
snd-melspec -j 2 -o "$out/words.h5" "$out"/words/*.wav
snd-melspec --png "$out/counting.png" --png-scale 2 -o "$out/counting.h5" "$out/counting.wav"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
    /usr/bin/python3 -c "
import h5py
f = h5py.File('$out/words.h5')
o = f['offsets'][()]
for i, clip in enumerate(f['id'].asstr()):
    print('  %-28s %3d frames x %d mel bands' % (clip, o[i + 1] - o[i], f['mel'].shape[1]))"
fi
echo "demo/counting.png: the spectrogram, low frequencies at the bottom"

n=$(ls "$out/words" | wc -l)
[ "$n" -eq 10 ] || { echo "demo: expected 10 words, found $n" >&2; exit 1; }

step "8. Twenty voices count to nine (espeak-ng); cut, label and featurise their words"
mkdir -p "$out/voices"
printf 'id\tlabel\n' >"$out/voices.tsv"
for voice in m1 m2 m3 m4 m5 m7 f1 f2 f3 f4; do
    for speed in 130 170; do
        name=$voice-$speed
        espeak-ng -v "en+$voice" -s "$speed" -g 45 -w "$out/tmp.wav" \
            "zero one two three four five six seven eight nine"
        sox "$out/tmp.wav" -r 16000 -b 16 "$out/$name.wav"
        snd-split -q --at-silence -o "$out/voices/{base}_{n:2}.wav" "$out/$name.wav" |
            tail -n +2 | cut -f1 |
            awk 'BEGIN { split("zero one two three four five six seven eight nine", w, " ") }
                 { print $0 "\t" w[NR] }' >>"$out/voices.tsv"
        rm -f "$out/tmp.wav" "$out/$name.wav"
    done
done
snd-melspec -q -j 2 -o "$out/voices.h5" "$out"/voices/*.wav
echo "$(($(wc -l <"$out/voices.tsv") - 1)) labelled words in demo/voices.h5"

step "9. snd-train: a small CNN learns the ten words; a fifth of the clips held out"
snd-train -o "$out/words-model.h5" -l "$out/voices.tsv" --arch "block 16, block 32, block 64, gap, dense" \
    --epochs 20 --batch 16 --lr 0.003 --val-split 0.2 --no-augment --json "$out/voices.h5" >"$out/train.json"

printf '\nFound %s words in demo/counting.wav; clips in demo/words/, labels in demo/labels.tsv,\n' "$n"
printf 'features in demo/words.h5, a picture in demo/counting.png; a word classifier in\n'
printf 'demo/words-model.h5, its summary in demo/train.json.\n'

