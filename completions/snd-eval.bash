# snd-eval(1) completion for bash                          -*- shell-script -*-
# Needs bash-completion (_init_completion, _filedir); installed as
# share/bash-completion/completions/snd-eval.

# _snd_eval_classes FILE: the classes of a truth table, its label column split at commas.
_snd_eval_classes()
{
    [[ -r $1 ]] || return
    awk -F '\t' '
        NR == 1 { sub(/\r$/, ""); for (i = 1; i <= NF; i++) if ($i == "label") c = i; next }
        c {
            sub(/\r$/, "")
            n = split($c, t, ",")
            for (i = 1; i <= n; i++) if (t[i] != "") print t[i]
        }
    ' "$1" 2>/dev/null | sort -u
}

# _snd_eval_min: the argument of --min, METRIC=VALUE. A metric name is offered with its
# "=", a per-class metric with its ":" and then the classes of the --truth file.
_snd_eval_min()
{
    local i truth
    [[ $cur == *=* ]] && return # the value: a number
    if [[ $cur == *:* ]]; then
        local IFS=$'\n' # class names may hold spaces
        for ((i = 1; i < cword; i++)); do
            case ${words[i]} in
                --truth) truth=${words[i + 1]} ;;
                --truth=*) truth=${words[i]#--truth=} ;;
            esac
        done
        [[ $truth == \~/* ]] && truth=$HOME/${truth#\~/}
        COMPREPLY=($(compgen -P "${cur%%:*}:" -S = \
            -W "$(_snd_eval_classes "$truth")" -- "${cur#*:}"))
    else
        COMPREPLY=($(compgen -S = -W 'accuracy balanced_accuracy precision_macro
            recall_macro f1_macro f1_micro precision_weighted recall_weighted f1_weighted
            top_k_accuracy roc_auc_ovr_macro roc_auc_macro roc_auc_micro pr_auc_macro
            pr_auc_micro subset_accuracy precision_micro recall_micro event_f1
            event_precision event_recall segment_f1 segment_precision segment_recall' \
            -- "$cur")
            $(compgen -S : -W 'precision recall f1 roc_auc pr_auc event_f1' -- "$cur"))
    fi
    # "accuracy=" and "f1:" are not whole words yet: no space after them.
    ((${#COMPREPLY[@]})) && compopt -o nospace 2>/dev/null
    __ltrim_colon_completions "$cur"
}

_snd_eval()
{
    local cur prev words cword split
    _init_completion -s -n : || return

    # Arguments by kind: nothing for a number or a duration, a word list, metrics, or files.
    case $prev in
        --threshold | --top-k | --collar | --offset-rate | --segment)
            return
            ;;
        --aggregate)
            COMPREPLY=($(compgen -W 'mean max vote' -- "$cur"))
            return
            ;;
        --min)
            _snd_eval_min
            return
            ;;
        --truth)
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
        COMPREPLY=($(compgen -W '--truth --json --tsv --min --multi-label
            --multiclass --threshold --top-k --aggregate --allow-missing --events
            --collar --offset-rate --segment -q --quiet -h --help --version' -- "$cur"))
        return
    fi
    _filedir tsv
} &&
    complete -F _snd_eval snd-eval

# ex: filetype=sh
