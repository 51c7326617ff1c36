# snd-eval as a user and a Makefile run it: scikit-learn's numbers through the CLI, JSON
# for programs, --min for exit statuses, and every way a table can be wrong.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
[ -x $py ] || py=python3
ref=$SND_SHARED/ref/metrics

printf 'id\tlabel\na.wav\tdog\nb.wav\tcat\nc.wav\tdog\n' >"$tmp/truth.tsv"
printf 'id\tstart\tend\tlabel\tprob\tp:cat\tp:dog\na.wav\t0\t1\tdog\t0.8\t0.2\t0.8\nb.wav\t0\t1\tdog\t0.6\t0.4\t0.6\nc.wav\t0\t1\tdog\t0.9\t0.1\t0.9\n' >"$tmp/pred.tsv"

test_help() {
    snd-eval --help | grep -q '^usage: snd-eval' && snd-eval --version | grep -q '^snd-eval [0-9]'
}
check "--help and --version" test_help

# Every number of scikit-learn's reference JSON, read back from snd-eval's JSON.
json_matches() {
    kind=$1
    snd-eval --truth "$ref/${kind}_truth.tsv" --json "$ref/${kind}_pred.tsv" >got.json || return 1
    $py - "$ref/${kind}_expected.json" got.json <<'PY'
import json, sys
exp, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
flat = dict(got)
flat.update(got.get("at_threshold_0.5", {}))
def walk(e, g, path):
    if isinstance(e, dict):
        for k, v in e.items():
            if k in ("notes", "classes", "tags"):
                continue
            if k == "at_threshold_0.5":
                walk(v, got, path + [k])
                continue
            key = "confusion_matrix_rows_truth_cols_pred" if k.startswith("confusion") else k
            if key not in g:
                sys.exit("missing %s" % "/".join(path + [k]))
            walk(v, g[key], path + [k])
    elif isinstance(e, list):
        if len(e) != len(g):
            sys.exit("length of %s" % "/".join(path))
        for i, (a, b) in enumerate(zip(e, g)):
            walk(a, b, path + [str(i)])
    elif abs(e - g) > 1e-9:
        sys.exit("%s: %r, scikit-learn %r" % ("/".join(path), g, e))
walk(exp, got, [])
PY
}
check "multiclass: every scikit-learn value, through --json, to 1e-9" json_matches multiclass
check "multi-label: every scikit-learn value, through --json, to 1e-9" json_matches multilabel

test_table() {
    snd-eval --truth truth.tsv pred.tsv >out && grep -q '^accuracy 0.6667' out &&
        grep -q '^confusion (rows: truth, columns: predicted)' out &&
        [ "$(sed -n '/^class/{n;p}' out | cut -d' ' -f1)" = cat ]
}
check "a table for people, worst class first" test_table

test_tsv() {
    snd-eval --truth truth.tsv --tsv pred.tsv >out &&
        [ "$(head -n 1 out)" = "$(printf 'metric\tclass\tvalue')" ] &&
        grep -q "$(printf '^f1\tdog\t0.8')" out
}
check "--tsv for programs" test_tsv

test_min() {
    snd-eval -q --truth truth.tsv --min accuracy=0.5 pred.tsv && [ ! -s out2 ] &&
        snd-eval -q --truth truth.tsv --min accuracy=0.9 --min f1:dog=0.7 pred.tsv 2>err
    [ $? -eq 1 ] && [ "$(wc -l <err)" -eq 1 ] &&
        grep -q '^snd-eval: accuracy is 0.6667, below the minimum 0.9$' err
}
check "--min fails the exit status below a value" test_min

test_stdin_and_many_files() {
    head -n 2 pred.tsv >p1.tsv && { head -n 1 pred.tsv; tail -n 2 pred.tsv; } >p2.tsv &&
        snd-eval --truth truth.tsv --json p1.tsv p2.tsv >a.json &&
        snd-eval --truth truth.tsv --json <pred.tsv >b.json && same_bytes a.json b.json
}
check "predictions from stdin, or split over several files" test_stdin_and_many_files

test_aggregate() {
    printf 'id\tstart\tend\tlabel\tp:cat\tp:dog\na.wav\t0\t1\tcat\t0.6\t0.4\na.wav\t1\t2\tdog\t0.1\t0.9\nb.wav\t0\t1\tcat\t0.9\t0.1\nc.wav\t0\t1\tdog\t0.3\t0.7\n' >win.tsv &&
        expect_error 1 "win.tsv:3: id 'a.wav' appears twice" snd-eval --truth truth.tsv win.tsv &&
        snd-eval --truth truth.tsv --aggregate mean --json win.tsv | grep -q '"accuracy": 1,' &&
        snd-eval --truth truth.tsv --aggregate max --json win.tsv | grep -q '"accuracy": 1,'
}
check "--aggregate combines the windows of a clip" test_aggregate

