# snd-silence as a user runs it: report, trim and gate, and every way to get it wrong.
. "$(dirname "$0")/lib.sh"

# Bursts of sound at 0.5-1.0, 1.6-2.4 and 3.0-3.3 s in 3.5 s, digital silence around them.
sox -n -r 16000 -c 1 -b 16 "$tmp/b1.wav" synth 0.5 sine 400 vol 0.3 pad 0.5 0.1
sox -n -r 16000 -c 1 -b 16 "$tmp/b2.wav" synth 0.8 sine 600 vol 0.2 pad 0.5 0.1
sox -n -r 16000 -c 1 -b 16 "$tmp/b3.wav" synth 0.3 sine 300 vol 0.3 pad 0.5 0.2
sox "$tmp/b1.wav" "$tmp/b2.wav" "$tmp/b3.wav" "$tmp/bursts.wav"
sox "$tmp/bursts.wav" -t raw "$tmp/bursts.raw"

test_help() {
    snd-silence --help | grep -q '^usage: snd-silence' && snd-silence --version | grep -q '^snd-silence [0-9]'
}
check "--help and --version" test_help

test_report() {
    snd-silence --report bursts.wav >rep.tsv 2>err || return 1
    [ "$(head -n 1 rep.tsv)" = "$(printf 'id\tstart\tend\tstate')" ] || return 1
    [ "$(tail -n +2 rep.tsv | cut -f1,4 | sort -u | wc -l)" -eq 2 ] || return 1
    tail -n +2 rep.tsv | cut -f2,3,4 >got
    # silence, sound, silence, sound, silence, sound, silence: edges within a frame.
    set -- 0 0.5 silence 0.5 1.0 sound 1.0 1.6 silence 1.6 2.4 sound 2.4 3.0 silence \
        3.0 3.3 sound 3.3 3.5 silence
    [ "$(wc -l <got)" -eq 7 ] || { cat got; return 1; }
    while read -r s e st; do
        near "$s" "$1" 0.01 && near "$e" "$2" 0.01 && [ "$st" = "$3" ] || return 1
        shift 3
    done <got
    # 1.9 s of 3.5 s is silence.
    grep -q '^snd-silence: bursts.wav: 54\.[0-9]% silence (1\.9[0-9] s of 3\.50 s)$' err
}
check "--report finds every stretch within a frame, and the share of silence" test_report

test_report_stream() {
    snd-silence -q --report <bursts.raw >rep.tsv && [ "$(tail -n +2 rep.tsv | wc -l)" -eq 7 ] &&
        [ "$(sed -n 2p rep.tsv | cut -f1)" = stdin ]
}
check "--report on raw stdin" test_report_stream

test_report_click() {
    sox -n -r 16000 -c 1 -b 16 click.wav synth 0.02 sine 1000 pad 1 1 &&
        snd-silence -q --report click.wav >rep.tsv &&
        [ "$(tail -n +2 rep.tsv | cut -f4)" = silence ] &&
        snd-silence -q --report --min-sound 10ms click.wav >rep2.tsv &&
        [ "$(tail -n +2 rep2.tsv | cut -f4 | tr '\n' ' ')" = "silence sound silence " ]
}
check "a click shorter than --min-sound does not break a silence" test_report_click

test_threshold() {
    # The 600 Hz burst is at -17 dBFS RMS; a -15 dBFS threshold hears only the other two.
    snd-silence -q --report -t -15 bursts.wav >rep.tsv &&
        [ "$(grep -c 'sound$' rep.tsv)" -eq 2 ]
}
check "--threshold decides what is sound" test_threshold

test_trim() {
    snd-silence -q --trim --pad 0 -o t.wav bursts.wav &&
        [ "$(soxi -s t.wav)" -eq $((16000 * 28 / 10)) ] &&
        snd-silence -q --trim --pad 100ms -o t2.wav bursts.wav &&
        [ "$(soxi -s t2.wav)" -eq $((16000 * 30 / 10)) ] &&
        sox bursts.wav -t raw - trim 0.4 3.0 | cmp - "$(sox t2.wav -t raw t2.raw; echo t2.raw)"
}
check "--trim cuts leading and trailing silence, keeps --pad, keeps the rest intact" test_trim

test_trim_stdout_and_template() {
    snd-silence -q --trim --pad 0 <bursts.raw >t.raw &&
        [ "$(wc -c <t.raw)" -eq $((2 * 16000 * 28 / 10)) ] &&
        cp bursts.wav a.wav && cp bursts.wav b.wav && mkdir tr &&
        snd-silence --trim -o 'tr/{base}.flac' a.wav b.wav 2>err &&
        [ "$(ls tr | tr '\n' ' ')" = "a.flac b.flac " ] &&
        grep -q '^snd-silence: a.wav: kept 3.00 s of 3.50 s' err
}
check "--trim to stdout, and to files by template" test_trim_stdout_and_template

test_trim_fsdd() {
    f=$fsdd/0_jackson_0.flac
    sox "$f" padded.wav pad 1 1 &&
        snd-silence -q --trim -r 8000 -o trimmed.wav padded.wav &&
        n=$(soxi -s trimmed.wav) && orig=$(soxi -s "$f") &&
        [ "$n" -le $((orig + 1600)) ] && [ "$n" -ge $((orig / 2)) ]
}
check "--trim takes back the second of silence added around an FSDD digit" test_trim_fsdd

