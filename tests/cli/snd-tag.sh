# snd-tag as a pipeline runs it: every option at its edge, bad tables refused by file and
# line, --exec with its retries, and a live stream whose events come out before it ends.
. "$(dirname "$0")/lib.sh"
T=$(printf '\t')

# Two classes, windows of 1 s every 0.5 s: beep from 0 to 1.5, dog from 1 to 2.5.
printf 'id\tstart\tend\tlabel\tprob\tp:beep\tp:dog\nx\t0\t1\tbeep\t0.9\t0.9\t0.1\nx\t0.5\t1.5\tbeep\t0.8\t0.8\t0.2\nx\t1\t2\tdog\t0.6\t0.4\t0.6\nx\t1.5\t2.5\tdog\t0.7\t0.3\t0.7\n' >"$tmp/pred.tsv"
# One class over windows of 1 s every 1 s: events 0-1, 2-3, 4-5 and 7-8.
printf 'id\tstart\tend\tp:a\nx\t0\t1\t0.9\nx\t1\t2\t0\nx\t2\t3\t0.8\nx\t3\t4\t0\nx\t4\t5\t0.7\nx\t5\t6\t0\nx\t6\t7\t0\nx\t7\t8\t0.6\n' >"$tmp/gaps.tsv"

# tsv TEXT: the text with "|" for tabs, a line each argument.
tsv() {
    printf '%s\n' "$@" | tr '|' '\t'
}

# events_are OPTIONS... -- WANT...: snd-tag --events OPTIONS on gaps.tsv gives the rows WANT.
events_are() {
    opts=
    while [ "$1" != -- ]; do opts="$opts $1"; shift; done
    shift
    # shellcheck disable=SC2086
    timeout 20 snd-tag --events $opts gaps.tsv >got.tsv || return 1
    tsv 'id|start|end|label|prob' "$@" >want.tsv
    diff want.tsv got.tsv
}

test_help() {
    snd-tag --help | grep -q '^usage: snd-tag' && snd-tag --version | grep -q '^snd-tag [0-9]'
}
check "--help and --version" test_help

test_tags() {
    timeout 20 snd-tag pred.tsv >got.tsv &&
        tsv 'id|start|end|label|prob' 'x|0|1|beep|0.9' 'x|0.5|1.5|beep|0.8' 'x|1|2|dog|0.6' \
            'x|1.5|2.5|dog|0.7' >want.tsv && diff want.tsv got.tsv
}
check "tags: each window's classes at or above 0.5" test_tags

test_threshold_edge() {
    tsv 'id|start|end|p:a|p:b' 'x|0|1|0.3|0.29999' >edge.tsv &&
        [ "$(snd-tag --threshold 0.3 edge.tsv | cut -f4 | tail -n +2)" = a ] &&
        [ "$(snd-tag --threshold 0.29999 edge.tsv | cut -f4 | tail -n +2 | tr '\n' ' ')" = "a b " ] &&
        [ "$(snd-tag --threshold 0.30001 edge.tsv | wc -l)" -eq 1 ]
}
check "--threshold: a probability equal to it counts (at or above)" test_threshold_edge

test_top_k() {
    tsv 'id|start|end|p:a|p:b|p:c' 'x|0|1|0.2|0.9|0.5' >k.tsv &&
        [ "$(snd-tag --top-k 2 --threshold 0 k.tsv | cut -f4 | tail -n +2 | tr '\n' ' ')" = "b c " ] &&
        [ "$(snd-tag --top-k 2 k.tsv | cut -f4 | tail -n +2 | tr '\n' ' ')" = "b c " ] &&
        [ "$(snd-tag --top-k 2 --threshold 0.6 k.tsv | cut -f4 | tail -n +2 | tr '\n' ' ')" = "b " ]
}
check "--top-k: the k best, best first, combined with the threshold" test_top_k

test_labels_only() {
    [ "$(snd-tag --labels dog pred.tsv | cut -f4 | sort -u | tr '\n' ' ')" = "dog label " ] &&
        expect_error 1 "^snd-tag: --labels: class 'cat' has no p: column in pred.tsv$" \
            snd-tag --labels dog,cat pred.tsv &&
        expect_error 2 "^snd-tag: --labels: no class in ','$" snd-tag --labels , pred.tsv
}
check "--labels: only those classes; an unknown one refused" test_labels_only

