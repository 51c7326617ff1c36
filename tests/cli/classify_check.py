"""Check snd-classify's window rows against an independent NumPy reading of the model:
for every row of PREDICTIONS.tsv (written with --probs), cut the same window from the
feature file, standardise it (less its own band means too, when the model says
standardise = "window"), run model_check.py's forward pass and compare every p:
column. Prints the worst difference and fails above TOL.

usage: classify_check.py MODEL.h5 FEATURES.h5 PREDICTIONS.tsv [TOL]
"""
import csv
import sys

import h5py
import numpy as np

from model_check import centre_window, forward


def main():
    model_path, feat_path, pred_path = sys.argv[1:4]
    tol = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-4
    with h5py.File(model_path, "r") as model, h5py.File(feat_path, "r") as feats:
        labels = [s.decode() for s in model["labels"][()]]
        multilabel = model.attrs["task"] == "multilabel"
        mean, std = model["norm/mean"][()], model["norm/std"][()]
        width = int(model.attrs["window_frames"])
        centre = model.attrs.get("standardise", "global") == "window"
        frame_sec = model.attrs["hop_length"] / model.attrs["sample_rate"]
        offsets = feats["offsets"][()]
        ids = [s.decode() for s in feats["id"][()]]
        clips = {i: (feats["mel"][offsets[k]:offsets[k + 1]] - mean) / std for k, i in enumerate(ids)}
        rows = list(csv.DictReader(open(pred_path, newline=""), delimiter="\t"))
        assert rows, "no rows"
        windows, want = [], []
        for r in rows:
            frames = clips[r["id"]]
            first = round(float(r["start"]) / frame_sec)
            if len(frames) < width:
                assert first == 0, r
                windows.append(centre_window(frames, width, centre))
            else:
                assert first + width <= len(frames), (r, len(frames))
                windows.append(centre_window(frames[first:first + width], width, centre))
            want.append([float(r["p:" + c]) for c in labels])
        z = forward(model, np.stack(windows)[:, None, :, :])
    if multilabel:
        p = 1 / (1 + np.exp(-z))
    else:
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
    worst = float(np.abs(p - np.array(want)).max())
    print(f"{len(rows)} windows, worst difference {worst:.2e}")
    assert worst <= tol, worst
    labels_out = [labels[int(k)] for k in p.argmax(axis=1)]
    if not multilabel:
        assert [r["label"] for r in rows] == labels_out


main()
