# snd-melspec(1) completion for fish; installed as share/fish/vendor_completions.d/snd-melspec.fish.

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
complete -c snd-melspec -f -a "(__snd_files $audio)"

# Output
complete -c snd-melspec -s o -l output -x -a "(__snd_files h5)" -d 'HDF5 feature file'
complete -c snd-melspec -s a -l append -d 'Add to an existing feature file'
complete -c snd-melspec -s j -l threads -x -d 'Threads computing files'
complete -c snd-melspec -l id -x -d 'Id of the clip read from stdin'

# Features
complete -c snd-melspec -s r -l rate -x -d 'Feature sample rate (Hz)'
complete -c snd-melspec -l n-fft -x -d 'FFT size'
complete -c snd-melspec -l win-length -x -d 'Window length'
complete -c snd-melspec -l hop-length -x -d 'Samples between frames'
complete -c snd-melspec -l window -x -d 'Window function' \
    -a 'hann\t"Hann" hamming\t"Hamming" blackman\t"Blackman" rect\t"Rectangle"'
complete -c snd-melspec -l center -d 'Frames centred on their time (default)'
complete -c snd-melspec -l no-center -d 'Frames start at their time'
complete -c snd-melspec -l power -x -d 'Exponent of the magnitude (2: power)'
complete -c snd-melspec -l n-mels -x -d 'Mel bands'
complete -c snd-melspec -l fmin -x -d 'Lowest band edge (Hz)'
complete -c snd-melspec -l fmax -x -d 'Highest band edge (Hz)'
complete -c snd-melspec -l mel-scale -x -d 'Mel scale' \
    -a 'slaney\t"Slaney, as librosa" htk\t"HTK"'
complete -c snd-melspec -l norm -x -d 'Filter normalisation' \
    -a 'slaney\t"Bands of equal area" none\t"Triangles of height 1"'
complete -c snd-melspec -l log -x -d 'Logarithm' \
    -a 'db\t"10 log10 of the power" ln\t"Natural log" none\t"No log"'
complete -c snd-melspec -l amin -x -d 'Floor before the log'
complete -c snd-melspec -l like -x -a "(__snd_files h5)" -d 'Feature parameters of a model or feature file'

# Pictures
complete -c snd-melspec -l png -x -a "(__snd_files png)" -d 'Spectrogram picture or template'
complete -c snd-melspec -l cmap -x -d 'Colour map' \
    -a 'viridis\t"Blue, green, yellow" magma\t"Black, purple, orange"'
complete -c snd-melspec -l png-range -x -d 'dB mapped onto the colour map (LO:HI)'
complete -c snd-melspec -l png-scale -x -d 'Pixels per frame and band'

# Input
complete -c snd-melspec -s c -l channels -x -d 'Channels of raw input'
complete -c snd-melspec -s e -l encoding -x -d 'Raw sample encoding' \
    -a 's16\t"16-bit signed" s32\t"32-bit signed" f32\t"32-bit float"'
complete -c snd-melspec -s q -l quiet -d 'No chatter on stderr'
complete -c snd-melspec -s h -l help -d 'Show help'
complete -c snd-melspec -l version -d 'Show the version'
