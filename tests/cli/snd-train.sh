# snd-train as a user runs it: real learning on FSDD, the model file through h5py,
# repeatability, resuming a killed run, starting from a model, and bad input.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
[ -x $py ] || py=python3
checker=$SND_TOP/tests/cli/model_check.py
tiny="conv 4, relu, maxpool 2, gap, dense"

# Two classes of synthetic sound: low and high tones, eight clips each, 0.3 to 0.6 s long.
(
    cd "$tmp" || exit 1
    make_tones
)

# tiny_train OUT [OPTIONS...]: a few quick epochs on the tones.
tiny_train() {
    out=$1
    shift
    snd-train -q -o "$out" -l tones.tsv --arch "$tiny" --window 0.5s --epochs 3 --batch 4 "$@" tones.h5
}

# tiny_train_bg OUT [OPTIONS...]: the same in the background, $! being snd-train itself
# (not a subshell around it), so that kill -9 $! kills the run.
tiny_train_bg() {
    out=$1
    shift
    snd-train -q -o "$out" -l tones.tsv --arch "$tiny" --window 0.5s --epochs 3 --batch 4 "$@" tones.h5 &
}

# same_params A B: two models hold the same tensors, bit for bit.
same_params() {
    $py - "$1" "$2" <<'EOF'
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
names = sorted(a["params"])
assert names == sorted(b["params"]), (names, sorted(b["params"]))
for n in names:
    assert np.array_equal(a["params"][n][()], b["params"][n][()]), n
EOF
}

test_help() {
    snd-train --help | grep -q '^usage: snd-train' && snd-train --version | grep -q '^snd-train [0-9]'
}
check "--help and --version" test_help

test_fsdd_learns() {
    ls "$fsdd"/*.flac | awk -F/ '{ split($NF, a, "_"); sub(/\.flac$/, "", a[3]);
        print > (a[3] + 0 < 5 ? "test.list" : "train.list") }'
    { printf 'id\tlabel\n'; sed 's|.*/\([0-9]\)_[^/]*$|&\t\1|' train.list test.list; } >digits.tsv
    # shellcheck disable=SC2046
    snd-melspec -q -o train.h5 $(cat train.list) && snd-melspec -q -o test.h5 $(cat test.list) &&
        snd-train -q -o digits.h5 -l digits.tsv --arch "block 16, block 32, block 64, gap, dense" \
            --window 0.6s --lr 0.005 --epochs 6 --no-augment --json train.h5 >summary.json &&
        acc=$($py "$checker" digits.h5 test.h5 digits.tsv) && echo "test accuracy $acc" &&
        awk -v a="$acc" 'BEGIN { exit !(a >= 0.6) }' &&
        $py -c "import json; s = json.load(open('summary.json')); assert s['val_metric'] > 0.5, s"
}
if [ -d "$fsdd" ]; then
    check "learns FSDD digits: official test split far above chance, read back by NumPy" test_fsdd_learns
else
    skip "learns FSDD digits" "no $fsdd"
fi

test_model_layout() {
    tiny_train m.h5 --history h.tsv --json >s.json &&
        $py - <<'EOF'
import json, h5py
m = h5py.File("m.h5", "r")
a = m.attrs
assert a["format"] == "snd-model" and a["version"] == 1 and a["task"] == "multiclass", dict(a)
assert a["arch"] == "conv 4 k3 s1 p1, relu, maxpool 2, gap, dense", a["arch"]
assert a["window_seconds"] == 0.5 and a["window_frames"] == 51 and a["n_mels"] == 64
assert a["sample_rate"] == 16000 and a["seed"] == 1 and a["created"].endswith("Z")
assert "snd-train" in a["command"] and 1 <= a["best_epoch"] <= 3
assert list(m["labels"].asstr()[()]) == ["high", "low"]
assert m["params/conv1.weight"].shape == (4, 1, 3, 3) and m["params/dense1.weight"].shape == (2, 4)
assert m["norm/mean"].shape == (64,) and (m["norm/std"][()] > 0).all()
assert list(m["history/epoch"][()]) == [1, 2, 3]
assert "checkpoint" not in m
s = json.load(open("s.json"))
assert s["classes"] == ["high", "low"] and s["epochs"] == 3 and len(s["confusion"]) == 2, s
EOF
    head -1 h.tsv | grep -q '^epoch	train_loss	train_metric	val_loss	val_metric	seconds	lr$' &&
        [ "$(wc -l <h.tsv)" -eq 4 ] && [ ! -e m.h5.ckpt ]
}
check "the model file through h5py: attributes, labels, tensors, history; --history, --json" test_model_layout

