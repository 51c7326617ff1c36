# snd-tag(1) completion for bash                           -*- shell-script -*-
# Needs bash-completion (_init_completion, _filedir); installed as
# share/bash-completion/completions/snd-tag.

_snd_tag()
{
    local cur prev words cword split
    _init_completion -s || return

    # Arguments by kind: nothing for a number, a duration, a class list or a command; a
    # word list; or files.
    case $prev in
        --threshold | --top-k | --labels | --on | --off | --median | --min-duration | \
            --min-gap | --cooldown | --exec | --retries | --retry-delay)
            return
            ;;
        --format)
            COMPREPLY=($(compgen -W 'tsv audacity raven' -- "$cur"))
            return
            ;;
        --thresholds)
            _filedir tsv
            return
            ;;
    esac
    $split && return # --flag=value: no flag takes a value

    local i
    for ((i = 1; i < cword; i++)); do
        [[ ${words[i]} == -- ]] && break
    done
    if [[ $cur == -* && $i -eq $cword ]]; then
        COMPREPLY=($(compgen -W '--threshold --thresholds --top-k --labels --events
            --on --off --median --min-duration --min-gap --cooldown --exec --retries
            --retry-delay --format -q --quiet -h --help --version' -- "$cur"))
        return
    fi
    _filedir tsv
} &&
    complete -F _snd_tag snd-tag

# ex: filetype=sh
