# snd-split(1) completion for fish; installed as share/fish/vendor_completions.d/snd-split.fish.

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
complete -c snd-split -f -a "(__snd_files $audio)"

# Fixed windows
complete -c snd-split -s l -l length -x -d 'Window length (3s, 250ms, 1.5)'
complete -c snd-split -l hop -x -d 'Start-to-start distance of windows'
complete -c snd-split -l last -x -d 'A last window shorter than the length' \
    -a 'keep\t"Keep it short" pad\t"Pad it with zeros" drop\t"Leave it out"'

# At silences
complete -c snd-split -l at-silence -d 'One clip per stretch of sound'
complete -c snd-split -s t -l threshold -x -d 'RMS level of sound (dBFS)'
complete -c snd-split -l hysteresis -x -d 'Sound ends this far below the threshold (dB)'
complete -c snd-split -l min-silence -x -d 'Shorter silences do not cut'
complete -c snd-split -l min-sound -x -d 'Shorter sounds are ignored'
complete -c snd-split -l pad -x -d 'Silence kept either side of each clip'
complete -c snd-split -l min-length -x -d 'Drop shorter clips'
complete -c snd-split -l max-length -x -d 'Cut longer sound into pieces'
complete -c snd-split -l frame -x -d 'Level measurement frame'

# Output
complete -c snd-split -s o -l output -r -F -d 'Clip file name template'
complete -c snd-split -l index -x -a "(__snd_files tsv)" -d 'TSV index of every clip'
complete -c snd-split -s r -l rate -x -d 'Working sample rate (Hz)'
complete -c snd-split -s c -l channels -x -d 'Channels of raw input'
complete -c snd-split -s e -l encoding -x -d 'Raw sample encoding' \
    -a 's16\t"16-bit signed" s32\t"32-bit signed" f32\t"32-bit float"'
complete -c snd-split -s q -l quiet -d 'No per-source summary on stderr'
complete -c snd-split -s h -l help -d 'Show help'
complete -c snd-split -l version -d 'Show the version'