test_repeatable() {
    tiny_train r1.h5 -j 1 && tiny_train r2.h5 -j 2 && same_params r1.h5 r2.h5 &&
        tiny_train r3.h5 --seed 2 && ! same_params r1.h5 r3.h5 2>/dev/null
}
check "the same seed gives the same model with one thread or two; another seed another" test_repeatable

# The channel augmentations draw a level, an EQ curve and a noise floor for each example:
# each changes what is learnt, the same seed repeats it bit for bit with any threads, and
# --no-augment turns them off with the rest.
test_channel_augment() {
    tiny_train c0.h5 --no-augment &&
        for o in "--gain 10" "--eq 10" "--noise 30" "--pad 0.2s" "--noise 30 --pad 0.2s"; do
            tiny_train c1.h5 --no-augment $o -j 1 && tiny_train c2.h5 --no-augment $o -j 2 &&
                same_params c1.h5 c2.h5 && ! same_params c0.h5 c1.h5 2>/dev/null || return 1
        done &&
        tiny_train c3.h5 --gain 10 --eq 10 --noise 30 --trim 0.3 --pad 0.2s --no-augment &&
        same_params c0.h5 c3.h5
}
check "--gain, --eq, --noise, --pad: each changes the model, repeatably; --no-augment turns them off" test_channel_augment

# --pad with speed and pitch perturbed too (another path through the windows): repeatable
# with one thread or two, and not the model without it.
test_pad_warped() {
    tiny_train w0.h5 && tiny_train w1.h5 --pad 0.3s -j 1 && tiny_train w2.h5 --pad 0.3s -j 2 &&
        same_params w1.h5 w2.h5 && ! same_params w0.h5 w1.h5 2>/dev/null
}
check "--pad with --stretch and --pitch: changes the model, repeatably" test_pad_warped

# --trim cuts by level: steady tones have no quiet ends to lose (the same model as
# without it), tones faded in and out lose their faded ends (another model, the same
# with one thread or two); --no-augment turns it off.
test_trim() {
    mkdir -p faded && for f in low?.wav high?.wav; do
        sox "$f" "faded/$f" fade q 0.1 0 0.1 || return 1
    done &&
        (cd faded && snd-melspec -q -o ../faded.h5 low?.wav high?.wav) &&
        tiny_train t0.h5 --no-augment && tiny_train t1.h5 --no-augment --trim 10 &&
        same_params t0.h5 t1.h5 &&
        snd-train -q -o f0.h5 -l tones.tsv --arch "$tiny" --window 0.5s --epochs 3 --batch 4 \
            --no-augment faded.h5 &&
        for j in 1 2; do
            snd-train -q -o "f$j.h5" -l tones.tsv --arch "$tiny" --window 0.5s --epochs 3 \
                --batch 4 --no-augment --trim 10 -j $j faded.h5 || return 1
        done &&
        same_params f1.h5 f2.h5 && ! same_params f0.h5 f1.h5 2>/dev/null &&
        snd-train -q -o f3.h5 -l tones.tsv --arch "$tiny" --window 0.5s --epochs 3 --batch 4 \
            --trim 10 --no-augment faded.h5 && same_params f0.h5 f3.h5
}
check "--trim cuts quiet ends off the examples, and only those; repeatable; --no-augment turns it off" test_trim

# wait_ckpt FILE EPOCH: wait until the checkpoint FILE holds (0-based) EPOCH.
wait_ckpt() {
    for _ in $(seq 300); do
        $py -c "import h5py, sys; sys.exit(int(h5py.File('$1', 'r')['checkpoint'].attrs['epoch'] != $2))" \
            2>/dev/null && return 0
        sleep 0.1
    done
    echo "no checkpoint of epoch $2 in $1"
    return 1
}

