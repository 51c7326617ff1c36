# snd-split as a user runs it: windows, silences, outputs, and every way to get it wrong.
. "$(dirname "$0")/lib.sh"

# Test sound: 2.5 s of a 400 Hz tone as raw s16 at 16 kHz, the same samples as WAV (made
# from the raw file: a second synth would dither differently), and three bursts.
sox -n -r 16000 -c 1 -b 16 -e signed -t raw "$tmp/tone.raw" synth 2.5 sine 400 vol 0.3
sox -r 16000 -c 1 -b 16 -e signed "$tmp/tone.raw" "$tmp/tone.wav"
# Bursts of sound at 0.5-1.0, 1.6-2.4 and 3.0-3.3 s, digital silence around them.
sox -n -r 16000 -c 1 -b 16 "$tmp/b1.wav" synth 0.5 sine 400 vol 0.3 pad 0.5 0.1
sox -n -r 16000 -c 1 -b 16 "$tmp/b2.wav" synth 0.8 sine 600 vol 0.2 pad 0.5 0.1
sox -n -r 16000 -c 1 -b 16 "$tmp/b3.wav" synth 0.3 sine 300 vol 0.3 pad 0.5 0.2
sox "$tmp/b1.wav" "$tmp/b2.wav" "$tmp/b3.wav" "$tmp/bursts.wav"

test_help() {
    snd-split --help >out && grep -q '^usage: snd-split' out && [ ! -s .err ] &&
        snd-split --version | grep -q '^snd-split [0-9]'
}
check "--help and --version print to stdout and exit 0" test_help

test_windows_byte_exact() {
    snd-split -q -l 1s --index idx.tsv <tone.raw >out.raw &&
        same_bytes tone.raw out.raw &&
        [ "$(cat idx.tsv)" = "$(printf 'id\tsource\tstart\tend\nstdin_0\tstdin\t0\t1\nstdin_1\tstdin\t1\t2\nstdin_2\tstdin\t2\t2.5')" ]
}
check "fixed windows of raw stdin put back together give the same bytes" test_windows_byte_exact

test_last_pad_drop() {
    snd-split -q -l 1s --last pad tone.raw >pad.raw &&
        [ "$(wc -c <pad.raw)" -eq $((3 * 32000)) ] &&
        head -c 80000 pad.raw | cmp - tone.raw &&
        [ "$(tail -c 16000 pad.raw | tr -d '\000' | wc -c)" -eq 0 ] &&
        snd-split -q -l 1s --last drop tone.raw >drop.raw &&
        [ "$(wc -c <drop.raw)" -eq 64000 ]
}
check "--last pad fills the last window with zeros, --last drop leaves it out" test_last_pad_drop

test_hop() {
    snd-split -q -l 1s --hop 250ms --index idx.tsv tone.raw >/dev/null &&
        [ "$(tail -n +2 idx.tsv | cut -f3 | tr '\n' ' ')" = "0 0.25 0.5 0.75 1 1.25 1.5 " ] &&
        snd-split -q -l 500ms --hop 1s --index idx2.tsv tone.raw >/dev/null &&
        [ "$(tail -n +2 idx2.tsv | cut -f3,4 | tr '\t\n' '- ')" = "0-0.5 1-1.5 2-2.5 " ]
}
check "--hop shorter and longer than the window" test_hop

test_template_wav() {
    mkdir clips && snd-split -q -l 1s -o 'clips/{base}_{n:3}.wav' tone.wav >idx.tsv &&
        [ "$(ls clips | tr '\n' ' ')" = "tone_000.wav tone_001.wav tone_002.wav " ] &&
        [ "$(sed -n 2p idx.tsv)" = "$(printf 'clips/tone_000.wav\ttone.wav\t0\t1')" ] &&
        head -c 64000 tone.raw | tail -c 32000 >mid.raw &&
        sox clips/tone_001.wav -t raw - | cmp - mid.raw
}
check "clips to WAV files by template, index on stdout, samples unchanged" test_template_wav

test_start_field() {
    snd-split -q -l 1s -o 'at_{start}.flac' tone.wav >/dev/null &&
        [ -f at_0.000.flac ] && [ -f at_2.000.flac ] && soxi -t at_1.000.flac | grep -q flac
}
check "{start} names clips by time; .flac makes FLAC" test_start_field

