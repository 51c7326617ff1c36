# make demo's script, run as a user runs it: the washing-machine story from a fresh
# directory, writing into ./demo there. It must succeed, find every beep, report the
# beeps after the cool-down once each, and leave its tables and picture behind.
. "$(dirname "$0")/lib.sh"

test_demo() {
    timeout 120 sh "$SND_TOP/tools/demo.sh" "$SND_BIN" >out.txt 2>&1 || { tail -n 20 out.txt; return 1; }
    [ "$(tail -n +2 demo/all-events.tsv | wc -l)" -eq 4 ] &&
        [ "$(tail -n +2 demo/events.tsv | wc -l)" -eq 2 ] &&
        [ "$(grep -c 'the washing machine wants you' out.txt)" -eq 2 ] &&
        [ -s demo/predictions.tsv ] && [ -s demo/beep.h5 ] && [ -s demo/scores.txt ] &&
        [ "$(head -c 4 demo/evening.png | tail -c 3)" = PNG ] &&
        grep -q '^demo: all beeps found' out.txt || { tail -n 20 out.txt; return 1; }
}
if command -v sox >/dev/null 2>&1 && command -v espeak-ng >/dev/null 2>&1; then
    check "tools/demo.sh: the washing machine's beeps found, events and picture written" test_demo
else
    skip "tools/demo.sh" "needs sox and espeak-ng"
fi