# The history goes in place into a FIFO, after each epoch's checkpoint: reading it once
# lets the run finish epoch 1, and it then waits on the FIFO after checkpointing epoch 2,
# where it is killed.
# resume_same NAME [OPTIONS...]: train 4 epochs at once, and again killed after the
# second and resumed; the two models must be the same to the bit.
resume_same() {
    n=$1
    shift
    tiny_train "$n-full.h5" --epochs 4 "$@" &&
        mkfifo "$n.fifo" &&
        tiny_train_bg "$n-cut.h5" --epochs 4 --history "$n.fifo" "$@" &&
        pid=$! && cat "$n.fifo" >/dev/null && wait_ckpt "$n-cut.h5.ckpt" 1 &&
        kill -9 $pid && { wait $pid 2>/dev/null; true; } && [ ! -e "$n-cut.h5" ] &&
        [ -z "$(ls -A | grep "^\.$n-cut")" ] &&
        snd-train -o "$n-cut.h5" -l tones.tsv --arch "$tiny" --window 0.5s --epochs 4 --batch 4 \
            --resume "$@" tones.h5 2>"$n.log" &&
        grep -q "resuming from $n-cut.h5.ckpt after epoch 2" "$n.log" &&
        same_params "$n-full.h5" "$n-cut.h5" && [ ! -e "$n-cut.h5.ckpt" ] &&
        $py -c "import h5py; assert list(h5py.File('$n-cut.h5')['history/epoch'][()]) == [1, 2, 3, 4]"
}

test_resume() {
    resume_same plain
}
check "--resume after kill -9 (no temporary left) continues from the checkpoint to the same model" test_resume

# --ema (on by default) validates and keeps a moving average of the weights: another
# model than with it off, the same with any threads, and resumed from a checkpoint to
# the bit.
test_ema() {
    tiny_train e0.h5 --ema 0 && tiny_train e1.h5 --ema 0.9 -j 1 && tiny_train e2.h5 --ema 0.9 -j 2 &&
        same_params e1.h5 e2.h5 && ! same_params e0.h5 e1.h5 2>/dev/null &&
        resume_same ema --ema 0.9
}
check "--ema: a moving average of the weights, repeatable, resumed to the bit; 0 is off" test_ema

test_resume_other_options() {
    mkfifo h2.fifo &&
        tiny_train_bg o.h5 --epochs 4 --history h2.fifo &&
        pid=$! && wait_ckpt o.h5.ckpt 0 && kill -9 $pid && { wait $pid 2>/dev/null; true; } &&
        expect_error 1 "o.h5.ckpt: made by a run with other data or options" \
            tiny_train o.h5 --epochs 4 --lr 0.1 --resume
}
check "--resume refuses a checkpoint of other options" test_resume_other_options

test_init() {
    tiny_train base.h5 &&
        tiny_train tuned.h5 --init base.h5 &&
        sed 's/\tlow$/\tquiet/' tones.tsv >renamed.tsv &&
        snd-train -o new.h5 -l renamed.tsv --window 0.5s --epochs 1 --batch 4 --init base.h5 \
            tones.h5 2>log &&
        grep -q 'base.h5 has other labels: keeping its body, with a new head for 2 classes' log &&
        $py - <<'EOF'
import h5py, numpy as np
b, t, n = (h5py.File(p, "r") for p in ("base.h5", "tuned.h5", "new.h5"))
assert list(n["labels"].asstr()[()]) == ["high", "quiet"]
assert n.attrs["arch"] == b.attrs["arch"]
assert np.array_equal(b["norm/mean"][()], n["norm/mean"][()])
assert not np.array_equal(b["params/conv1.weight"][()], t["params/conv1.weight"][()])
EOF
}
check "--init fine-tunes a model, or keeps its body under new labels" test_init

