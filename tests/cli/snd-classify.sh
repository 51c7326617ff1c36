# snd-classify as a user runs it: windows and clips checked against an independent NumPy
# forward pass, audio, files and streams giving the same rows, live rows before the end of
# the stream, output formats, and bad input.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
[ -x $py ] || py=python3
checker=$SND_TOP/tests/cli/classify_check.py
# No global pooling: a tone's band is what tells the classes apart.
tiny="conv 4, relu, maxpool 4, dense"

# Low and high tones, 0.3 to 0.6 s, a 3-second clip holding both, and a model of them.
(
    cd "$tmp" || exit 1
    make_tones
    sox -n -r 16000 -b 16 long.wav synth 1.5 sine 300 vol 0.5 : synth 1.5 sine 3000 vol 0.5 2>/dev/null
    snd-melspec -q -o long.h5 long.wav
    snd-train -q -o m.h5 -l tones.tsv --arch "$tiny" --window 0.5s --epochs 6 --batch 4 --seed 1 tones.h5
)

test_help() {
    snd-classify --help | grep -q '^usage: snd-classify' &&
        snd-classify --version | grep -q '^snd-classify [0-9]'
}
check "--help and --version" test_help

test_quiet() {
    snd-classify -m m.h5 long.h5 >loud.tsv 2>loud.err && snd-classify -q -m m.h5 long.h5 >quiet.tsv 2>quiet.err &&
        cmp -s loud.tsv quiet.tsv && [ ! -s quiet.err ] &&
        expect_error 1 '^snd-classify: nope.h5: No such file or directory' snd-classify -q -m m.h5 nope.h5
}
check "-q: the same rows, and errors still said" test_quiet

test_windows_match_numpy() {
    snd-classify -m m.h5 --probs tones.h5 long.h5 >p.tsv &&
        head -1 p.tsv | grep -q "^id	start	end	label	prob	p:high	p:low$" &&
        # p.tsv mixes both files: check each against its own features.
        { head -1 p.tsv; grep -v '^long.wav' p.tsv | tail -n +2; } >short.tsv &&
        $py "$checker" m.h5 tones.h5 short.tsv 2e-5 &&
        { head -1 p.tsv; grep '^long.wav' p.tsv; } >long.tsv && $py "$checker" m.h5 long.h5 long.tsv 2e-5
}
check "every window's probabilities equal a NumPy forward pass of the model file" test_windows_match_numpy

# A model that takes each window less its own band means: the same recording 12 dB
# quieter gives it the same windows (with a noise floor, and as floats, so that no band
# sits at the log's floor of silence), and the NumPy pass centres its windows alike.
test_standardise_window() {
    snd-train -q -o mw.h5 -l tones.tsv --arch "$tiny" --window 0.5s --epochs 3 --batch 4 \
        --seed 1 --standardise window tones.h5 &&
        $py -c "import h5py; m = h5py.File('mw.h5'); assert m.attrs['standardise'] == 'window' and m.attrs['version'] == 2" &&
        snd-classify -m mw.h5 --probs tones.h5 long.h5 >pw.tsv &&
        { head -1 pw.tsv; grep -v '^long.wav' pw.tsv | tail -n +2; } >shortw.tsv &&
        $py "$checker" mw.h5 tones.h5 shortw.tsv 2e-5 &&
        { head -1 pw.tsv; grep '^long.wav' pw.tsv; } >longw.tsv &&
        $py "$checker" mw.h5 long.h5 longw.tsv 2e-5 &&
        sox -n -r 16000 -b 16 hiss.wav synth 3 whitenoise vol 0.01 &&
        sox -m long.wav hiss.wav -e floating-point -b 32 loud.wav && sox loud.wav quiet.wav gain -12 &&
        snd-classify -m mw.h5 --probs loud.wav >loud.tsv &&
        snd-classify -m mw.h5 --probs quiet.wav | sed 's/^quiet.wav/loud.wav/' >quiet.tsv &&
        $py - loud.tsv quiet.tsv <<'PY'
import csv, sys
a, b = (list(csv.DictReader(open(p), delimiter="\t")) for p in sys.argv[1:3])
assert len(a) == len(b) > 2
worst = max(abs(float(x[k]) - float(y[k])) for x, y in zip(a, b) for k in x if k.startswith("p:"))
assert worst < 1e-3, worst
PY
}
check "--standardise window: the model says so, NumPy agrees, a quieter recording alike" test_standardise_window

