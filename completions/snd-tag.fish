# snd-tag(1) completion for fish; installed as share/fish/vendor_completions.d/snd-tag.fish.

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

# Operands are predictions.
complete -c snd-tag -f -a "(__snd_files tsv)"

# Tags
complete -c snd-tag -l threshold -x -d 'A class counts at or above this (0 to 1)'
complete -c snd-tag -l thresholds -x -a "(__snd_files tsv)" -d 'Per-class thresholds: label, threshold'
complete -c snd-tag -l top-k -x -d 'Only the k best classes of a window count'
complete -c snd-tag -l labels -x -d 'Only these classes, comma-separated'

# Events
complete -c snd-tag -l events -d 'Merge windows into events'
complete -c snd-tag -l on -x -d 'Events open at or above this'
complete -c snd-tag -l off -x -d 'Events stay open at or above this'
complete -c snd-tag -l median -x -d 'Median filter over this many windows (odd)'
complete -c snd-tag -l min-duration -x -d 'Drop events shorter than this'
complete -c snd-tag -l min-gap -x -d 'Bridge gaps shorter than this'
complete -c snd-tag -l cooldown -x -d 'Hold back events of a label this long after one'

# Commands and output
complete -c snd-tag -l exec -x -a '(__fish_complete_command)' -d 'Run a command for each row written'
complete -c snd-tag -l retries -x -d 'Retry a failed command this many times'
complete -c snd-tag -l retry-delay -x -d 'First retry after this, then twice as long'
complete -c snd-tag -s q -l quiet -d 'No notes of commands to be retried'
complete -c snd-tag -l format -x -d 'Output table' \
    -a 'tsv\t"TSV with a header" audacity\t"Audacity label track" raven\t"Raven selection table"'

complete -c snd-tag -s h -l help -d 'Show help'
complete -c snd-tag -l version -d 'Show the version'