test_at_silence_bursts() {
    snd-split -q --at-silence --pad 0 --index idx.tsv bursts.wav >/dev/null || return 1
    cut -f3,4 idx.tsv | tail -n +2 >got
    [ "$(wc -l <got)" -eq 3 ] || { cat got; return 1; }
    # Bursts at 0.5-1.0, 1.6-2.4, 3.0-3.3 s: each edge within one 10 ms frame.
    set -- 0.5 1.0 1.6 2.4 3.0 3.3
    while read -r s e; do
        near "$s" "$1" 0.01 && near "$e" "$2" 0.01 || return 1
        shift 2
    done <got
}
check "--at-silence finds each burst within one frame" test_at_silence_bursts

test_at_silence_padding() {
    snd-split -q --at-silence --pad 100ms --index idx.tsv bursts.wav >/dev/null &&
        [ "$(sed -n 2p idx.tsv | cut -f3,4)" = "$(printf '0.4\t1.1')" ]
}
check "--pad keeps silence either side of a clip" test_at_silence_padding

test_min_max_length() {
    snd-split -q --at-silence --pad 0 --min-length 400ms --index a.tsv bursts.wav >/dev/null &&
        [ "$(tail -n +2 a.tsv | wc -l)" -eq 2 ] &&
        snd-split -q --at-silence --pad 0 --max-length 300ms --index b.tsv bursts.wav >/dev/null &&
        [ "$(tail -n +2 b.tsv | cut -f3,4 | tr '\t\n' '- ')" = "0.5-0.8 0.8-1 1.6-1.9 1.9-2.2 2.2-2.4 3-3.3 " ]
}
check "--min-length drops short clips, --max-length cuts long ones" test_min_max_length

test_espeak_words() {
    command -v espeak-ng >/dev/null || { echo "espeak-ng missing"; return 1; }
    espeak-ng -w words.wav -g 40 "one two three four five six seven eight nine ten" &&
        mkdir w && snd-split -q --at-silence -o 'w/{base}_{n}.wav' words.wav >idx.tsv &&
        [ "$(ls w | wc -l)" -eq 10 ] && [ "$(tail -n +2 idx.tsv | wc -l)" -eq 10 ]
}
check "ten spoken words become ten clips" test_espeak_words

# Ten FSDD digits joined with 0.6 s of digital silence: ten clips, each inside its
# recording's span (to within a frame) and at least 100 ms long, at the threshold that
# speaker's level needs.
fsdd_joined() {
    speaker=$1
    sox -n -r 8000 -c 1 -b 16 gap.wav trim 0 0.6
    : >spans
    args= t=0
    for d in 0 1 2 3 4 5 6 7 8 9; do
        f=$fsdd/${d}_${speaker}_7.flac
        len=$(soxi -D "$f")
        echo "$t $(awk -v a="$t" -v b="$len" 'BEGIN { print a + b }')" >>spans
        t=$(awk -v a="$t" -v b="$len" 'BEGIN { print a + b + 0.6 }')
        args="$args $f gap.wav"
    done
    # shellcheck disable=SC2086
    sox $args joined.wav
}

fsdd_case() {
    speaker=$1 threshold=$2
    [ -d "$fsdd" ] || { echo "no FSDD at $fsdd"; return 1; }
    fsdd_joined "$speaker"
    snd-split -q --at-silence --pad 0 -t "$threshold" --index idx.tsv joined.wav >/dev/null || return 1
    tail -n +2 idx.tsv | cut -f3,4 >got
    [ "$(wc -l <got)" -eq 10 ] || { echo "$(wc -l <got) clips"; cat got; return 1; }
    paste -d' ' got spans | while read -r s e t0 t1; do
        awk -v s="$s" -v e="$e" -v a="$t0" -v b="$t1" \
            'BEGIN { exit !(s >= a - 0.01 && e <= b + 0.01 && e - s >= 0.1) }' ||
            { echo "clip $s-$e outside $t0-$t1"; return 1; }
    done
}
check "FSDD: ten of jackson's digits give ten clips (default threshold)" fsdd_case jackson -40
check "FSDD: ten of theo's quieter digits give ten clips at -55 dBFS" fsdd_case theo -55

test_resampled_source() {
    snd-split -q -l 250ms --last drop -o 'c_{n}.wav' "$fsdd/0_jackson_0.flac" >idx.tsv &&
        [ "$(soxi -r c_0.wav)" = 16000 ] && [ "$(soxi -s c_0.wav)" = 4000 ] &&
        snd-split -q -r 8000 -l 250ms --last drop -o 'd_{n}.wav' "$fsdd/0_jackson_0.flac" >/dev/null &&
        [ "$(soxi -s d_0.wav)" = 2000 ]
}
check "an 8 kHz FLAC is resampled to the working rate (-r)" test_resampled_source

