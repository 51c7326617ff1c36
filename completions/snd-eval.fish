# snd-eval(1) completion for fish; installed as share/fish/vendor_completions.d/snd-eval.fish.

# __snd_files EXT...: files with one of these extensions (any case), and directories.
# Every snd-*.fish defines it the same way.
function __snd_files
    set -l re '^.*(?:\.(?:'(string join '|' -- $argv)')|/)$'
    # The token, without the option in --index=FILE.
    set -l token (commandline -ct | string replace -r -- '^--[^=]*=' '')
    # A command without completions gets fish's own file completion of the token.
    complete -C"__snd_no_such_command $token" | string replace -r '\t.*' '' |
        string match -ri -- $re
end

# __snd_eval_min: the argument of --min, METRIC=VALUE: each metric with its "=", each
# per-class metric with its ":", and after the ":" the classes of the --truth file.
function __snd_eval_min
    set -l token (commandline -ct | string replace -r -- '^--min=' '')
    string match -q -- '*=*' $token; and return # the value: a number
    set -l prefix (string match -r -- '^(?:precision|recall|f1|roc_auc|pr_auc|event_f1):' $token)
    if test -n "$prefix"
        set -l truth
        set -l words (commandline -opc)
        for i in (seq (count $words))
            switch $words[$i]
                case --truth
                    set truth $words[(math $i + 1)]
                case '--truth=*'
                    set truth (string replace -- --truth= '' $words[$i])
            end
        end
        set truth (string replace -r -- '^~/' "$HOME/" $truth)
        test -n "$truth" -a -r "$truth"; or return
        awk -F '\t' '
            NR == 1 { sub(/\r$/, ""); for (i = 1; i <= NF; i++) if ($i == "label") c = i; next }
            c {
                sub(/\r$/, "")
                n = split($c, t, ",")
                for (i = 1; i <= n; i++) if (t[i] != "") print t[i]
            }' $truth 2>/dev/null | sort -u | string replace -r -- '^(.*)$' "$prefix\$1="
        return
    end
    printf '%s\n' \
        accuracy=\t'Fraction of clips predicted right' \
        balanced_accuracy=\t'Mean recall of the classes' \
        precision_macro=\t'Mean precision of the classes' \
        recall_macro=\t'Mean recall of the classes' \
        f1_macro=\t'Mean F1 of the classes or tags' \
        f1_micro=\t'F1 of the counts of every class or tag' \
        precision_weighted=\t'Precision weighted by support' \
        recall_weighted=\t'Recall weighted by support' \
        f1_weighted=\t'F1 weighted by support' \
        top_k_accuracy=\t'Fraction of clips whose class is in the top k' \
        roc_auc_ovr_macro=\t'One-vs-rest ROC AUC, mean of the classes' \
        roc_auc_macro=\t'ROC AUC, mean of the tags' \
        roc_auc_micro=\t'ROC AUC of every clip and tag' \
        pr_auc_macro=\t'Average precision, mean of the tags' \
        pr_auc_micro=\t'Average precision of every clip and tag' \
        subset_accuracy=\t'Fraction of clips with exactly their tags' \
        precision_micro=\t'Precision of the counts of every tag' \
        recall_micro=\t'Recall of the counts of every tag' \
        event_f1=\t'Event-based F1' \
        event_precision=\t'Event-based precision' \
        event_recall=\t'Event-based recall' \
        segment_f1=\t'Segment-based F1' \
        segment_precision=\t'Segment-based precision' \
        segment_recall=\t'Segment-based recall' \
        precision:\t'Precision of a class' \
        recall:\t'Recall of a class' \
        f1:\t'F1 of a class' \
        roc_auc:\t'ROC AUC of a tag' \
        pr_auc:\t'Average precision of a tag' \
        event_f1:\t'Event-based F1 of a class'
end

# Operands are predictions, or detected events.
complete -c snd-eval -f -a "(__snd_files tsv)"

# Truth and output
complete -c snd-eval -l truth -x -a "(__snd_files tsv)" -d 'Truth: labels, or reference events'
complete -c snd-eval -l json -d 'Metrics as JSON'
complete -c snd-eval -l tsv -d 'Metrics as TSV: metric, class, value'
complete -c snd-eval -l min -x -a "(__snd_eval_min)" -d 'Exit 1 when METRIC is below VALUE'
complete -c snd-eval -s q -l quiet -d 'No table on stdout, for --min alone'

# Clips
complete -c snd-eval -l multi-label -d 'Tags, any number per clip'
complete -c snd-eval -l multiclass -d 'One class per clip'
complete -c snd-eval -l threshold -x -d 'Multi-label decisions: tags scoring at least this'
complete -c snd-eval -l top-k -x -d 'The k of top-k accuracy'
complete -c snd-eval -l aggregate -x -d 'Combine the rows of one id' \
    -a 'mean\t"Mean of the scores" max\t"Maximum of the scores" vote\t"Most frequent label"'
complete -c snd-eval -l allow-missing -d 'Score the ids both sides have'

# Events
complete -c snd-eval -l events -d 'Score sound events, event- and segment-based'
complete -c snd-eval -l collar -x -d 'Onsets of events match within this'
complete -c snd-eval -l offset-rate -x -d 'Offsets match within this times the length'
complete -c snd-eval -l segment -x -d 'Segment length of segment-based scores'

complete -c snd-eval -s h -l help -d 'Show help'
complete -c snd-eval -l version -d 'Show the version'