test_thresholds_file() {
    tsv 'label|threshold' 'beep|0.85' 'dog|0.6' >thr.tsv &&
        snd-tag --thresholds thr.tsv pred.tsv | cut -f2,4 | tail -n +2 >got.txt &&
        tsv '0|beep' '1|dog' '1.5|dog' >want.txt && diff want.txt got.txt &&
        tsv 'label|threshold' 'beep|0.85' 'cat|0.6' >thr2.tsv &&
        expect_error 1 "^snd-tag: thr2.tsv:3: class 'cat' has no p: column in pred.tsv$" \
            snd-tag --thresholds thr2.tsv pred.tsv &&
        tsv 'label|threshold' 'beep|high' >thr3.tsv &&
        expect_error 1 "^snd-tag: thr3.tsv:2: column threshold: invalid number 'high'" \
            snd-tag --thresholds thr3.tsv pred.tsv &&
        tsv 'label|threshold' 'beep|1.5' >thr4.tsv &&
        expect_error 1 "^snd-tag: thr4.tsv:2: column threshold: 1.5 is outside \[0, 1\]$" \
            snd-tag --thresholds thr4.tsv pred.tsv &&
        expect_error 1 "^snd-tag: nothere.tsv: No such file" snd-tag --thresholds nothere.tsv pred.tsv &&
        expect_error 2 "not both" snd-tag --thresholds thr.tsv --threshold 0.5 pred.tsv
}
check "--thresholds FILE: per class; bad tables named by file and line" test_thresholds_file

test_label_fallback() {
    tsv 'id|start|end|label|prob' 'x|0|1|dog|0.8' 'x|1|2|dog|0.4' 'x|2|3|cat|0.9' >lp.tsv &&
        snd-tag lp.tsv | cut -f2,4 | tail -n +2 >got.txt &&
        tsv '0|dog' '2|cat' >want.txt && diff want.txt got.txt &&
        snd-tag --events --threshold 0.3 lp.tsv | cut -f2-4 | tail -n +2 | sort >got.txt &&
        tsv '0|2|dog' '2|3|cat' >want.txt && diff want.txt got.txt
}
check "without p: columns: the label and prob columns" test_label_fallback

# Events are where the sounds are, not where their windows are: beep is heard by 0-1 and
# 0.5-1.5 but not 1-2, so it ends by 1; dog by 1-2 and 1.5-2.5 but not 0.5-1.5, so it
# begins after 1.5.
test_events_merge() {
    timeout 20 snd-tag --events pred.tsv >got.tsv &&
        tsv 'id|start|end|label|prob' 'x|0|1|beep|0.9' 'x|1.5|2.5|dog|0.7' >want.tsv &&
        diff want.tsv got.tsv
}
check "--events: windows merge into where the sound is, highest probability" test_events_merge

check "--events: events at the start and the end of the stream" \
    events_are -- 'x|0|1|a|0.9' 'x|2|3|a|0.8' 'x|4|5|a|0.7' 'x|7|8|a|0.6'

test_empty() {
    : >empty.tsv && snd-tag --events empty.tsv >got.tsv && tsv 'id|start|end|label|prob' >want.tsv &&
        diff want.tsv got.tsv && snd-tag <empty.tsv >got.tsv && diff want.tsv got.tsv &&
        head -n 1 gaps.tsv | snd-tag --events >got.tsv && diff want.tsv got.tsv &&
        snd-tag --format audacity </dev/null >got.txt && [ ! -s got.txt ]
}
check "empty input, or a header alone: no rows, exit 0" test_empty

test_bad_rows() {
    printf 'id\tstart\tend\tp:a\tp:b\nx\t0\t1\t0.5\t0.1\nx\t1\t2\t0.5\n' >miss.tsv &&
        expect_error 1 '^snd-tag: miss.tsv:3: 4 fields, but the header has 5$' snd-tag miss.tsv &&
        expect_error 1 '^snd-tag: stdin:3: 4 fields, but the header has 5$' snd-tag --events <miss.tsv &&
        printf 'id\tstart\tend\tp:a\tp:b\nx\t0\t1\t0.5\t\n' >empty-p.tsv &&
        expect_error 1 '^snd-tag: empty-p.tsv:2: column p:b is empty$' snd-tag empty-p.tsv &&
        printf 'id\tstart\tend\tp:a\nx\t0\t1\tnan\n' >nan.tsv &&
        expect_error 1 "^snd-tag: nan.tsv:2: column p:a: invalid number 'nan'" snd-tag nan.tsv &&
        printf 'id\tstart\tend\tp:a\nx\t0\t1\t-0.1\n' >neg.tsv &&
        expect_error 1 '^snd-tag: neg.tsv:2: column p:a: -0.1 is outside \[0, 1\]$' snd-tag neg.tsv &&
        printf 'id\tstart\tp:a\nx\t0\t0.1\n' >noend.tsv &&
        expect_error 1 "^snd-tag: noend.tsv: no column 'end' in the header$" snd-tag noend.tsv &&
        printf 'id\tstart\tend\tp:a\nx\t2\t3\t0.1\nx\t1\t2\t0.1\n' >back.tsv &&
        expect_error 1 "^snd-tag: back.tsv:3: start 1 is before the previous window's of id 'x'" \
            snd-tag back.tsv &&
        printf 'id\tstart\tend\tlabel\nx\t0\t1\tdog\n' >noprob.tsv &&
        expect_error 1 "^snd-tag: noprob.tsv: no column 'prob' in the header$" snd-tag noprob.tsv
}
check "a missing, empty, non-numeric or out-of-range p: field: file and line" test_bad_rows