test_missing() {
    printf 'id\tlabel\na.wav\tdog\nz.wav\tcat\n' >few.tsv &&
        expect_error 1 'b.wav, c.wav: 2 without a prediction; z.wav: 1 without truth' \
            snd-eval --truth truth.tsv few.tsv &&
        snd-eval --truth truth.tsv --allow-missing --json few.tsv | grep -q '"n": 1,'
}
check "ids on one side only: refused, counted and named, unless --allow-missing" test_missing

test_bad_rows() {
    printf 'id\tlabel\tp:cat\tp:dog\na.wav\tdog\t0.2\tlots\n' >bad1.tsv &&
        expect_error 1 "^snd-eval: bad1.tsv:2: column p:dog: invalid number 'lots'" snd-eval --truth truth.tsv bad1.tsv &&
        printf 'id\tlabel\tp:cat\tp:dog\na.wav\tdog\t0.2\t1.5\n' >bad2.tsv &&
        expect_error 1 'bad2.tsv:2: column p:dog: 1.5 is outside \[0, 1\]' snd-eval --truth truth.tsv bad2.tsv &&
        printf 'id\tlabel\tp:cat\tp:cow\na.wav\tdog\t0.2\t0.8\n' >bad3.tsv &&
        expect_error 1 'column p:cow names no class' snd-eval --truth truth.tsv bad3.tsv &&
        printf 'id\tlabel\na.wav\tdog\textra\n' >bad4.tsv &&
        expect_error 1 'bad4.tsv:2: 3 fields, but the header has 2' snd-eval --truth truth.tsv bad4.tsv
}
check "malformed rows, numbers and columns are refused with file and line" test_bad_rows

check "a missing truth file" expect_error 1 '^snd-eval: nope.tsv: No such file or directory' snd-eval --truth nope.tsv pred.tsv
check "no --truth" expect_error 2 '^snd-eval: --truth LABELS.tsv is required' snd-eval pred.tsv
check "an unknown metric for --min" expect_error 2 "^snd-eval: --min: no metric 'f2' here" snd-eval -q --truth truth.tsv --min f2=0.5 pred.tsv
check "a --min without a value" expect_error 2 'expected METRIC=VALUE' snd-eval --truth truth.tsv --min accuracy pred.tsv
check "--json and --tsv" expect_error 2 'not both' snd-eval --truth truth.tsv --json --tsv pred.tsv
check "a threshold above 1" expect_error 2 '^snd-eval: --threshold: 2 is out of range' snd-eval --truth truth.tsv --threshold 2 pred.tsv
check "a bad aggregate" expect_error 2 'expected mean, max or vote' snd-eval --truth truth.tsv --aggregate median pred.tsv

# Events, as sed_eval scores them. The beep at 1-2 s is found 100 ms late (within the
# 200 ms collar), the one at 5 s missed, a false one at 7 s; the bell found.
printf 'id\tstart\tend\tlabel\nrec.wav\t1.0\t2.0\tbeep\nrec.wav\t5.0\t5.5\tbeep\nrec.wav\t8.0\t9.0\tbell\n' >"$tmp/ref.tsv"
printf 'id\tstart\tend\tlabel\tprob\nrec.wav\t1.1\t2.1\tbeep\t0.9\nrec.wav\t7.0\t7.3\tbeep\t0.8\nrec.wav\t8.05\t9.1\tbell\t0.7\n' >"$tmp/sys.tsv"

test_events() {
    snd-eval --events --truth ref.tsv --json sys.tsv >ev.json &&
        $py -c "
import json
d = json.load(open('ev.json'))
e, s = d['event_based'], d['segment_based']
assert (e['n_ref'], e['n_sys'], e['tp']) == (3, 3, 2), e
assert abs(e['f1'] - 2 / 3) < 1e-12 and abs(s['precision'] - 0.4) < 1e-12 and abs(s['f1'] - 0.5) < 1e-12, s
assert e['per_class']['beep']['tp'] == 1 and e['per_class']['bell']['f1'] == 1"
}
check "event-based and segment-based F1 of a hand-made case" test_events

test_collar_option() {
    snd-eval --events --collar 50ms --truth ref.tsv --json sys.tsv | grep -q '"tp": 0,' &&
        snd-eval --events --collar 100ms --truth ref.tsv --json sys.tsv | grep -q '"tp": 2,' &&
        snd-eval --events --segment 500ms --truth ref.tsv --tsv sys.tsv | grep -q "^segment_f1"
}
check "--collar at its edge, and --segment" test_collar_option

