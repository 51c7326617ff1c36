# make install puts binaries, man pages and completions where their tools look; make
# uninstall takes them away again.
. "$(dirname "$0")/lib.sh"

do_make() {
    make -s -C "$SND_TOP" BUILD="$SND_BUILD" PREFIX=/usr/local DESTDIR="$tmp/root" "$@"
}

test_install() {
    do_make install >log 2>&1 || { cat log; return 1; }
    r=$tmp/root/usr/local
    for b in "$SND_BIN"/snd-*; do
        n=$(basename "$b")
        [ -x "$r/bin/$n" ] && [ -f "$r/share/man/man1/$n.1" ] &&
            [ -f "$r/share/bash-completion/completions/$n" ] &&
            [ -f "$r/share/zsh/site-functions/_$n" ] &&
            [ -f "$r/share/fish/vendor_completions.d/$n.fish" ] || { echo "$n incomplete"; return 1; }
    done
    [ -f "$r/share/man/man5/snd-formats.5" ] && [ -f "$r/share/man/man7/snd.7" ] &&
        "$r/bin/snd-split" --version | grep -q '^snd-split'
}
check "make install DESTDIR=… PREFIX=/usr/local" test_install

test_uninstall() {
    do_make uninstall >log 2>&1 || { cat log; return 1; }
    left=$(find "$tmp/root" -type f | wc -l)
    [ "$left" -eq 0 ] || { find "$tmp/root" -type f; return 1; }
}
check "make uninstall removes every file" test_uninstall