test_rows_before_error() {
    # Tags of the rows before a bad one are written; the exit status is 1.
    printf 'id\tstart\tend\tp:a\nx\t0\t1\t0.9\nx\t1\t2\t2\n' >late.tsv
    snd-tag late.tsv >got.tsv 2>err.txt
    [ $? -eq 1 ] && [ "$(wc -l <got.tsv)" -eq 2 ] && grep -q 'late.tsv:3:' err.txt
}
check "a bad row after good ones: what was decided stays, exit 1" test_rows_before_error

test_id_returns() {
    tsv 'id|start|end|p:a' 'x|0|1|0.9' 'y|0|1|0.9' 'x|5|6|0.9' >ids.tsv &&
        snd-tag --events --cooldown 100 ids.tsv | cut -f1-3 | tail -n +2 >got.txt &&
        tsv 'x|0|1' 'y|0|1' 'x|5|6' >want.txt && diff want.txt got.txt
}
check "an id that comes back starts afresh (events and cooldown)" test_id_returns

check "--on/--off: hysteresis" events_are --on 0.75 --off 0.7 -- 'x|0|1|a|0.9' 'x|2|3|a|0.8'
test_hysteresis_holds() {
    tsv 'id|start|end|p:a' 'x|0|1|0.5' 'x|1|2|0.7' 'x|2|3|0.4' 'x|3|4|0.3' 'x|4|5|0.29' \
        'x|5|6|0.69' >h.tsv &&
        [ "$(snd-tag --events --on 0.7 --off 0.3 h.tsv | tail -n +2 | cut -f2,3)" = "1${T}4" ] &&
        [ "$(snd-tag --events --on 0.3 --off 0.3 h.tsv | tail -n +2 | cut -f2,3 | tr '\n' ' ')" = "0${T}4 5${T}6 " ]
}
check "--on/--off: opens at on, stays open down to off, both at or above" test_hysteresis_holds

test_median() {
    tsv 'id|start|end|p:a' 'x|0|1|0.1' 'x|1|2|0.9' 'x|2|3|0.1' 'x|3|4|0.9' 'x|4|5|0.9' \
        'x|5|6|0.2' 'x|6|7|0.9' 'x|7|8|0.9' >m.tsv &&
        [ "$(snd-tag --events --median 3 m.tsv | tail -n +2 | cut -f2,3)" = "2${T}8" ] &&
        [ "$(snd-tag --events --median 1 m.tsv | tail -n +2 | wc -l)" -eq 3 ]
}
check "--median N: a lone spike goes, a lone dropout is filled" test_median

test_median_usage() {
    expect_error 2 '^snd-tag: --median: 4 is even' snd-tag --events --median 4 &&
        expect_error 2 '^snd-tag: --median: ' snd-tag --events --median 0 &&
        expect_error 2 '^snd-tag: --median: ' snd-tag --events --median 103
}
check "--median: odd, from 1 to 101" test_median_usage

check "--min-duration: an event exactly that long is kept" \
    events_are --min-duration 1 -- 'x|0|1|a|0.9' 'x|2|3|a|0.8' 'x|4|5|a|0.7' 'x|7|8|a|0.6'
check "--min-duration: shorter ones are dropped" events_are --min-duration 1001ms --
check "--min-gap: a gap exactly that long is not bridged" \
    events_are --min-gap 1s -- 'x|0|1|a|0.9' 'x|2|3|a|0.8' 'x|4|5|a|0.7' 'x|7|8|a|0.6'
check "--min-gap: shorter gaps are bridged" \
    events_are --min-gap 1.5s -- 'x|0|5|a|0.9' 'x|7|8|a|0.6'
check "--cooldown: an event starting exactly DUR after the last reported end is reported" \
    events_are --cooldown 3s -- 'x|0|1|a|0.9' 'x|4|5|a|0.7'