test_events_min() {
    snd-eval -q --events --truth ref.tsv --min event_f1=0.6 --min event_f1:bell=1 sys.tsv &&
        expect_error 1 'event_f1:beep is 0.5000, below the minimum 0.8' \
            snd-eval -q --events --truth ref.tsv --min event_f1:beep=0.8 sys.tsv
}
check "--min on event scores" test_events_min

test_events_bad() {
    printf 'id\tstart\tend\tlabel\nrec.wav\t2\t1\tbeep\n' >back.tsv &&
        expect_error 1 'back.tsv:2: end 1 is before start 2' snd-eval --events --truth ref.tsv back.tsv &&
        expect_error 1 "no column 'start'" snd-eval --events --truth truth.tsv pred.tsv
}
check "an event ending before it starts, a table without times" test_events_bad

test_multilabel_windows() {
    printf 'id\tlabel\na.wav\tbird,car\nb.wav\t\n' >mlt.tsv &&
        printf 'id\tlabel\na.wav\tbird\na.wav\tbird,car\na.wav\tcar\nb.wav\t\nb.wav\tcar\nb.wav\t\n' >mlp.tsv &&
        snd-eval --truth mlt.tsv --aggregate vote --json mlp.tsv | grep -q '"subset_accuracy": 1,' &&
        snd-eval --truth mlt.tsv --aggregate max --json mlp.tsv | grep -q '"subset_accuracy": 0.5,'
}
check "multi-label windows without scores: a tag held by half the rows (vote), any row (max)" test_multilabel_windows

test_min_undefined() {
    printf 'id\tlabel\na.wav\tdog\nb.wav\tcat\nc.wav\tdog\n' >nop.tsv &&
        expect_error 1 'top_k_accuracy has no value here' \
            snd-eval -q --truth truth.tsv --min top_k_accuracy=0.5 nop.tsv
}
check "--min on a metric with no value here fails" test_min_undefined

test_min_checked_first() {
    snd-eval --truth truth.tsv --min nosuch=1 pred.tsv >out 2>err
    [ $? -eq 2 ] && [ ! -s out ]
}
check "an unknown --min is refused before anything is printed" test_min_checked_first

# Windows against spans: the truth labels 0-2 s speech and 2-4 s music; each window takes
# the label of the span holding its midpoint.
printf 'id\tstart\tend\tlabel\nrec.wav\t0\t2\tspeech\nrec.wav\t2\t4\tmusic\n' >"$tmp/spans.tsv"
printf 'id\tstart\tend\tlabel\tp:music\tp:speech\nrec.wav\t0\t1\tspeech\t0.2\t0.8\nrec.wav\t0.5\t1.5\tspeech\t0.3\t0.7\nrec.wav\t1\t2\tmusic\t0.6\t0.4\nrec.wav\t1.5\t2.5\tmusic\t0.7\t0.3\nrec.wav\t2\t3\tmusic\t0.9\t0.1\nrec.wav\t3\t4\tspeech\t0.4\t0.6\nrec.wav\t3.5\t4.5\tmusic\t0.8\t0.2\n' >"$tmp/win.tsv"

test_windows() {
    expect_error 1 '1 windows lie in no span of the truth' snd-eval --truth spans.tsv win.tsv &&
        snd-eval --truth spans.tsv --allow-missing --json win.tsv >w.json &&
        $py -c "
import json
d = json.load(open('w.json'))
assert d['unit'] == 'windows' and d['n'] == 6 and d['missing'] == 1, d
assert abs(d['accuracy'] - 4 / 6) < 1e-12
# rows truth (music, speech), columns predicted
assert d['confusion_matrix_rows_truth_cols_pred'] == [[2, 1], [1, 2]], d" &&
        expect_error 1 'a truth of spans scores each window' snd-eval --truth spans.tsv --aggregate mean win.tsv
}
check "windows scored against the span holding their midpoint" test_windows

test_windows_bad_times() {
    sed '3s/^rec.wav\t0.5\t/rec.wav\t-0.5\t/' win.tsv >neg.tsv &&
        expect_error 1 'neg.tsv:3: column start: -0.5 is negative' snd-eval --truth spans.tsv neg.tsv &&
        sed '3s/^rec.wav\t0.5\t1.5/rec.wav\t1.5\t0.5/' win.tsv >back.tsv &&
        expect_error 1 'back.tsv:3: end 0.5 is before start 1.5' snd-eval --truth spans.tsv back.tsv &&
        sed '3s/^rec.wav\t0.5\t1.5/rec.wav\t\t1.5/' win.tsv >empty.tsv &&
        expect_error 1 "empty.tsv:3: column start: invalid number ''" snd-eval --truth spans.tsv empty.tsv
}
check "window times validated: negative, backwards and empty starts refused" test_windows_bad_times
