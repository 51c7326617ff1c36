# snd-train(1) completion for bash                         -*- shell-script -*-
# Needs bash-completion (_init_completion, _filedir); installed as
# share/bash-completion/completions/snd-train.

_snd_train()
{
    local cur prev words cword split
    _init_completion -s || return

    # Arguments by kind: nothing for a number, a duration or a spec, a word list, or files.
    case $prev in
        --val-split | --window | --arch | --epochs | --steps | --batch | --lr | --weight-decay | \
            --momentum | --warmup | --patience | --ema | --time-mask | --freq-mask | --masks | \
            --shift | --stretch | --pitch | --trim | --pad | --mixup | --gain | --eq | --noise | --seed | -j | --threads)
            return
            ;;
        --optimizer)
            COMPREPLY=($(compgen -W 'adam adamw sgd' -- "$cur"))
            return
            ;;
        --schedule)
            COMPREPLY=($(compgen -W 'cosine constant' -- "$cur"))
            return
            ;;
        --standardise)
            COMPREPLY=($(compgen -W 'global window' -- "$cur"))
            return
            ;;
        -o | --output | --val | --init)
            _filedir h5
            return
            ;;
        -l | --labels | --history)
            _filedir tsv
            return
            ;;
    esac
    # --balance takes its mode only as --balance=MODE: "--balance weight" is an operand.
    if $split; then
        [[ $prev == --balance ]] && COMPREPLY=($(compgen -W 'weight sample' -- "$cur"))
        return # --flag=value: no other flag takes a value
    fi

    local i
    for ((i = 1; i < cword; i++)); do
        [[ ${words[i]} == -- ]] && break
    done
    if [[ $cur == -* && $i -eq $cword ]]; then
        COMPREPLY=($(compgen -W '-o --output -l --labels --multi-label
            --skip-unlabelled --val --val-split --window --standardise --arch --epochs --steps --batch
            --lr --optimizer --weight-decay --momentum --warmup --schedule
            --patience --ema --balance --time-mask --freq-mask --masks --shift --stretch
            --pitch --trim --pad --mixup --gain --eq --noise
            --no-augment --init --resume --adapt --history --json --seed -j --threads
            -q --quiet -h --help --version' -- "$cur"))
        return
    fi
    _filedir h5
} &&
    complete -F _snd_train snd-train

# ex: filetype=sh
