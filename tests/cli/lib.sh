# lib.sh: sourced by every tests/cli/*.sh. Each case is a shell function run by `check`,
# which prints "ok FILE: NAME" or "FAIL FILE: NAME" for tests/run.sh to count.
# The binaries are in $SND_BIN; shared data in $SND_SHARED; each script gets a fresh $tmp.
set -u
PATH=$SND_BIN:$PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
script=$(basename "$0")
fsdd=$SND_SHARED/data/fsdd/recordings

# check NAME FUNCTION [ARGS...]: run the case in a subshell from inside $tmp; it fails by
# returning non-zero. What it printed is shown on failure.
check() {
    name=$1
    shift
    if (cd "$tmp" && "$@") >"$tmp/.case-log" 2>&1; then
        echo "ok $script: $name"
    else
        echo "FAIL $script: $name"
        sed 's/^/    /' "$tmp/.case-log" | head -n 20
    fi
}

# skip NAME REASON: a case that cannot run here.
skip() {
    echo "skip $script: $1 ($2)"
}

# expect_error STATUS PATTERN CMD...: CMD exits with STATUS and prints exactly one line
# on stderr, which matches the grep pattern PATTERN.
expect_error() {
    want=$1 pattern=$2
    shift 2
    "$@" >.out 2>.err
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "exit status $got, expected $want"; cat .err; return 1
    fi
    if [ "$(wc -l <.err)" -ne 1 ]; then
        echo "expected one line on stderr, got:"; cat .err; return 1
    fi
    grep -q -- "$pattern" .err || { echo "stderr does not match '$pattern':"; cat .err; return 1; }
}

# same_bytes A B: the two files are identical.
same_bytes() {
    cmp "$1" "$2" || { echo "$1 and $2 differ"; return 1; }
}

# near A B TOL: |A - B| <= TOL for decimal numbers.
near() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }' ||
        { echo "$1 is not within $3 of $2"; return 1; }
}

# make_tones: in the current directory, two classes of synthetic sound, low and high
# tones, eight clips each, 0.3 to 0.6 s long (low0.wav ... high7.wav), their labels
# (tones.tsv) and features (tones.h5).
make_tones() {
    printf 'id\tlabel\n' >tones.tsv
    for i in 0 1 2 3 4 5 6 7; do
        len=0.$((3 + i % 4))
        sox -n -r 16000 -b 16 low$i.wav synth $len sine $((200 + 20 * i)) vol 0.5 2>/dev/null
        sox -n -r 16000 -b 16 high$i.wav synth $len sine $((2500 + 100 * i)) vol 0.5 2>/dev/null
        printf 'low%d.wav\tlow\nhigh%d.wav\thigh\n' $i $i >>tones.tsv
    done
    snd-melspec -q -o tones.h5 low?.wav high?.wav
}
