# examples/: each Makefile run as a user runs it, in a copy of its folder, with small
# settings: under make -j2, to its printed result, and then make -q finds nothing to do.
# digits and scale read FSDD (a subset: index 0-9 of each speaker and digit); scale needs
# GNU parallel.
. "$(dirname "$0")/lib.sh"
examples=$SND_TOP/examples
tiny="conv 8, relu, maxpool 2, gap, dense"
# A user's make starts afresh: not as a child of the make running these tests (whose
# jobserver, under make -j, it could not reach, and would warn of on stderr).
unset MAKEFLAGS MFLAGS MAKELEVEL

# run NAME MAKE-ARGS...: make -j2 in the copy NAME, its output in NAME.log, shown on failure.
run() {
    dir=$1
    shift
    make --no-print-directory -C "$dir" -j2 "$@" >"$dir.log" 2>&1 || { echo "make $*: failed"; tail -n 15 "$dir.log"; return 1; }
}

# done_already DIR MAKE-ARGS...: a second make would do nothing.
done_already() {
    dir=$1
    shift
    make -C "$dir" -q "$@" || { echo "make -q $*: out of date after a build"; make -C "$dir" -n "$@" | head; return 1; }
}

# fsdd_subset DIR: links to the recordings of index 0-9 (500 of them), so runs are short.
fsdd_subset() {
    mkdir "$1" && for f in "$fsdd"/*_[0-9].flac; do ln -s "$f" "$1/"; done
}

test_beeps() {
    cp -r "$examples/beeps" beeps && run beeps &&
        [ "$(tail -n +2 beeps/events.tsv | wc -l)" -eq 4 ] &&
        f1=$(awk '/^event-based/ { print $3 }' beeps/scores.txt) &&
        awk -v f="$f1" 'BEGIN { exit !(f >= 0.75) }' || { cat beeps/scores.txt; return 1; }
    grep -q '^event-based *F1' beeps.log && done_already beeps
}
check "beeps: beeps found and scored; a second make does nothing" test_beeps

test_digits() {
    fsdd_subset data && cp -r "$examples/digits" digits &&
        expect_error 2 'set DATA' make -s -C digits &&
        run digits DATA=../data SHARDS=2 EPOCHS=15 || return 1
    # The test split: index 0-4, 250 clips; accuracy well above chance; the matrix last.
    grep -q '^250 clips, 10 classes' digits/report.txt &&
        acc=$(awk '/^accuracy/ { print $2 }' digits/report.txt) && echo "accuracy $acc" &&
        awk -v a="$acc" 'BEGIN { exit !(a >= 0.3) }' &&
        [ "$(sed -n '/^confusion/,$p' digits/report.txt | wc -l)" -eq 12 ] &&
        tail -n 12 digits.log | head -n 1 | grep -q '^confusion' &&
        [ "$(wc -l <digits/lists/train-1.list)" -eq 125 ] &&
        done_already digits DATA=../data SHARDS=2 EPOCHS=15
}
if [ -d "$fsdd" ]; then
    check "digits: FSDD's test split, accuracy and confusion matrix; a second make does nothing" test_digits
else
    skip "digits" "no $fsdd"
fi

test_active() {
    cp -r "$examples/active" active && run active ASK=10 || return 1
    # Ten clips to label, most uncertain first, labelled by the oracle; both rounds scored.
    [ "$(tail -n +2 active/to-label.tsv | wc -l)" -eq 10 ] &&
        tail -n +2 active/to-label.tsv | cut -f4 | sort -g -r -c &&
        [ "$(tail -n +2 active/labelled-2.tsv | wc -l)" -eq 22 ] &&
        [ "$(grep -c '^round [12]: .*accuracy [01]\.' active/report.txt)" -eq 2 ] &&
        cat active/report.txt && done_already active ASK=10
}
check "active: two rounds, the most uncertain clips labelled in between" test_active

test_active_person() {
    # Without an oracle make stops at to-label.tsv for a person; their answers.tsv goes on.
    cp -r "$examples/active" person && ! make -s -C person -j2 ORACLE= >person.log 2>&1 &&
        grep -q '^label the clips of to-label.tsv .*save it as answers.tsv' person.log &&
        [ -s person/to-label.tsv ] && [ ! -e person/answers.tsv ] &&
        make -s -C person oracle.tsv >/dev/null &&
        awk -F'\t' -v OFS='\t' 'NR == FNR { t[$1] = $2; next } FNR > 1 { $5 = t[$1] } { print }' \
            person/oracle.tsv person/to-label.tsv >person/answers.tsv &&
        run person ORACLE= && grep -q '^round 2' person/report.txt && done_already person ORACLE= &&
        make -s -C person clean ORACLE= && [ -s person/answers.tsv ]
}
check "active: a person's answers.tsv instead of the oracle, kept by make clean" test_active_person

test_scale() {
    { printf 'id\tlabel\n'; ls data | awk '$0 !~ /_[0-4]\./ { print "../data/" $0 "\t" substr($0, 1, 1) }'; } \
        >labels.tsv &&
        cp -r "$examples/scale" scale && cp labels.tsv scale/ &&
        set -- DATA=../data SHARDS=4 EPOCHS=3 ARCH="$tiny" &&
        run scale "$@" || return 1
    # The merged predictions: one row per recording, every one of them.
    tail -n +2 scale/predictions.tsv | cut -f1 | sort >got.ids && sort scale/files.list | cmp - got.ids &&
        [ "$(wc -l <got.ids)" -eq 500 ] && grep -q '^500 recordings classified in 4 shards' scale.log &&
        grep -q '^features: shards 0 1 2 3 (parallel)' scale.log && done_already scale "$@" || return 1
    # A lost shard is made again, and only it.
    rm scale/preds/shard-2.tsv && run scale "$@" && grep -q '^classify: shards 2 (parallel)$' scale.log &&
        ! grep -q '^features' scale.log && tail -n +2 scale/predictions.tsv | cut -f1 | sort | cmp - got.ids
}

test_slurm() {
    # Slurm is not here: run the array's tasks by hand, then make only merges.
    cp -r "$examples/scale" slurm && make -s -C slurm files.list DATA=../data >/dev/null &&
        for i in 0 1 2 3; do
            (cd slurm && SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=4 MODEL=../scale/model.h5 sh slurm-array.sh) ||
                return 1
        done &&
        set -- DATA=../data SHARDS=4 ENGINE=slurm MODEL=../scale/model.h5 &&
        run slurm "$@" && ! grep -q sbatch slurm.log &&
        same_bytes slurm/predictions.tsv scale/predictions.tsv && done_already slurm "$@"
}
if [ ! -d "$fsdd" ]; then
    skip "scale" "no $fsdd"
elif ! command -v parallel >/dev/null 2>&1; then
    skip "scale" "no GNU parallel"
else
    (cd "$tmp" && fsdd_subset data) 2>/dev/null
    check "scale: shards over GNU parallel, merged predictions cover every file; a lost shard redone" test_scale
    check "scale: the Slurm array's tasks by hand give the same predictions" test_slurm
fi
