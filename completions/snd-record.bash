# snd-record(1) completion for bash                        -*- shell-script -*-
# Needs bash-completion (_init_completion, _filedir); installed as
# share/bash-completion/completions/snd-record.

_snd_record()
{
    local cur prev words cword split
    # ":" stays inside a word, so that hw:1 and plughw:CARD=Mic complete whole.
    _init_completion -s -n : || return

    # Arguments by kind: devices from the tool itself, nothing for a duration or a
    # number, a word list, or files.
    case $prev in
        -D | --device)
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$("$1" --list-devices 2>/dev/null | cut -f1)" -- "$cur"))
            __ltrim_colon_completions "$cur"
            return
            ;;
        -d | --duration | --period | -r | --rate | -c | --channels)
            return
            ;;
        -e | --encoding)
            COMPREPLY=($(compgen -W 's16 s32 f32' -- "$cur"))
            return
            ;;
        -o | --output)
            _filedir
            return
            ;;
    esac
    $split && return # --flag=value: no flag takes a value

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '-D --device --list-devices -d --duration -o --output
            -r --rate -c --channels -e --encoding --period --strict -q --quiet -h --help
            --version' -- "$cur"))
    fi
    # snd-record takes no operands.
} &&
    complete -F _snd_record snd-record

# ex: filetype=sh
