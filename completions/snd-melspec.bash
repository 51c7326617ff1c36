# snd-melspec(1) completion for bash                       -*- shell-script -*-
# Needs bash-completion (_init_completion, _filedir); installed as
# share/bash-completion/completions/snd-melspec.

_snd_melspec()
{
    local cur prev words cword split
    _init_completion -s || return

    # Arguments by kind: nothing for a number or a name, a word list, or files.
    case $prev in
        -j | --threads | --id | -r | --rate | --n-fft | --win-length | --hop-length | \
            --power | --n-mels | --fmin | --fmax | --amin | --png-range | --png-scale | \
            -c | --channels)
            return
            ;;
        --window)
            COMPREPLY=($(compgen -W 'hann hamming blackman rect' -- "$cur"))
            return
            ;;
        --mel-scale)
            COMPREPLY=($(compgen -W 'slaney htk' -- "$cur"))
            return
            ;;
        --norm)
            COMPREPLY=($(compgen -W 'slaney none' -- "$cur"))
            return
            ;;
        --log)
            COMPREPLY=($(compgen -W 'db ln none' -- "$cur"))
            return
            ;;
        --cmap)
            COMPREPLY=($(compgen -W 'viridis magma' -- "$cur"))
            return
            ;;
        -e | --encoding)
            COMPREPLY=($(compgen -W 's16 s32 f32' -- "$cur"))
            return
            ;;
        -o | --output | --like)
            _filedir h5
            return
            ;;
        --png)
            _filedir png
            return
            ;;
    esac
    $split && return # --flag=value: no flag takes a value

    local i
    for ((i = 1; i < cword; i++)); do
        [[ ${words[i]} == -- ]] && break
    done
    if [[ $cur == -* && $i -eq $cword ]]; then
        COMPREPLY=($(compgen -W '-o --output -a --append -j --threads --id
            -r --rate --n-fft --win-length --hop-length --window --center
            --no-center --power --n-mels --fmin --fmax --mel-scale --norm --log
            --amin --like --png --cmap --png-range --png-scale -c --channels
            -e --encoding -q --quiet -h --help --version' -- "$cur"))
        return
    fi
    _filedir 'wav|flac|ogg|oga|aif|aiff|au|caf|w64|raw|pcm|mp3|opus'
} &&
    complete -F _snd_melspec snd-melspec

# ex: filetype=sh
