# snd-classify(1) completion for fish; installed as share/fish/vendor_completions.d/snd-classify.fish.

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

set -l audio wav flac ogg oga aif aiff au caf w64 raw pcm mp3 opus

# Operands are features or audio files.
complete -c snd-classify -f -a "(__snd_files h5 $audio)"

# Model and windows
complete -c snd-classify -s m -l model -x -a "(__snd_files h5)" -d 'The model, from snd-train'
complete -c snd-classify -l hop -x -d 'Time between windows (half the window)'
complete -c snd-classify -l aggregate -x -d 'One row per clip from its windows' \
    -a 'mean\t"Mean of the probabilities" max\t"Maximum of the probabilities" vote\t"Share of the windows voting for each class"'

# Columns and rows
complete -c snd-classify -l probs -d 'A p:CLASS column per class'
complete -c snd-classify -l uncertainty -d 'Entropy and margin columns'
complete -c snd-classify -l top-k -x -d 'The K most probable classes, a row each'
complete -c snd-classify -l threshold -x -d 'Multi-label models: tags at or above this (0.5)'
complete -c snd-classify -l format -x -d 'Form of the output' \
    -a 'tsv\t"A TSV table" audacity\t"An Audacity label track" raven\t"A Raven selection table"'

# Speed
complete -c snd-classify -l batch -x -d 'Windows per pass through the network (4)'
complete -c snd-classify -s j -l threads -x -d 'Threads (default: all cores)'
complete -c snd-classify -s q -l quiet -d 'No chatter on stderr'
complete -c snd-classify -s h -l help -d 'Show help'
complete -c snd-classify -l version -d 'Show the version'
