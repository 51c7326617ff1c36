# snd-classify(1) completion for bash                      -*- shell-script -*-
# Needs bash-completion (_init_completion, _filedir); installed as
# share/bash-completion/completions/snd-classify.

_snd_classify()
{
    local cur prev words cword split
    _init_completion -s || return

    # Arguments by kind: nothing for a number or a duration, a word list, or files.
    case $prev in
        --hop | --top-k | --threshold | --batch | -j | --threads)
            return
            ;;
        --aggregate)
            COMPREPLY=($(compgen -W 'mean max vote' -- "$cur"))
            return
            ;;
        --format)
            COMPREPLY=($(compgen -W 'tsv audacity raven' -- "$cur"))
            return
            ;;
        -m | --model)
            _filedir h5
            return
            ;;
    esac
    $split && return # --flag=value: no flag takes a value

    local i
    for ((i = 1; i < cword; i++)); do
        [[ ${words[i]} == -- ]] && break
    done
    if [[ $cur == -* && $i -eq $cword ]]; then
        COMPREPLY=($(compgen -W '-m --model --hop --aggregate --probs
            --uncertainty --top-k --threshold --format --batch -j --threads
            -q --quiet -h --help --version' -- "$cur"))
        return
    fi
    # Operands are features or audio files.
    _filedir 'h5|wav|flac|ogg|oga|aif|aiff|au|caf|w64|raw|pcm|mp3|opus'
} &&
    complete -F _snd_classify snd-classify

# ex: filetype=sh