test_many_sources() {
    cp tone.wav a.wav && cp tone.wav b.wav &&
        snd-split -q -l 1s -o 'o/{base}-{n}.wav' a.wav b.wav >idx.tsv 2>err; st=$?
    # The directory o/ does not exist: every clip fails, one line per source, exit 1.
    [ $st -eq 1 ] && [ "$(wc -l <err)" -eq 2 ] && grep -q 'o/a-0.wav' err &&
        mkdir o && snd-split -q -l 1s -o 'o/{base}-{n}.wav' a.wav b.wav >idx.tsv &&
        [ "$(ls o | wc -l)" -eq 6 ] && [ "$(tail -n +2 idx.tsv | cut -f2 | sort -u | wc -l)" -eq 2 ]
}
check "several sources, each clip named from its own" test_many_sources

test_stdin_containers() {
    sox tone.wav -t wav - | snd-split -q -l 1s --index w.tsv >w.raw &&
        same_bytes tone.raw w.raw &&
        sox tone.wav -t flac - | snd-split -q -l 1s >f.raw && same_bytes tone.raw f.raw &&
        sox -r 16000 -c 1 -b 16 -e signed tone.raw -t raw st.raw remix 1 1 &&
        snd-split -q -c 2 -l 1s <st.raw >m.raw && same_bytes tone.raw m.raw
}
check "WAV and FLAC on stdin are decoded; stereo raw is mixed down" test_stdin_containers

test_encodings() {
    sox -r 16000 -c 1 -b 16 -e signed tone.raw -b 32 -e floating-point -t raw tone.f32 &&
        snd-split -q -e f32 -l 1s <tone.f32 >out.f32 && same_bytes tone.f32 out.f32 &&
        sox -r 16000 -c 1 -b 16 -e signed tone.raw -b 32 -e signed -t raw tone.s32 &&
        snd-split -q -e s32 -l 1s <tone.s32 >out.s32 && same_bytes tone.s32 out.s32
}
check "f32 and s32 streams pass through unchanged" test_encodings

test_summary_and_quiet() {
    snd-split -l 1s tone.wav >/dev/null 2>err && grep -q '^snd-split: tone.wav: 3 clips$' err &&
        snd-split -q -l 1s tone.wav >/dev/null 2>err2 && [ ! -s err2 ]
}
check "a summary on stderr, silenced by -q" test_summary_and_quiet

test_closed_pipe() {
    sox -n -r 16000 -c 1 -b 16 -e signed -t raw long.raw synth 60 sine 300
    snd-split -l 1s long.raw 2>err | head -c 100 >/dev/null
    [ ! -s err ]
}
check "a closed stdout ends it quietly" test_closed_pipe

test_wav_pipe_placeholder() {
    # Writers on a pipe put a placeholder length (0x7ffff000) in the data chunk.
    espeak-ng -g 40 --stdout "one two three" | snd-split -q --at-silence --index idx.tsv >/dev/null &&
        [ "$(tail -n +2 idx.tsv | wc -l)" -eq 3 ] &&
        cat tone.raw | sox -t raw -r 16000 -c 1 -b 16 -e signed - -t wav - |
        snd-split -q -l 1s >p.raw && same_bytes tone.raw p.raw
}
check "a WAV from a pipe with a placeholder length is read to its end" test_wav_pipe_placeholder

test_wav_24_bit_stdin() {
    sox tone.wav -b 24 t24.wav && snd-split -q -l 1s <t24.wav >o.raw && same_bytes tone.raw o.raw
}
check "a 24-bit WAV on stdin falls back to libsndfile intact" test_wav_24_bit_stdin

test_exact_resampled_length() {
    sox -n -r 44100 -c 1 t441.wav synth 4 sine 300 &&
        snd-split -q -l 10s --index idx.tsv t441.wav >/dev/null &&
        [ "$(tail -n 1 idx.tsv | cut -f4)" = 4 ]
}
check "resampling keeps the exact length (4 s at 44.1 kHz is 64000 samples)" test_exact_resampled_length

test_duplicate_names() {
    mkdir a b c && cp tone.wav a/x.wav && cp tone.wav b/x.wav &&
        expect_error 1 "c/x_0.wav: a second clip would get this name" \
            snd-split -q -l 1s -o 'c/{base}_{n}.wav' a/x.wav b/x.wav
}
check "two clips never overwrite each other" test_duplicate_names

test_index_through_symlink() {
    echo old >real.tsv && ln -s real.tsv link.tsv && mkdir sl &&
        snd-split -q -l 1s -o 'sl/{n}.wav' --index link.tsv tone.wav >/dev/null &&
        [ -L link.tsv ] && [ "$(wc -l <real.tsv)" -eq 4 ] &&
        snd-split -q -l 1s -o 'sl/{n}.wav' --index /dev/null tone.wav >/dev/null && [ -c /dev/null ]
}
check "an index through a symlink or to a device is written in place" test_index_through_symlink