test_gate() {
    snd-silence -q --gate --pad 0 --log log.tsv <bursts.raw >g.raw || return 1
    [ "$(wc -c <g.raw)" -eq $((2 * 16000 * 16 / 10)) ] || return 1
    [ "$(head -n 1 log.tsv)" = "$(printf 'id\tstart\tend\toutput')" ] || return 1
    tail -n +2 log.tsv | cut -f2,3,4 >got
    set -- 0 0.5 0 1.0 1.6 0.5 2.4 3.0 1.3 3.3 3.5 1.6
    [ "$(wc -l <got)" -eq 4 ] || { cat got; return 1; }
    while read -r s e at; do
        near "$s" "$1" 0.01 && near "$e" "$2" 0.01 && near "$at" "$3" 0.01 || return 1
        shift 3
    done <got
}
check "--gate passes only sound and logs where each cut was" test_gate

test_gate_keeps_samples() {
    snd-silence -q --gate --pad 0 bursts.wav >g.raw &&
        sox bursts.wav -t raw - trim 0.5 0.5 >a.raw && head -c 16000 g.raw | cmp - a.raw
}
check "--gate passes sound samples unchanged" test_gate_keeps_samples

test_gate_live() {
    # The gate must emit sound while its input is still open: a FIFO held open by a
    # writer that waits shows whether output arrives before the end of the stream.
    mkfifo in.fifo
    { cat bursts.raw; sleep 3; } >in.fifo &
    snd-silence -q --gate --pad 0 <in.fifo >live.raw &
    gate=$!
    sleep 1.5
    size=$(wc -c <live.raw)
    wait $gate
    [ "$size" -ge $((2 * 16000)) ] || { echo "only $size bytes before the end"; return 1; }
}
check "--gate is live: output flows before the input ends" test_gate_live

test_gate_to_file() {
    snd-silence -q --gate -o g.flac --log - bursts.wav >log.tsv &&
        soxi -t g.flac | grep -q flac && [ "$(tail -n +2 log.tsv | wc -l)" -eq 4 ]
}
check "--gate into a file, the log on stdout" test_gate_to_file

test_closed_pipe() {
    sox -n -r 16000 -c 1 -b 16 -e signed -t raw long.raw synth 60 sine 300 &&
        snd-silence --gate long.raw 2>err | head -c 10 >/dev/null && [ ! -s err ]
}
check "a closed stdout ends it quietly" test_closed_pipe

check "a missing file" expect_error 1 '^snd-silence: nope.wav: No such file or directory$' snd-silence --report nope.wav

test_truncated_trim() {
    head -c 30000 bursts.wav >cut.wav &&
        expect_error 1 '^snd-silence: cut.wav: truncated WAV' snd-silence -q --trim -o out.wav cut.wav &&
        [ ! -e out.wav ] && [ -z "$(ls -A | grep '^\.out\.wav\.')" ]
}
check "a truncated WAV: no output file, no temporary" test_truncated_trim

test_bad_among_good() {
    snd-silence --report bursts.wav missing.wav bursts.wav >rep.tsv 2>err
    [ $? -eq 1 ] && [ "$(grep -c '^snd-silence: missing.wav' err)" -eq 1 ] &&
        [ "$(tail -n +2 rep.tsv | wc -l)" -eq 14 ]
}
check "a bad source among good ones: reported, the rest done, exit 1" test_bad_among_good

test_odd_stream() {
    head -c 3 bursts.raw >odd.raw &&
        expect_error 1 'stdin: truncated stream: 1 stray byte at' sh -c 'snd-silence --report <odd.raw >/dev/null'
}
check "a raw stream of an odd byte count" test_odd_stream

check "no mode" expect_error 2 'give exactly one of --report, --trim, --gate' snd-silence bursts.wav
check "two modes" expect_error 2 'give exactly one' snd-silence --report --gate bursts.wav
check "threshold +10 dBFS" expect_error 2 '^snd-silence: --threshold: 10 is out of range' snd-silence --report -t 10 bursts.wav
check "threshold not a number" expect_error 2 'invalid number' snd-silence --report -t loud bursts.wav
check "negative padding" expect_error 2 '^snd-silence: --pad: invalid duration' snd-silence --gate --pad -1s bursts.wav
check "zero frame" expect_error 2 '^snd-silence: --frame: 0 is out of range' snd-silence --report --frame 0 bursts.wav
check "--log without --gate" expect_error 2 '--log goes with --gate' snd-silence --report --log x.tsv bursts.wav
check "--log and audio both on stdout" expect_error 2 'log cannot go to stdout' snd-silence --gate --log - bursts.wav
check "-o with --report" expect_error 2 'redirect it' snd-silence --report -o x.tsv bursts.wav
check "trim of several sources without {base}" expect_error 2 'needs an output template with {base}' snd-silence --trim -o x.wav bursts.wav bursts.wav
check "gate into a template" expect_error 2 'not a template' snd-silence --gate -o '{base}.wav' bursts.wav
check "unknown option" expect_error 2 '^snd-silence: unknown option --loud' snd-silence --loud
