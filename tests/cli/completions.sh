# Shell completions: each binary's bash, zsh and fish completion offers exactly the options
# of its --help, with arguments where --help has them, and completes arguments by kind.
. "$(dirname "$0")/lib.sh"
comp=$SND_TOP/completions
bash_completion=/usr/share/bash-completion/bash_completion

# Every binary there is gets its completions checked; a new one needs its three files.
cmds=$(cd "$SND_BIN" && ls snd-*)

# Completion runs in $tmp/files, which has a file of every kind, or in $tmp/empty, where
# only options and words can be offered. The shells get a home of their own, so no rc
# file or saved state of the user's takes part.
mkdir "$tmp/empty" "$tmp/files" "$tmp/files/dir" "$tmp/home"
touch "$tmp/files/a.wav" "$tmp/files/B.FLAC" "$tmp/files/idx.tsv" "$tmp/files/notes.txt" \
    "$tmp/files/dir/c.wav" "$tmp/files/dir/m.h5"

# help_options NAME: "OPTION 1" for each option in NAME --help that takes an argument,
# "OPTION 0" for the others, short and long forms. An option line starts with at most six
# spaces; one space and an upper-case name after the option mean it takes an argument.
help_options() {
    "$1" --help |
        sed -n 's/^ \{1,6\}\(-[[:alnum:]], \)\{0,1\}\(--[[:alnum:]][[:alnum:]-]*\)\( [A-Z]\)\{0,1\}.*/\1 \2 \3/p' |
        awk '{ a = ($NF ~ /^[A-Z]$/); for (i = 1; i <= NF; i++) if ($i ~ /^-/) { sub(/,$/, "", $i); print $i, a } }' |
        sort
}

