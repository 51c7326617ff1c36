# The man pages: lint-clean, rendered, one per binary, and every option of --help in it.
. "$(dirname "$0")/lib.sh"
man=$SND_TOP/man

test_lint() {
    out=$(mandoc -Tlint -Wwarning "$man"/*.[0-9] 2>&1) && [ -z "$out" ] || { echo "$out"; return 1; }
}
check "mandoc -Tlint -Wwarning reports nothing" test_lint

test_every_binary_has_a_page() {
    for b in "$SND_BIN"/snd-*; do
        [ -f "$man/$(basename "$b").1" ] || { echo "no man page for $(basename "$b")"; return 1; }
    done
    [ -f "$man/snd-formats.5" ] && [ -f "$man/snd.7" ]
}
check "every binary has a page in section 1; snd-formats(5) and snd(7) exist" test_every_binary_has_a_page

# snd(7), the overview, names every binary and points to every page.
test_overview() {
    for b in "$SND_BIN"/snd-*; do
        grep -q "^\.Xr $(basename "$b") 1" "$man/snd.7" || { echo "snd.7 lacks $(basename "$b")"; return 1; }
    done
    grep -q '^\.Xr snd-formats 5' "$man/snd.7"
}
check "snd.7 names every binary and snd-formats(5)" test_overview

test_renders() {
    for p in "$man"/*.[0-9]; do
        mandoc -Tutf8 "$p" | sed 's/.\x08//g' | grep -q '^NAME' || { echo "$p"; return 1; }
    done
    if command -v man >/dev/null 2>&1; then
        MANPAGER=cat man -l "$man/snd-split.1" 2>/dev/null | grep -q 'snd-split'
    fi
}
check "the pages render (mandoc, and man -l)" test_renders

# Every long option that --help lists is documented with .Fl in the page.
options_documented() {
    b=$1
    "$b" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >help.opts
    sed -n 's/.*Fl \\-\([a-z][a-z\\-]*\).*/--\1/p' "$man/$(basename "$b").1" |
        sed 's/\\-/-/g' | sort -u >man.opts
    missing=$(comm -23 help.opts man.opts)
    [ -z "$missing" ] || { echo "$(basename "$b").1 lacks: $missing"; return 1; }
}
for b in "$SND_BIN"/snd-*; do
    check "$(basename "$b").1 documents every option of --help" options_documented "$b"
done

# DESIGN.md: -q silences stderr chatter, in every tool alike.
test_every_binary_takes_q() {
    for b in "$SND_BIN"/snd-*; do
        "$b" --help | grep -q '^  -q, --quiet ' || { echo "$(basename "$b") --help has no -q"; return 1; }
        grep -q '^\.It Fl q , Fl \\-quiet' "$man/$(basename "$b").1" ||
            { echo "$(basename "$b").1 has no -q"; return 1; }
    done
}
check "every binary takes -q, --quiet, and its page says so" test_every_binary_takes_q