check "--cooldown: held-back events do not extend the quiet time" \
    events_are --cooldown 3001ms -- 'x|0|1|a|0.9' 'x|7|8|a|0.6'
check "--cooldown 10m: one report" events_are --cooldown 10m -- 'x|0|1|a|0.9'

test_usage() {
    expect_error 2 '^snd-tag: --on 0.3 is below --off 0.5$' snd-tag --events --on 0.3 --off 0.5 &&
        expect_error 2 '^snd-tag: --threshold 0.3 is below --off 0.5$' \
            snd-tag --events --threshold 0.3 --off 0.5 &&
        expect_error 2 '^snd-tag: --cooldown needs --events$' snd-tag --cooldown 1s &&
        expect_error 2 '^snd-tag: --min-gap needs --events$' snd-tag --min-gap 1s &&
        expect_error 2 '^snd-tag: --retries needs --exec$' snd-tag --retries 2 &&
        expect_error 2 '^snd-tag: --threshold: ' snd-tag --threshold 1.5 &&
        expect_error 2 '^snd-tag: --top-k: ' snd-tag --top-k 0 &&
        expect_error 2 '^snd-tag: --cooldown: ' snd-tag --events --cooldown 5x &&
        expect_error 2 "^snd-tag: --format: expected tsv, audacity or raven, not 'csv'$" \
            snd-tag --format csv &&
        expect_error 2 '^snd-tag: --exec: empty command$' snd-tag --exec '' &&
        expect_error 2 '^snd-tag: ' snd-tag --bogus
}
check "bad usage: exit 2 with one line" test_usage

test_audacity() {
    snd-tag --events --format audacity pred.tsv >got.txt &&
        tsv '0.000000|1.000000|beep' '1.500000|2.500000|dog' >want.txt && diff want.txt got.txt
}
check "--format audacity: start, end, label, six decimals, no header" test_audacity

test_raven() {
    snd-tag --events --format raven pred.tsv >got.txt &&
        head -n 1 got.txt | grep -q "^Selection${T}View${T}Channel${T}Begin File${T}Begin Time (s)${T}End Time (s)${T}Low Freq (Hz)${T}High Freq (Hz)${T}Annotation${T}Confidence$" &&
        [ "$(sed -n 3p got.txt)" = "2${T}Spectrogram 1${T}1${T}x${T}1.5${T}2.5${T}0${T}8000${T}dog${T}0.7" ]
}
check "--format raven: a Raven selection table, numbered" test_raven

test_files_and_stdin() {
    snd-tag --events pred.tsv - gaps.tsv <pred.tsv >got.tsv &&
        [ "$(grep -c beep got.tsv)" -eq 2 ] && [ "$(grep -c "${T}a${T}" got.tsv)" -eq 4 ] &&
        [ "$(grep -c '^id' got.tsv)" -eq 1 ] &&
        expect_error 1 '^snd-tag: nothere.tsv: No such file' snd-tag nothere.tsv
}
check "several files and stdin, one table" test_files_and_stdin

test_closed_stdout() {
    for i in $(seq 1 3000); do printf 'x\t%d\t%d\t0.9\n' "$i" $((i + 1)); done >many.rows &&
        { printf 'id\tstart\tend\tp:a\n'; cat many.rows; } >many.tsv &&
        snd-tag many.tsv 2>err.txt | head -n 2 >/dev/null && [ ! -s err.txt ]
}
check "a closed stdout ends it quietly" test_closed_stdout

test_exec_env() {
    timeout 20 snd-tag --events --exec 'printf "%s|%s|%s|%s|%s|%s\n" "$SND_ID" "$SND_LABEL" "$SND_START" "$SND_END" "$SND_PROB" "$SND_ATTEMPT" >>log.txt; echo "not in the table"' \
        pred.tsv >got.tsv 2>err.txt &&
        sort log.txt >got.txt && printf 'x|beep|0|1|0.9|1\nx|dog|1.5|2.5|0.7|1\n' >want.txt &&
        diff want.txt got.txt && [ "$(wc -l <got.tsv)" -eq 3 ] && ! grep -q 'not in' got.tsv &&
        [ "$(grep -c 'not in the table' err.txt)" -eq 2 ]
}
check "--exec: once per event, the event in SND_*, its stdout on stderr" test_exec_env

test_exec_stdin() {
    echo 'no' >in.txt
    timeout 20 snd-tag --events --exec 'cat >>seen.txt' pred.tsv >/dev/null <in.txt &&
        [ ! -s seen.txt ]
}
check "--exec: the command reads /dev/null, not our input" test_exec_stdin

