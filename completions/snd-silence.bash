# snd-silence(1) completion for bash                       -*- shell-script -*-
# Needs bash-completion (_init_completion, _filedir); installed as
# share/bash-completion/completions/snd-silence.

_snd_silence()
{
    local cur prev words cword split
    _init_completion -s || return

    # Arguments by kind: nothing for a duration or a number, a word list, or files.
    case $prev in
        -t | --threshold | --hysteresis | --min-silence | --min-sound | --pad | \
            --frame | -r | --rate | -c | --channels)
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
        --log)
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
        COMPREPLY=($(compgen -W '--report --trim --gate -t --threshold
            --hysteresis --min-silence --min-sound --pad --frame -o --output
            --log -r --rate -c --channels -e --encoding -q --quiet -h --help
            --version' -- "$cur"))
        return
    fi
    _filedir 'wav|flac|ogg|oga|aif|aiff|au|caf|w64|raw|pcm|mp3|opus'
} &&
    complete -F _snd_silence snd-silence

# ex: filetype=sh
