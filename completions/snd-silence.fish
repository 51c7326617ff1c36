# snd-silence(1) completion for fish; installed as share/fish/vendor_completions.d/snd-silence.fish.

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

# Operands are audio files.
complete -c snd-silence -f -a "(__snd_files $audio)"

# Mode (one)
complete -c snd-silence -l report -d 'TSV of sound and silence on stdout'
complete -c snd-silence -l trim -d 'Drop leading and trailing silence'
complete -c snd-silence -l gate -d 'Pass only sound'

# Detection
complete -c snd-silence -s t -l threshold -x -d 'RMS level of sound (dBFS)'
complete -c snd-silence -l hysteresis -x -d 'Sound ends this far below the threshold (dB)'
complete -c snd-silence -l min-silence -x -d 'Shorter silences do not count'
complete -c snd-silence -l min-sound -x -d 'Shorter sounds do not count'
complete -c snd-silence -l pad -x -d 'Silence kept either side of sound'
complete -c snd-silence -l frame -x -d 'Level measurement frame'

# Output
complete -c snd-silence -s o -l output -r -F -d 'Output file or template'
complete -c snd-silence -l log -x -a "(__snd_files tsv)" -d 'Gate: TSV of what was dropped'
complete -c snd-silence -s r -l rate -x -d 'Working sample rate (Hz)'
complete -c snd-silence -s c -l channels -x -d 'Channels of raw input'
complete -c snd-silence -s e -l encoding -x -d 'Raw sample encoding' \
    -a 's16\t"16-bit signed" s32\t"32-bit signed" f32\t"32-bit float"'
complete -c snd-silence -s q -l quiet -d 'No summary on stderr'
complete -c snd-silence -s h -l help -d 'Show help'
complete -c snd-silence -l version -d 'Show the version'