test_exec_retry_once() {
    # Fails on its first run, succeeds on the second: one message, then nothing more. Each
    # event counts its runs in a file of its own, as the commands run side by side.
    timeout 20 snd-tag --events --retry-delay 100ms \
        --exec 'echo run >>"runs-$SND_START"; [ "$SND_ATTEMPT" -ge 2 ]' \
        gaps.tsv >got.tsv 2>err.txt &&
        [ "$(wc -l <got.tsv)" -eq 5 ] && [ "$(cat runs-0 runs-2 runs-4 runs-7 | wc -l)" -eq 8 ] &&
        [ "$(wc -l <err.txt)" -eq 4 ] &&
        grep -q '^snd-tag: --exec: command failed for event a at 0 s (exit 1), retry 1 of 3 in 0.1 s$' err.txt
}
check "--exec: a command failing once succeeds on its retry" test_exec_retry_once

test_exec_always_fails() {
    start=$(date +%s)
    timeout 20 snd-tag --events --retries 2 --retry-delay 100ms --exec 'exit 3' pred.tsv \
        >got.tsv 2>err.txt || return 1
    [ "$(wc -l <got.tsv)" -eq 3 ] &&
        grep -q '^snd-tag: --exec: command failed for event dog at 1.5 s (exit 3), retry 1 of 2 in 0.1 s$' err.txt &&
        grep -q '^snd-tag: --exec: command failed for event dog at 1.5 s (exit 3), retry 2 of 2 in 0.2 s$' err.txt &&
        grep -q '^snd-tag: --exec: command failed for event beep at 0 s (exit 3); gave up after 2 retries$' err.txt &&
        [ "$(wc -l <err.txt)" -eq 6 ] && [ $(($(date +%s) - start)) -lt 10 ]
}
check "--exec: a command that always fails: reported, given up, exit 0" test_exec_always_fails

test_exec_quiet() {
    timeout 20 snd-tag -q --events --retries 2 --retry-delay 100ms --exec 'exit 3' pred.tsv \
        >got.tsv 2>err.txt || return 1
    [ "$(wc -l <got.tsv)" -eq 3 ] && ! grep -q 'retry 1 of 2' err.txt &&
        grep -q '^snd-tag: --exec: command failed for event beep at 0 s (exit 3); gave up after 2 retries$' err.txt &&
        [ "$(wc -l <err.txt)" -eq 2 ]
}
check "-q: no notes of retries, commands given up on still said" test_exec_quiet

test_exec_signal() {
    timeout 20 snd-tag --events --retries 0 --exec 'kill -9 $$' pred.tsv >/dev/null 2>err.txt &&
        grep -q 'for event beep at 0 s (killed by signal 9)$' err.txt
}
check "--exec: a command killed by a signal failed" test_exec_signal

# A live stream: one window in, then a long pause before the input ends. The event must be
# on stdout during the pause, and a failed command retried during it too.
test_live() {
    {
        printf 'id\tstart\tend\tp:a\nx\t0\t1\t0.9\nx\t1\t2\t0.1\n'
        sleep 4
        touch ended
        printf 'x\t2\t3\t0.1\n'
    } | timeout 30 snd-tag --events --retry-delay 200ms \
        --exec 'echo $SND_ATTEMPT >>attempts; [ "$SND_ATTEMPT" -ge 2 ]' | cat >live.tsv &
    i=0
    while [ $i -lt 30 ] && ! { grep -q "^x${T}0${T}1${T}a${T}0.9$" live.tsv && [ -f attempts ] &&
        [ "$(wc -l <attempts)" -eq 2 ]; }; do
        sleep 0.1
        i=$((i + 1))
    done
    ok=1
    [ -f ended ] && { echo "the input ended before the event or its retry came"; ok=0; }
    grep -q "^x${T}0${T}1${T}a${T}0.9$" live.tsv || { echo "no event"; ok=0; }
    [ -f attempts ] && [ "$(wc -l <attempts)" -eq 2 ] || { echo "no retry"; ok=0; }
    wait
    [ $ok -eq 1 ] && [ "$(wc -l <live.tsv)" -eq 2 ]
}
check "live: an event is written, and its command retried, while input is still open" test_live

test_exec_never_blocks() {
    # A slow command does not hold up the table: the three events final before the input
    # ends are out long before the first command ends.
    { cat gaps.tsv; sleep 2; } | timeout 30 snd-tag --events --exec 'sleep 3' | cat >slow.tsv &
    sleep 1.5
    [ "$(wc -l <slow.tsv)" -eq 4 ] || { echo "rows held up by the command"; wait; return 1; }
    wait
}
check "--exec: a slow command never holds up the rows" test_exec_never_blocks