test_index_and_pcm_both_stdout() {
    expect_error 2 "index cannot go to stdout with the clips" snd-split -l 1s --index - tone.wav
}
check "the index and the clips cannot share stdout" test_index_and_pcm_both_stdout

test_closed_pipe_table() {
    sox -n -r 16000 -c 1 -b 16 long.wav synth 120 sine 300 && mkdir cp &&
        snd-split -l 10ms -o 'cp/{n}.wav' long.wav 2>err | head -n 1 >/dev/null &&
        [ ! -s err ]
}
check "a closed stdout under the index ends it quietly" test_closed_pipe_table

# Runtime failures: exit 1, one line naming the file, no clip files left behind.
test_missing_file() {
    expect_error 1 '^snd-split: nope.wav: No such file or directory$' snd-split -l 1s nope.wav
}
check "a missing file" test_missing_file

test_empty_file() {
    : >empty.wav && mkdir e &&
        expect_error 1 '^snd-split: empty.wav: empty file$' snd-split -q -l 1s -o 'e/{n}.wav' empty.wav &&
        [ -z "$(ls -A e)" ]
}
check "an empty file" test_empty_file

test_truncated_wav() {
    head -c 20000 tone.wav >cut.wav && mkdir t &&
        expect_error 1 '^snd-split: cut.wav: truncated WAV' snd-split -q -l 1s -o 't/{n}.wav' cut.wav &&
        [ -z "$(ls -A t)" ]
}
check "a truncated WAV" test_truncated_wav

test_not_audio() {
    echo "hello" >text.wav &&
        expect_error 1 '^snd-split: text.wav: not a readable audio file' snd-split -l 1s text.wav
}
check "a file that is not audio" test_not_audio

test_odd_stream() {
    head -c 32001 tone.raw >odd.raw &&
        expect_error 1 '^snd-split: stdin: truncated stream: 1 stray byte at' sh -c 'snd-split -q -l 1s <odd.raw >/dev/null'
}
check "a raw stream of an odd byte count" test_odd_stream

test_index_not_left_half() {
    snd-split -q -l 1s --index idx.tsv tone.raw missing.raw >/dev/null 2>&1
    [ $? -eq 1 ] && [ "$(tail -n +2 idx.tsv | wc -l)" -eq 3 ] && [ -z "$(ls -A . | grep '^\.idx')" ]
}
check "a failing source: the others are indexed, no temporary left" test_index_not_left_half

# Usage errors: exit 2 and one line.
check "negative length" expect_error 2 '^snd-split: --length: invalid duration' snd-split -l -1s tone.raw
check "zero hop" expect_error 2 '^snd-split: --hop: 0 is out of range' snd-split -l 1s --hop 0 tone.raw
check "threshold above 0 dBFS" expect_error 2 '^snd-split: --threshold: 10 is out of range' snd-split --at-silence -t 10 tone.raw
check "a length with junk" expect_error 2 'invalid duration' snd-split -l 1sec tone.raw
check "neither mode" expect_error 2 'give either -l/--length or --at-silence' snd-split tone.raw
check "both modes" expect_error 2 'give either' snd-split -l 1s --at-silence tone.raw
check "silence options without --at-silence" expect_error 2 'need --at-silence' snd-split -l 1s --pad 1s tone.raw
check "--last with a bad value" expect_error 2 "expected pad, drop or keep" snd-split -l 1s --last maybe tone.raw
check "unknown option" expect_error 2 '^snd-split: unknown option --frobnicate' snd-split --frobnicate
check "missing argument" expect_error 2 'option -l needs an argument' snd-split -l
check "a template without {n}" expect_error 2 "needs {n} or {start}" snd-split -l 1s -o clip.wav tone.raw
check "a template with an unknown field" expect_error 2 "unknown field" snd-split -l 1s -o '{nn}.wav' tone.raw
check "a template with an unknown extension" expect_error 2 "unknown audio file extension" snd-split -l 1s -o '{n}.mp4' tone.raw
check "several sources, template without {base}" expect_error 2 "needs {base}" snd-split -l 1s -o '{n}.wav' tone.raw tone.wav
check "absurd rate" expect_error 2 '^snd-split: --rate: ' snd-split -r 5 -l 1s tone.raw
check "absurd length" expect_error 2 'length' snd-split -l 100h tone.raw
check "bad encoding" expect_error 2 "unknown encoding 'u8'" snd-split -e u8 -l 1s tone.raw