# --adapt measures a model's batch-norm statistics again on unlabelled features: here the
# tones 20 dB quieter. The running mean and variance of the first batch normalisation must
# be those of its input over every window snd-classify would cut (one batch of them, so
# exactly the batch's), computed again by NumPy; every other tensor stays as it was.
adapt_check() {
    $py - "$@" <<'EOF2'
import sys, h5py, numpy as np
model, adapted, feats = (h5py.File(p, "r") for p in sys.argv[1:4])
W = int(model.attrs["window_frames"])
mean, std = model["norm/mean"][()], model["norm/std"][()]
mel, off = feats["mel"][()], feats["offsets"][()]
wins = []
for i in range(len(off) - 1):
    clip = (mel[off[i]:off[i + 1]] - mean) / std
    n = len(clip)
    x = np.zeros((W, clip.shape[1]))
    if n < W:  # centred, as snd-classify places a short clip
        x[(W - n) // 2:(W - n) // 2 + n] = clip
        wins.append(x)
        continue
    starts = list(range(0, n - W + 1, W // 2))
    if starts[-1] + W < n:
        starts.append(n - W)
    wins += [clip[s:s + W] for s in starts]
x = np.pad(np.array(wins), ((0, 0), (1, 1), (1, 1)))
w = model["params/conv1.weight"][()][:, 0]
y = sum(w[:, None, None, None, i, j] * x[None, :, i:i + W, j:j + x.shape[2] - 2]
        for i in range(3) for j in range(3))
y = y.reshape(len(w), -1)
got_m, got_v = adapted["params/bn1.running_mean"][()], adapted["params/bn1.running_var"][()]
assert np.allclose(got_m, y.mean(axis=1), rtol=1e-4, atol=1e-4), (got_m, y.mean(axis=1))
assert np.allclose(got_v, y.var(axis=1, ddof=1), rtol=1e-4), (got_v, y.var(axis=1, ddof=1))
assert not np.allclose(model["params/bn1.running_mean"][()], got_m)
for n in model["params"]:
    if "running" not in n:
        assert np.array_equal(model["params"][n][()], adapted["params"][n][()]), n
assert adapted.attrs["arch"] == model.attrs["arch"]
assert np.array_equal(adapted["norm/mean"][()], mean)
EOF2
}

test_adapt() {
    cp tones.h5 quiet.h5 &&
        $py -c "import h5py; f = h5py.File('quiet.h5', 'r+'); f['mel'][...] = f['mel'][()] - 20" &&
        for arch in "block 4, gap, dense" "conv 4, bn, relu, maxpool 2, gap, dense"; do
            snd-train -q -o bn.h5 -l tones.tsv --arch "$arch" --window 0.5s --epochs 2 --batch 4 \
                tones.h5 &&
                snd-train --adapt --init bn.h5 -o adapted.h5 quiet.h5 2>log &&
                grep -q 'adapted.h5 adapted on [0-9]* windows of 16 clips' log &&
                adapt_check bn.h5 adapted.h5 quiet.h5 &&
                snd-classify -m adapted.h5 quiet.h5 >/dev/null || return 1
        done &&
        snd-train -q --adapt --init bn.h5 -o piped.h5 - <quiet.h5 &&
        same_params adapted.h5 piped.h5
}
check "--adapt: batch-norm statistics of unlabelled features, as NumPy computes them; weights kept" test_adapt

test_adapt_bad_input() {
    snd-melspec -q --n-mels 40 -o forty.h5 low0.wav &&
        expect_error 1 "n_mels" snd-train --adapt --init bn.h5 -o x.h5 forty.h5 &&
        head -c 3000 quiet.h5 >cut.h5 &&
        expect_error 1 "cut.h5" snd-train --adapt --init bn.h5 -o x.h5 cut.h5 &&
        expect_error 1 "tones.h5: not an snd model" snd-train --adapt --init tones.h5 -o x.h5 quiet.h5 &&
        tiny_train plain.h5 &&
        expect_error 1 "plain.h5: no batch normalisation in its network, nothing to adapt" \
            snd-train --adapt --init plain.h5 -o x.h5 quiet.h5 &&
        expect_error 2 "--adapt needs --init MODEL.h5" snd-train --adapt -o x.h5 quiet.h5 &&
        expect_error 2 "--adapt takes no labels" snd-train --adapt --init bn.h5 -l tones.tsv -o x.h5 quiet.h5 &&
        [ ! -e x.h5 ]
}
check "--adapt refuses other features, a truncated file, a foreign model, one without batch norm, labels: one line, no file" test_adapt_bad_input

test_like() {
    tiny_train like.h5 && snd-melspec -q --like like.h5 -o l.h5 low0.wav
}
check "snd-melspec --like takes a model's feature parameters" test_like

test_multi_label() {
    {
        printf 'id\tlabel\n'
        for i in 0 1 2 3 4 5 6 7; do printf 'low%d.wav\ttone,low\nhigh%d.wav\ttone,high\n' $i $i; done
    } >multi.tsv &&
        snd-train -q -o ml.h5 -l multi.tsv --multi-label --arch "$tiny" --window 0.5s --epochs 2 \
            --batch 4 --balance tones.h5 &&
        $py -c "import h5py; m = h5py.File('ml.h5'); assert m.attrs['task'] == 'multilabel'; assert list(m['labels'].asstr()[()]) == ['high', 'low', 'tone']"
}
check "--multi-label trains sigmoid outputs over comma-separated tags" test_multi_label

test_val_file_and_stream() {
    snd-melspec -q -o fit.h5 low[0-5].wav high[0-5].wav && snd-melspec -q -o held.h5 low[67].wav high[67].wav &&
        snd-train -o v1.h5 -l tones.tsv --arch "$tiny" --window 0.5s --epochs 1 --batch 4 \
            --val held.h5 fit.h5 2>log && grep -q '12 training and 4 validation examples' log &&
        snd-melspec -q low?.wav high?.wav |
        snd-train -o v2.h5 -l tones.tsv --arch "$tiny" --window 0.5s --epochs 1 --batch 4 \
            --val-split 0.1 2>log &&
        grep -q '14 training and 2 validation examples' log && [ -s v2.h5 ]
}
check "--val takes validation features from a file; features also come as a frame stream on stdin" test_val_file_and_stream

test_optimisers_and_balance() {
    for o in "--optimizer sgd --lr 0.05" "--optimizer adamw --weight-decay 0.05" \
        "--balance=sample" "--balance" "--schedule constant --warmup 0"; do
        # shellcheck disable=SC2086
        tiny_train opt.h5 $o || { echo "failed: $o"; return 1; }
    done
}
check "SGD, AdamW, balanced sampling and weights, a constant schedule" test_optimisers_and_balance

test_default_choices() {
    # Eight clips a class spare none for validation; 0.3-0.6 s clips make a 1 s window;
    # --steps 40 of batch 4 over 16 clips is ten epochs; eight examples a class are too
    # few for masks, unless asked.
    snd-train -o d.h5 -l tones.tsv --arch "$tiny" --batch 4 --steps 40 tones.h5 2>log &&
        grep -q 'window 1 s, from the training clips' log &&
        grep -q 'no time or frequency masks: the median class has 8 training examples' log &&
        snd-train -o d.h5 -l tones.tsv --arch "$tiny" --batch 4 --steps 4 --masks 1 tones.h5 2>log2 &&
        ! grep -q 'masks' log2 &&
        snd-train -o d.h5 -l tones.tsv --arch "$tiny" --batch 4 --steps 40 tones.h5 2>log &&
        grep -q 'no validation split' log && grep -q '16 training and 0 validation examples' log &&
        $py -c "import h5py; m = h5py.File('d.h5'); assert len(m['history/epoch']) == 10, m['history/epoch'][()]; assert abs(m.attrs['window_seconds'] - 1) < 1e-9, m.attrs['window_seconds']" &&
        # Longer clips, a longer window: 2.2 s clips, 2 s. Nine clips of a class spare one
        # (10% of them, and eight are left), five spare none.
        printf 'id\tlabel\n' >long.tsv && i=0 &&
        while [ $i -lt 10 ]; do
            sox -n -r 16000 -b 16 long$i.wav synth 2.2 sine $((300 + 50 * i)) vol 0.5 2>/dev/null &&
                printf 'long%d.wav\t%s\n' $i "$([ $i -lt 5 ] && echo a || echo b)" >>long.tsv &&
                i=$((i + 1)) || return 1
        done &&
        sox -n -r 16000 -b 16 long10.wav synth 2.2 sine 900 vol 0.5 2>/dev/null &&
        sox -n -r 16000 -b 16 long11.wav synth 2.2 sine 950 vol 0.5 2>/dev/null &&
        sox -n -r 16000 -b 16 long12.wav synth 2.2 sine 970 vol 0.5 2>/dev/null &&
        sox -n -r 16000 -b 16 long13.wav synth 2.2 sine 990 vol 0.5 2>/dev/null &&
        printf 'long10.wav\tb\nlong11.wav\tb\nlong12.wav\tb\nlong13.wav\tb\n' >>long.tsv &&
        snd-melspec -q -o long.h5 long*.wav &&
        snd-train -o l.h5 -l long.tsv --arch "$tiny" --batch 4 --steps 4 long.h5 2>log &&
        grep -q 'window 2 s' log && grep -q '1 clip held out for validation' log &&
        grep -q '13 training and 1 validation examples' log &&
        # --epochs says how long, and --steps and --epochs together are refused
        snd-train -q -o e.h5 -l tones.tsv --arch "$tiny" --batch 4 --epochs 2 tones.h5 &&
        $py -c "import h5py; assert len(h5py.File('e.h5')['history/epoch']) == 2" &&
        expect_error 2 "--steps and --epochs" snd-train -o x.h5 -l tones.tsv --steps 5 --epochs 2 tones.h5 &&
        expect_error 2 "--steps" snd-train -o x.h5 -l tones.tsv --steps 0 tones.h5
}
check "defaults from the data: the window, validation only from classes with clips to spare, steps, masks" test_default_choices

test_val_covers_clip() {
    # Validation judges a clip by all its windows, as snd-classify --aggregate mean does:
    # the validation accuracy in the history equals snd-classify's on the same clips.
    snd-melspec -q -o vfit.h5 long[0-35-8].wav long1[0-2].wav && snd-melspec -q -o vheld.h5 long4.wav long9.wav long13.wav &&
        snd-train -q -o vc.h5 -l long.tsv --arch "$tiny" --window 0.5s --batch 4 --epochs 3 \
            --no-augment --ema 0 --val vheld.h5 --history vc.tsv vfit.h5 &&
        want=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            $c["val_metric"] > m { m = $c["val_metric"] } END { print m }' vc.tsv) &&
        got=$(snd-classify -m vc.h5 --aggregate mean --probs vheld.h5 |
            snd-eval --truth long.tsv --allow-missing --tsv | awk -F'\t' '$1 == "accuracy" { print $3 }') &&
        awk -v a="$want" -v b="$got" 'BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }' ||
        { echo "history $want, snd-classify $got"; return 1; }
}
check "validation scores a clip by the mean over windows covering it" test_val_covers_clip

test_spans() {
    {
        printf 'id\tlabel\tstart\tend\n'
        for i in 0 1 2 3 4 5 6 7; do printf 'low%d.wav\tlow\t0\t0.2\nhigh%d.wav\thigh\t0.1\t0.3\n' $i $i; done
    } >spans.tsv &&
        snd-train -o sp.h5 -l spans.tsv --arch "$tiny" --window 0.2s --epochs 1 --batch 4 \
            --val-split 0.1 tones.h5 2>log &&
        grep -q '14 training and 2 validation examples' log
}
check "start and end columns label spans of clips" test_spans

test_spans_bad() {
    printf 'id\tlabel\tstart\tend\nlow0.wav\tlow\t-0.1\t0.2\n' >neg.tsv &&
        expect_error 1 'neg.tsv:2: column start: -0.1 is negative' snd-train -o n.h5 -l neg.tsv tones.h5 &&
        printf 'id\tlabel\tstart\tend\nlow0.wav\tlow\t0.2\t0.2\n' >empty.tsv &&
        expect_error 1 'empty.tsv:2: span 0.2..0.2 is empty' snd-train -o n.h5 -l empty.tsv tones.h5 &&
        [ ! -e n.h5 ]
}
check "spans starting before 0 or empty refused, no model written" test_spans_bad

test_unlabelled() {
    grep -v '^low7' tones.tsv >missing.tsv &&
        expect_error 1 "tones.h5: clip low7.wav has no label in the labels" \
            snd-train -o u.h5 -l missing.tsv tones.h5 && [ ! -e u.h5 ] &&
        snd-train -o u.h5 -l missing.tsv --skip-unlabelled --arch "$tiny" --window 0.5s \
            --epochs 1 tones.h5 2>log &&
        grep -q 'skipped 1 unlabelled clips' log
}
check "an unlabelled clip is an error, or skipped when asked" test_unlabelled

test_bad_input() {
    printf 'id\tlabel\nlow0.wav\n' >ragged.tsv &&
        expect_error 1 "ragged.tsv:2" snd-train -o b.h5 -l ragged.tsv tones.h5 &&
        head -c 3000 tones.h5 >cut.h5 &&
        expect_error 1 "cut.h5" snd-train -o b.h5 -l tones.tsv cut.h5 &&
        expect_error 1 "tones.h5: not an snd model" snd-train -o b.h5 -l tones.tsv --init tones.h5 tones.h5 &&
        tiny_train v.h5 &&
        $py -c "import h5py; h5py.File('v.h5', 'r+').attrs['version'] = 7" &&
        expect_error 1 "v.h5: model format version 7 is newer than this snd reads (2)" \
            snd-train -o b.h5 -l tones.tsv --init v.h5 tones.h5 &&
        $py -c "import h5py; f = h5py.File('v.h5', 'r+'); f.attrs['version'] = 2; f.attrs['standardise'] = 'clip'" &&
        expect_error 1 "v.h5: unknown standardise \"clip\"" snd-train -o b.h5 -l tones.tsv --init v.h5 tones.h5 &&
        expect_error 1 "network spec: unknown layer \"lstm\"" snd-train -o b.h5 -l tones.tsv --arch "lstm 4, dense" tones.h5 &&
        expect_error 1 "leaves nothing" snd-train -o b.h5 -l tones.tsv --window 0.1s tones.h5 &&
        [ ! -e b.h5 ] && [ ! -e b.h5.ckpt ]
}
check "bad labels, truncated features, a foreign or newer model, a bad network: one line, no file" test_bad_input

# Log features are held as halves while training; other features as floats, and a log
# level no half can hold is refused.
test_feature_storage() {
    snd-melspec -q --log none -o power.h5 low?.wav high?.wav &&
        snd-train -q -o power.m.h5 -l tones.tsv --arch "$tiny" --window 0.5s --epochs 2 power.h5 &&
        cp tones.h5 loud.h5 &&
        $py -c "import h5py; f = h5py.File('loud.h5', 'r+'); f['mel'][3, 2] = 1e6" &&
        expect_error 1 "loud.h5: clip low0.wav has log features beyond +-65504" \
            snd-train -o loud.m.h5 -l tones.tsv loud.h5 && [ ! -e loud.m.h5 ]
}
check "log features held as halves, powers as floats; a level beyond a half's range is refused" test_feature_storage

test_usage() {
    expect_error 2 "-o MODEL.h5 is required" snd-train -l tones.tsv tones.h5 &&
        expect_error 2 "-l LABELS.tsv is required" snd-train -o x.h5 tones.h5 &&
        expect_error 2 "--optimizer: expected adam, adamw or sgd" snd-train -o x.h5 -l t --optimizer rmsprop &&
        expect_error 2 "--balance: expected weight or sample" snd-train -o x.h5 -l t --balance=often &&
        expect_error 2 "--standardise: expected global or window" snd-train -o x.h5 -l t --standardise clip &&
        expect_error 2 "--balance=sample needs one class per clip" snd-train -o x.h5 -l t --multi-label --balance=sample &&
        expect_error 2 "--batch" snd-train -o x.h5 -l t --batch 0 &&
        expect_error 2 "--val-split" snd-train -o x.h5 -l t --val-split 1.5 &&
        expect_error 2 "--trim" snd-train -o x.h5 -l t --trim -3 &&
        expect_error 2 "--pad" snd-train -o x.h5 -l t --pad -1s &&
        expect_error 2 "--pad" snd-train -o x.h5 -l t --pad 2h &&
        expect_error 2 "unknown option --bogus" snd-train --bogus
}
check "bad usage: one line, exit 2" test_usage