test_window_times() {
    # 3 s = 301 frames; window 0.5 s = 51 frames, hop 25: starts 0, 0.25 ... 2.5 (11), the
    # last ending at 3 s. A 0.3 s clip gives one window spanning the clip.
    snd-classify -m m.h5 long.h5 >w.tsv &&
        [ "$(tail -n +2 w.tsv | wc -l)" -eq 11 ] &&
        [ "$(sed -n 2p w.tsv | cut -f2,3)" = "0	0.5" ] &&
        [ "$(tail -1 w.tsv | cut -f2,3)" = "2.5	3" ] &&
        snd-classify -m m.h5 --hop 1s long.h5 | tail -n +2 | cut -f2 | tr '\n' ' ' | grep -qx '0 1 2 2.5 ' &&
        snd-classify -m m.h5 low0.wav | tail -1 | cut -f2,3 | grep -qx '0	0.3' &&
        # The tones are told apart: low first, then high.
        [ "$(sed -n 2p w.tsv | cut -f4)" = low ] && [ "$(tail -1 w.tsv | cut -f4)" = high ]
}
check "windows every half window, one more flush with the end, short clips padded" test_window_times

test_same_rows_every_way() {
    snd-classify -m m.h5 --probs tones.h5 >a.tsv &&
        snd-classify -m m.h5 --probs low?.wav high?.wav >b.tsv &&
        snd-classify -m m.h5 --probs -j1 --batch 1 low?.wav high?.wav >c.tsv &&
        snd-melspec -q low?.wav high?.wav | snd-classify -m m.h5 --probs >d.tsv &&
        same_bytes a.tsv b.tsv && same_bytes a.tsv c.tsv && same_bytes a.tsv d.tsv &&
        # ids in input order
        tail -n +2 a.tsv | cut -f1 | uniq | tr '\n' ' ' |
        grep -qx 'low0.wav low1.wav low2.wav low3.wav low4.wav low5.wav low6.wav low7.wav high0.wav high1.wav high2.wav high3.wav high4.wav high5.wav high6.wav high7.wav '
}
check "feature file, audio files, -j1 --batch 1 and a frame stream give the same rows" test_same_rows_every_way

test_aggregate() {
    snd-classify -m m.h5 --probs long.h5 >w.tsv &&
        snd-classify -m m.h5 --probs --aggregate mean long.h5 >mean.tsv &&
        snd-classify -m m.h5 --probs --aggregate max long.h5 >max.tsv &&
        snd-classify -m m.h5 --probs --aggregate vote long.h5 >vote.tsv &&
        [ "$(wc -l <mean.tsv)" -eq 2 ] && [ "$(tail -1 mean.tsv | cut -f1-3)" = "long.wav	0	3" ] &&
        awk -F'\t' 'NR > 1 { s += $6; if ($6 > m) m = $6; v += ($4 == "high") ; n++ }
            END { printf "%.6f %.6f %.6f\n", s / n, m, v / n }' w.tsv >want &&
        read -r mean max vote <want &&
        near "$(tail -1 mean.tsv | cut -f6)" "$mean" 1e-5 &&
        near "$(tail -1 max.tsv | cut -f6)" "$max" 1e-5 &&
        near "$(tail -1 vote.tsv | cut -f6)" "$vote" 1e-5 &&
        snd-classify -m m.h5 --aggregate mean tones.h5 >clips.tsv &&
        snd-eval --truth tones.tsv --min accuracy=1 clips.tsv >/dev/null
}
check "--aggregate mean, max and vote: one row per clip from its windows" test_aggregate

test_top_k_uncertainty() {
    snd-classify -m m.h5 --top-k 2 --uncertainty --probs low0.wav >k.tsv &&
        head -1 k.tsv | grep -q "^id	start	end	label	prob	rank	entropy	margin	p:high	p:low$" &&
        [ "$(tail -n +2 k.tsv | cut -f6 | tr '\n' ' ')" = "1 2 " ] &&
        awk -F'\t' 'NR == 2 { a = $5; h = $7; m = $8 } NR == 3 { b = $5 }
            END { e = -(a * log(a) + b * log(b)); d = h - e; if (d < 0) d = -d
                  exit !(a >= b && a + b > 0.99999 && d < 1e-5 && m - (a - b) < 1e-5 && a - b - m < 1e-5) }' k.tsv
}
check "--top-k ranks classes; entropy and margin from the probabilities" test_top_k_uncertainty

test_formats() {
    snd-classify -m m.h5 --format audacity long.h5 >a.txt &&
        [ "$(head -1 a.txt)" = "0.000000	0.500000	low" ] && [ "$(wc -l <a.txt)" -eq 11 ] &&
        snd-classify -m m.h5 --format raven long.h5 >r.txt &&
        head -1 r.txt | grep -q '^Selection	View	Channel	Begin File	Begin Time (s)	End Time (s)	Low Freq (Hz)	High Freq (Hz)	Annotation	Confidence$' &&
        sed -n 2p r.txt | grep -q '^1	Spectrogram 1	1	long.wav	0	0.5	0	8000	low	'
}
check "--format audacity and raven" test_formats

