# snd-record(1) completion for fish; installed as share/fish/vendor_completions.d/snd-record.fish.

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

# The capture devices snd-record lists: name, then ALSA's description.
function __snd_record_devices
    snd-record --list-devices 2>/dev/null
end

# snd-record takes no operands.
complete -c snd-record -f

complete -c snd-record -s D -l device -x -a '(__snd_record_devices)' -d 'ALSA capture device'
complete -c snd-record -l list-devices -d 'List capture devices'
complete -c snd-record -s d -l duration -x -d 'Stop after this much audio'
complete -c snd-record -s o -l output -r -F -d 'Write a file, format from its extension'
complete -c snd-record -s r -l rate -x -d 'Sample rate (Hz)'
complete -c snd-record -s c -l channels -x -d 'Channels'
complete -c snd-record -s e -l encoding -x -d 'Sample encoding' \
    -a 's16\t"16-bit signed" s32\t"32-bit signed" f32\t"32-bit float"'
complete -c snd-record -l period -x -d 'Capture and write this much at a time'
complete -c snd-record -l strict -d 'An overrun is an error'
complete -c snd-record -s q -l quiet -d 'No summary on stderr'
complete -c snd-record -s h -l help -d 'Show help'
complete -c snd-record -l version -d 'Show the version'
