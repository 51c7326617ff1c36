"""The PyTorch side of bench/classify: an snd model file rebuilt as a torch.nn network
(the same weights), fed by torchaudio's features, as a Python user would deploy it.

usage: torch_classify.py startup MODEL.h5 CLIP        one clip's label, then exit
       torch_classify.py latency MODEL.h5 REPS        median ms of one window's forward pass
       torch_classify.py batch MODEL.h5 OUT.tsv FILE...  every file's mean probabilities
       torch_classify.py agree MODEL.h5 FEATURES.h5 OUT.tsv  the same from snd's features
"""
import sys
import time

import h5py
import numpy as np
import torch
import torchaudio


def build(path):
    """The network, the standardisation and the feature transform of an snd model."""
    f = h5py.File(path, "r")
    a = f.attrs
    params = {k: torch.from_numpy(f["params"][k][()]) for k in f["params"]}
    layers, counts, c = [], {}, 1

    def take(kind):
        counts[kind] = counts.get(kind, 0) + 1
        return f"{kind}{counts[kind]}"

    for item in a["arch"].split(","):
        w = item.split()
        if w[0] == "block":
            conv, bn = torch.nn.Conv2d(c, int(w[1]), 3, padding=1, bias=False), torch.nn.BatchNorm2d(int(w[1]))
            conv.weight.data = params[take("conv") + ".weight"]
            n = take("bn")
            bn.weight.data, bn.bias.data = params[n + ".weight"], params[n + ".bias"]
            bn.running_mean.data, bn.running_var.data = params[n + ".running_mean"], params[n + ".running_var"]
            layers += [conv, bn, torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
            take("relu"), take("maxpool")
            c = int(w[1])
        elif w[0] == "gap":
            layers += [torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten()]
        elif w[0] == "dropout":
            layers.append(torch.nn.Dropout(float(w[1])))
        elif w[0] == "dense":
            n = take("dense")
            wt = params[n + ".weight"]
            d = torch.nn.Linear(wt.shape[1], wt.shape[0])
            d.weight.data, d.bias.data = wt, params[n + ".bias"]
            layers.append(d)
        else:
            raise SystemExit(f"{path}: layer {w[0]} is not rebuilt here")
    net = torch.nn.Sequential(*layers).eval()
    mel = torchaudio.transforms.MelSpectrogram(
        sample_rate=int(a["sample_rate"]), n_fft=int(a["n_fft"]), win_length=int(a["win_length"]),
        hop_length=int(a["hop_length"]), f_min=float(a["f_min"]), f_max=float(a["f_max"]),
        n_mels=int(a["n_mels"]), power=float(a["power"]), center=bool(a["center"]),
        norm="slaney", mel_scale="slaney")
    db = torchaudio.transforms.AmplitudeToDB(stype="power", top_db=None)
    labels = [s.decode() for s in f["labels"][()]]
    mean, std = torch.from_numpy(f["norm/mean"][()]), torch.from_numpy(f["norm/std"][()])
    return net, lambda x: db(mel(x)), labels, mean, std, int(a["window_frames"]), int(a["sample_rate"])


def windows(frames, width):
    """snd-classify's windows: every half window, one more flush with the end, a short clip
    centred in zeros."""
    n = frames.shape[0]
    if n < width:
        out = torch.zeros(1, width, frames.shape[1])
        pad = (width - n) // 2
        out[0, pad:pad + n] = frames
        return out
    hop = width // 2
    starts = list(range(0, n - width + 1, hop))
    if starts[-1] + width < n:
        starts.append(n - width)
    return torch.stack([frames[s:s + width] for s in starts])


def clip_windows(path, model):
    net, feats, labels, mean, std, width, rate = model
    x, sr = torchaudio.load(path)
    x = torchaudio.functional.resample(x.mean(0), sr, rate) if sr != rate else x.mean(0)
    frames = (feats(x).T - mean) / std
    return windows(frames, width)


def write_clip_rows(out, net, labels, clips):
    """Each clip's label and mean probability over its windows, in one pass."""
    x = torch.cat([w for _, w in clips])[:, None]
    p = torch.softmax(net(x), 1)
    k = 0
    for name, w in clips:
        q = p[k:k + len(w)].mean(0)
        k += len(w)
        out.write(f"{name}\t{labels[int(q.argmax())]}\t{float(q.max()):.6f}\n")


def main():
    torch.set_num_threads(2)
    mode, path = sys.argv[1], sys.argv[2]
    model = build(path)
    net, labels = model[0], model[2]
    with torch.no_grad():
        if mode == "startup":
            p = torch.softmax(net(clip_windows(sys.argv[3], model)[:, None]), 1).mean(0)
            print(labels[int(p.argmax())], f"{float(p.max()):.6f}")
        elif mode == "latency":
            x = torch.randn(1, 1, model[5], len(model[3]))
            for _ in range(20):
                net(x)
            times = []
            for _ in range(int(sys.argv[3])):
                t = time.perf_counter()
                net(x)
                times.append(time.perf_counter() - t)
            print(f"{1000 * float(np.median(times)):.3f}")
        elif mode == "batch":
            out, pending = open(sys.argv[3], "w"), []
            out.write("id\tlabel\tprob\n")
            for f in sys.argv[4:]:
                pending.append((f, clip_windows(f, model)))
                if sum(len(w) for _, w in pending) >= 16:
                    write_clip_rows(out, net, labels, pending)
                    pending.clear()
            if pending:
                write_clip_rows(out, net, labels, pending)
        elif mode == "agree":
            mean, std, width = model[3], model[4], model[5]
            with h5py.File(sys.argv[3], "r") as f, open(sys.argv[4], "w") as out:
                out.write("id\tlabel\tprob\n")
                o, ids = f["offsets"][()], [s.decode() for s in f["id"][()]]
                for k, name in enumerate(ids):
                    frames = (torch.from_numpy(f["mel"][o[k]:o[k + 1]]) - mean) / std
                    write_clip_rows(out, net, labels, [(name, windows(frames, width))])


main()