test_live() {
    # Two seconds of tone, a pause of three, then more: the rows of the first second must be
    # out before the pause ends.
    { sox -n -t raw -r 16000 -b 16 -e signed - synth 2 sine 300 vol 0.5 2>/dev/null; sleep 3
      sox -n -t raw -r 16000 -b 16 -e signed - synth 1 sine 300 vol 0.5 2>/dev/null; } |
        snd-melspec | snd-classify -m m.h5 |
        while IFS= read -r line; do echo "$(date +%s.%N)	$line"; done >live.tsv &
    start=$(date +%s.%N)
    wait
    first=$(sed -n 2p live.tsv | cut -f1)
    awk -v a="$first" -v s="$start" 'BEGIN { exit !(a - s < 2.8) }' &&
        [ "$(tail -n +2 live.tsv | wc -l)" -eq 11 ] &&
        tail -1 live.tsv | cut -f3,4 | grep -qx '2.5	3'
}
check "a live frame stream: each row leaves as its window completes" test_live

test_multi_label() {
    {
        printf 'id\tlabel\n'
        for i in 0 1 2 3 4 5 6 7; do printf 'low%d.wav\ttone,low\nhigh%d.wav\ttone,high\n' $i $i; done
    } >multi.tsv &&
        snd-train -q -o ml.h5 -l multi.tsv --multi-label --arch "$tiny" --window 0.5s --epochs 6 \
            --batch 4 --seed 2 tones.h5 &&
        snd-classify -m ml.h5 --probs tones.h5 >ml.tsv &&
        $py "$checker" ml.h5 tones.h5 ml.tsv 2e-5 &&
        # tags are the classes at or above the threshold, comma-separated
        awk -F'\t' 'NR > 1 { t = ""; if ($6 >= 0.5) t = "high"; if ($7 >= 0.5) t = t (t ? "," : "") "low";
            if ($8 >= 0.5) t = t (t ? "," : "") "tone"; if (t != $4) { print "row " NR ": " $4 " != " t; exit 1 } }' ml.tsv &&
        snd-classify -m ml.h5 --threshold 0.999999 tones.h5 | tail -n +2 | cut -f4 | sort -u | grep -qx ''
}
check "multi-label models: independent sigmoids, tags at or above --threshold" test_multi_label

test_bad_input() {
    snd-melspec -q --n-mels 40 -o m40.h5 low0.wav &&
        expect_error 1 "n_mels" snd-classify -m m.h5 m40.h5 &&
        expect_error 1 "tones.h5: not an snd model" snd-classify -m tones.h5 low0.wav &&
        expect_error 1 "nothing.h5" snd-classify -m nothing.h5 low0.wav &&
        expect_error 2 "no model" snd-classify low0.wav &&
        expect_error 2 "--aggregate" snd-classify -m m.h5 --aggregate median low0.wav &&
        expect_error 2 "--format" snd-classify -m m.h5 --format csv low0.wav &&
        expect_error 2 "--hop" snd-classify -m m.h5 --hop -1 low0.wav &&
        expect_error 2 "--top-k" snd-classify -m m.h5 --top-k 0 low0.wav &&
        head -c 3000 tones.h5 >cut.h5 && expect_error 1 "cut.h5" snd-classify -m m.h5 cut.h5 &&
        snd-melspec -q low0.wav >s.fs && head -c 300 s.fs | expect_error 1 "stdin" snd-classify -m m.h5 &&
        printf 'RIFF....WAVEjunk' >bad.wav && expect_error 1 "bad.wav" snd-classify -m m.h5 bad.wav
}
check "bad input: other features, not a model, truncated files and streams, bad options" test_bad_input

test_failed_source_others_go_on() {
    snd-classify -m m.h5 --aggregate mean low0.wav missing.wav high0.wav >o.tsv 2>e.txt
    [ $? -eq 1 ] && grep -q 'missing.wav' e.txt && [ "$(wc -l <e.txt)" -eq 1 ] &&
        [ "$(tail -n +2 o.tsv | cut -f1 | tr '\n' ' ')" = "low0.wav high0.wav " ] &&
        snd-classify -m m.h5 long.h5 | head -2 >/dev/null &&
        sox -n -r 16000 -b 16 empty.wav trim 0 0 2>/dev/null &&
        expect_error 1 "empty.wav: no frames" snd-classify -m m.h5 empty.wav
}
check "a failing source or an empty clip is named and the others go on; a closed stdout ends quietly" test_failed_source_others_go_on
