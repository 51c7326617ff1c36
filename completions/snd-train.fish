# snd-train(1) completion for fish; installed as share/fish/vendor_completions.d/snd-train.fish.

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

# Operands are features.
complete -c snd-train -f -a "(__snd_files h5)"

# Data
complete -c snd-train -s o -l output -x -a "(__snd_files h5)" -d 'The model to write'
complete -c snd-train -s l -l labels -x -a "(__snd_files tsv)" -d 'Labels: id, label, [start, end]'
complete -c snd-train -l multi-label -d 'Labels are comma-separated tags'
complete -c snd-train -l skip-unlabelled -d 'Leave out the clips the labels do not name'
complete -c snd-train -l val -x -a "(__snd_files h5)" -d 'Validation features, instead of a split'
complete -c snd-train -l val-split -x -d 'Share of the clips held out for validation (0.1)'
complete -c snd-train -l window -x -d 'Input window of the model (1s)'
complete -c snd-train -l standardise -x -d 'How the input is scaled' \
    -a 'global\t"Each band by the training set" window\t"Also less each window\'s own band means"'

# Network and training
complete -c snd-train -l arch -x -d 'The network, as a spec'
complete -c snd-train -l epochs -x -d 'Epochs to train (30, or more to make 2000 steps)'
complete -c snd-train -l steps -x -d 'Steps (batches) to train, in whole epochs'
complete -c snd-train -l batch -x -d 'Examples in a batch (32)'
complete -c snd-train -l lr -x -d 'Peak learning rate (0.001)'
complete -c snd-train -l optimizer -x -d 'Optimiser' \
    -a 'adam\t"Adam" adamw\t"AdamW, decoupled weight decay" sgd\t"SGD with momentum"'
complete -c snd-train -l weight-decay -x -d 'Weight decay of convolution and dense weights'
complete -c snd-train -l momentum -x -d 'Momentum of sgd (0.9)'
complete -c snd-train -l warmup -x -d 'Epochs of linear learning-rate warm-up (1)'
complete -c snd-train -l schedule -x -d 'Learning rate after the warm-up' \
    -a 'cosine\t"Cosine decay to 1% of the peak" constant\t"The peak throughout"'
complete -c snd-train -l ema -x -d 'Keep a moving average of the weights, of this decay'
complete -c snd-train -l patience -x -d 'Stop after N epochs without a better validation metric'
# --balance takes a mode only as --balance=MODE: a next word would be an operand.
complete -c snd-train -l balance -d 'Make up for rare classes (=weight or =sample)'
complete -c snd-train -n 'string match -q -- "--balance=*" (commandline -ct)' -f \
    -a '--balance=weight\t"Weight the loss of each class" --balance=sample\t"Draw each class about as often"'

# Augmentation
complete -c snd-train -l time-mask -x -d 'Widest time mask in frames (10; 0: none)'
complete -c snd-train -l freq-mask -x -d 'Widest frequency mask in mel bands (8; 0: none)'
complete -c snd-train -l masks -x -d 'Masks of each kind per training example (2)'
complete -c snd-train -l shift -x -d 'Farthest a training window lies from the centre'
complete -c snd-train -l stretch -x -d 'Random speed within 1 +- F (0.1; 0: none)'
complete -c snd-train -l pitch -x -d 'Random shift of up to +- B mel bands (1; 0: none)'
complete -c snd-train -l trim -x -d 'Cut ends quieter than DB to DB + 40 dB below the peak (0: none)'
complete -c snd-train -l pad -x -d 'Lay up to DUR of background noise before and after examples (0: none)'
complete -c snd-train -l mixup -x -d 'Mixup alpha (0.2; 0: none)'
complete -c snd-train -l gain -x -d 'Random level within +- DB decibels (0: none)'
complete -c snd-train -l eq -x -d 'Random smooth EQ of up to +- DB decibels (0: none)'
complete -c snd-train -l noise -x -d 'Noise DB to DB + 40 decibels below the peak (0: none)'
complete -c snd-train -l no-augment -d 'No masks, shift, stretch, pitch, trim, padding, mixup, gain, EQ or noise'

# Runs
complete -c snd-train -l init -x -a "(__snd_files h5)" -d 'Start from an existing model'
complete -c snd-train -l resume -d 'Go on with an interrupted run'
complete -c snd-train -l adapt -d 'Batch-norm statistics of the --init model from unlabelled features'
complete -c snd-train -l history -x -a "(__snd_files tsv)" -d 'Statistics of each epoch as TSV'
complete -c snd-train -l json -d 'A JSON summary on stdout at the end'
complete -c snd-train -l seed -x -d 'Seed of every random choice (1)'
complete -c snd-train -s j -l threads -x -d 'Threads (default: all cores)'
complete -c snd-train -s q -l quiet -d 'No epoch lines or summary on stderr'
complete -c snd-train -s h -l help -d 'Show help'
complete -c snd-train -l version -d 'Show the version'
