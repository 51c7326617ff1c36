"""Read an snd model with h5py and classify the clips of a feature file with NumPy alone:
an independent reading of the model file (layout, standardisation, window, network spec)
that prints the accuracy against a labels table.

usage: model_check.py MODEL.h5 FEATURES.h5 LABELS.tsv
"""
import csv
import sys

import h5py
import numpy as np


def conv(x, w, stride, pad, bias):
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = (h + 2 * pad - k) // stride + 1, (wd + 2 * pad - k) // stride + 1
    y = np.zeros((n, o, ho, wo), dtype=np.float64)
    for i in range(k):
        for j in range(k):
            patch = xp[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride]
            y += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    if bias is not None:
        y += bias[None, :, None, None]
    return y


def forward(model, x):
    p = model["params"]
    counts = {}

    def name(kind, what):
        return f"{kind}{counts[kind]}.{what}"

    for item in model.attrs["arch"].split(","):
        words = item.split()
        kind = words[0]
        steps = ["conv", "bn", "relu", "maxpool"] if kind == "block" else [kind]
        for step in steps:
            counts[step] = counts.get(step, 0) + 1
            if step == "conv":
                opts = {w[0]: int(w[1:]) for w in words[2:] if w != "bias"} if kind == "conv" else {}
                k = opts.get("k", 3)
                b = p[name("conv", "bias")][()] if "bias" in words else None
                x = conv(x, p[name("conv", "weight")][()], opts.get("s", 1), opts.get("p", k // 2), b)
            elif step == "bn":
                g, b = p[name("bn", "weight")][()], p[name("bn", "bias")][()]
                m, v = p[name("bn", "running_mean")][()], p[name("bn", "running_var")][()]
                x = (x - m[None, :, None, None]) / np.sqrt(v[None, :, None, None] + 1e-5)
                x = x * g[None, :, None, None] + b[None, :, None, None]
            elif step == "relu":
                x = np.maximum(x, 0)
            elif step == "maxpool":
                k = int(words[1]) if kind == "maxpool" and len(words) > 1 else 2
                n, c, h, w = x.shape
                x = x[:, :, :h // k * k, :w // k * k].reshape(n, c, h // k, k, w // k, k).max(axis=(3, 5))
            elif step == "gap":
                x = x.mean(axis=(2, 3))[:, :, None, None]
            elif step == "dense":
                x = x.reshape(x.shape[0], -1) @ p[name("dense", "weight")][()].T + p[name("dense", "bias")][()]
    return x


def centre_window(frames, width, centre=False):
    """As snd-train validates: the centre of a longer clip, a shorter one centred, zeros
    (the standardised mean) around it; C's division truncates toward zero. With centre
    (standardise = "window"), the frames the window holds lose their per-band mean."""
    slack = len(frames) - width
    off = int(slack / 2)
    out = np.zeros((width, frames.shape[1]))
    held = [w for w in range(width) if 0 <= off + w < len(frames)]
    for w in held:
        out[w] = frames[off + w]
    if centre:
        out[held] -= out[held].mean(axis=0)
    return out


def main():
    model_path, feat_path, labels_path = sys.argv[1:4]
    truth = {}
    with open(labels_path, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            truth[row["id"]] = row["label"]
    with h5py.File(model_path, "r") as model, h5py.File(feat_path, "r") as feats:
        assert model.attrs["format"] == "snd-model"
        labels = [s.decode() if isinstance(s, bytes) else s for s in model["labels"][()]]
        mean, std = model["norm/mean"][()], model["norm/std"][()]
        width = int(model.attrs["window_frames"])
        mel, offsets = feats["mel"], feats["offsets"][()]
        ids = [s.decode() if isinstance(s, bytes) else s for s in feats["id"][()]]
        centre = model.attrs.get("standardise", "global") == "window"
        batch = np.stack([centre_window((mel[offsets[i]:offsets[i + 1]] - mean) / std, width,
                                        centre) for i in range(len(ids))])
        logits = forward(model, batch[:, None, :, :])
    hits = sum(labels[int(np.argmax(z))] == truth[i] for z, i in zip(logits, ids))
    print(f"{hits / len(ids):.4f}")


if __name__ == "__main__":
    main()