# in_bash FILE NAME SCRIPT: run the bash SCRIPT after sourcing bash-completion and FILE, with
# offers LINE: what the completion of NAME offers with the cursor at the end of LINE, one
# word a line. LINE is split into words as readline does, "=" being a word of its own.
in_bash() {
    HOME=$tmp/home bash --norc --noprofile -c '
        . "$1" || exit 1
        . "$2" || exit 1
        name=$3
        fn=$(complete -p "$name" | sed -n "s/.*-F \([^ ]*\).*/\1/p")
        offers() {
            local parts p
            COMP_LINE=$1 COMP_POINT=${#1} COMP_WORDS=()
            read -ra parts <<<"$1"
            [[ $1 == *" " ]] && parts+=("")
            for p in "${parts[@]}"; do
                while [[ $p == *=* ]]; do
                    COMP_WORDS+=("${p%%=*}" "=")
                    p=${p#*=}
                done
                COMP_WORDS+=("$p")
            done
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            COMPREPLY=()
            "$fn" "$name" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
            [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"
        }
        eval "$4"' bash "$bash_completion" "$@"
}

# in_fish FILE SCRIPT: run the fish SCRIPT after sourcing FILE; nothing is autoloaded.
in_fish() {
    HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_DATA_HOME=$tmp/home/.local/share \
        XDG_CACHE_HOME=$tmp/home/.cache fish --no-config -c '
        set -g fish_complete_path
        source $argv[1]; or exit 1
        eval $argv[2]' "$@"
}

# bash_options NAME: the options the bash completion offers after "-", each with 1 if it
# takes an argument: then it offers nothing after it for "--", where a flag offers options.
bash_options() {
    (cd "$tmp/empty" && in_bash "$comp/$1.bash" "$1" '
        for o in $(offers "$name -"); do
            if [ -n "$(offers "$name $o --")" ]; then a=0; else a=1; fi
            printf "%s %s\n" "$o" $a
        done') | sort
}

# zsh_options NAME: the options of the zsh completion's _arguments specs, each with 1 if it
# takes an argument (a ":" after its [description]). _arguments is replaced by a function
# that prints its arguments, so the real completion function runs, outside of a widget.
zsh_options() {
    HOME=$tmp/home zsh -f -c '
        autoload -U compinit && compinit -u -D || exit 1
        source "$1" || exit 1
        _arguments() { print -rl -- "$@" }
        $_comps[$2]' zsh "$comp/_$1" "$1" |
        awk '/^(\([^)]*\))?\*?-.*\[/ {
                 s = $0; sub(/^\([^)]*\)/, "", s); sub(/^\*/, "", s)
                 opt = s; sub(/\[.*/, "", opt); sub(/[-+=]+$/, "", opt)
                 rest = substr(s, index(s, "]") + 1)
                 print opt, (rest ~ /^:/)
             }' |
        sort
}

# fish_options NAME: the options fish offers after "-", each with 1 if it takes an argument:
# then what fish offers after it leaves out the words that stand for operands.
fish_options() {
    (cd "$tmp/empty" && in_fish "$comp/$1.fish" "
        complete -c $1 -a __operand__
        for o in (complete -C'$1 -' | string replace -r '\t.*' '')
            if contains -- __operand__ (complete -C\"$1 \$o \")
                printf '%s 0\n' \$o
            else
                printf '%s 1\n' \$o
            end
        end") | sort
}

# same_options NAME SHELL: the options of the SHELL completion of NAME are those of its
# --help, and take an argument where --help says they do.
same_options() {
    help_options "$1" >help.txt && [ -s help.txt ] || { echo "no options in $1 --help"; return 1; }
    "$2_options" "$1" >comp.txt || return 1
    diff help.txt comp.txt >diff.txt ||
        { echo "< $1 --help, > the $2 completion (1: takes an argument)"; cat diff.txt; return 1; }
}

# same_words GOT WORD...: the lines of file GOT are the WORDs, in any order.
same_words() {
    got=$1
    shift
    if [ $# -eq 0 ]; then : >want.txt; else printf '%s\n' "$@" | sort >want.txt; fi
    sort "$got" | diff want.txt - >/dev/null ||
        { echo "offered:"; cat "$got"; echo "expected: $*"; return 1; }
}

# bash_offers NAME LINE WORD...: for LINE, the bash completion of NAME offers the WORDs.
bash_offers() {
    name=$1 line=$2
    shift 2
    (cd "$tmp/files" && in_bash "$comp/$name.bash" "$name" "offers '$line'") >got.txt &&
        same_words got.txt "$@"
}

# fish_offers NAME LINE WORD...: for LINE, fish with NAME's completion offers the WORDs.
fish_offers() {
    name=$1 line=$2
    shift 2
    (cd "$tmp/files" && in_fish "$comp/$name.fish" "complete -C'$line'") >got.txt &&
        sed 's/	.*//' got.txt >words.txt &&
        same_words words.txt "$@"
}

test_files_exist() {
    for c in $cmds; do
        for f in "$c.bash" "_$c" "$c.fish"; do
            [ -f "$comp/$f" ] || { echo "completions/$f is missing"; return 1; }
        done
    done
}
check "every binary has a bash, a zsh and a fish completion" test_files_exist

# 1. The options of every completion are those of --help.
for shell in bash zsh fish; do
    if ! command -v $shell >/dev/null; then
        skip "$shell completions offer the options of --help" "$shell is not installed"
    elif [ $shell = bash ] && [ ! -f "$bash_completion" ]; then
        skip "bash completions offer the options of --help" "no $bash_completion"
    else
        for c in $cmds; do
            check "$shell completion of $c offers the options of its --help" same_options "$c" $shell
        done
    fi
done

# 2. The bash completion, called as bash calls it.
if ! command -v bash >/dev/null || [ ! -f "$bash_completion" ]; then
    skip "bash completion, driven" "no bash or no $bash_completion"
else
    check "bash: snd-split --la completes to --last" bash_offers snd-split "snd-split --la" --last
    check "bash: snd-split --last offers pad, drop and keep" \
        bash_offers snd-split "snd-split --last " pad drop keep
    check "bash: snd-split --last=p completes to pad" bash_offers snd-split "snd-split --last=p" pad
    check "bash: snd-silence -e offers s16, s32 and f32" \
        bash_offers snd-silence "snd-silence -e " s16 s32 f32
    check "bash: snd-silence --re completes to --report" \
        bash_offers snd-silence "snd-silence --re" --report
    check "bash: operands are audio files and directories" \
        bash_offers snd-split "snd-split -q " a.wav B.FLAC dir
    test_bash_tsv() {
        bash_offers snd-split "snd-split --index " idx.tsv dir &&
            bash_offers snd-silence "snd-silence --log=" idx.tsv dir
    }
    check "bash: --index and --log take .tsv files and directories" test_bash_tsv
    check "bash: -o takes any file" \
        bash_offers snd-silence "snd-silence -o " a.wav B.FLAC dir idx.tsv notes.txt
    check "bash: a duration or a number completes to nothing" \
        bash_offers snd-split "snd-split --at-silence --min-silence "
    check "bash: snd-classify -m offers models (.h5), not audio" \
        bash_offers snd-classify "snd-classify -m dir/" dir/m.h5
    check "bash: snd-classify --aggregate offers mean, max and vote" \
        bash_offers snd-classify "snd-classify --aggregate " mean max vote
    check "bash: snd-tag --format offers tsv, audacity and raven" \
        bash_offers snd-tag "snd-tag --events --format " tsv audacity raven
fi

# 3. zsh and fish load each file, and fish completes from it.
if ! command -v zsh >/dev/null; then
    skip "zsh loads the completions" "zsh is not installed"
else
    zsh_loads() {
        HOME=$tmp/home zsh -f -c 'autoload -U compinit && compinit -u -D && source "$1" &&
            [[ $_comps[$2] == _$2 ]]' zsh "$comp/_$1" "$1" >out.txt 2>&1 &&
            [ ! -s out.txt ] || { cat out.txt; return 1; }
    }
    for c in $cmds; do
        check "zsh loads _$c silently and registers it" zsh_loads "$c"
    done
fi
if ! command -v fish >/dev/null; then
    skip "fish loads the completions" "fish is not installed"
else
    fish_loads() {
        fish --no-config -n "$comp/$1.fish" >out.txt 2>&1 &&
            in_fish "$comp/$1.fish" true >>out.txt 2>&1 &&
            [ ! -s out.txt ] || { cat out.txt; return 1; }
    }
    for c in $cmds; do
        check "fish parses and loads $c.fish silently" fish_loads "$c"
    done
    test_fish_same_helper() {
        for c in $cmds; do
            sed -n '/^function __snd_files/,/^end/p' "$comp/$c.fish" >"helper-$c.txt"
            [ -s "helper-$c.txt" ] || { echo "$c.fish does not define __snd_files"; return 1; }
            same_bytes "helper-$(echo "$cmds" | head -n 1).txt" "helper-$c.txt" || return 1
        done
    }
    check "fish: every file defines __snd_files the same way" test_fish_same_helper
    check "fish: snd-split --la completes to --last" fish_offers snd-split "snd-split --la" --last
    check "fish: snd-split --last offers pad, drop and keep" \
        fish_offers snd-split "snd-split --last " pad drop keep
    check "fish: snd-silence -e offers s16, s32 and f32" \
        fish_offers snd-silence "snd-silence -e " s16 s32 f32
    check "fish: operands are audio files and directories" \
        fish_offers snd-silence "snd-silence --trim " a.wav B.FLAC dir/
    check "fish: --index takes .tsv files and directories" \
        fish_offers snd-split "snd-split --index=" --index=idx.tsv --index=dir/
    check "fish: -o takes any file" \
        fish_offers snd-split "snd-split -o " a.wav B.FLAC dir/ idx.tsv notes.txt
    check "fish: a duration or a number completes to nothing" \
        fish_offers snd-split "snd-split -l "
fi
