"""bench/fewshot: the plain PyTorch loop a user would write for a few-shot set.

    torch_fewshot.py [--epochs 40] [--window 3] [--threads 2] [--seed 1] \
        FEATURES.h5 LABELS.tsv FOLDS.tsv

The recipe that issue 23 measured snd-train against, on snd-melspec's features of every
clip (the same file snd-train reads), for each fold of FOLDS.tsv (id, fold):

- the fold's clips are the test set, every other clip trains (no validation split);
- standardisation: per mel band, mean and (population) standard deviation over every
  frame of the training clips;
- windows of WINDOW seconds (1 + round(WINDOW rate) / hop frames, as snd-train counts
  them): each training example a random crop of its clip, new every epoch, or a shorter
  clip at a random place in the window, zeros (the mean) around it;
- snd-train's default network (bench/train/torch_train.py), its initialisation;
- Adam at 1e-3, constant, batch 32, EPOCHS epochs, no augmentation, no moving average,
  the last epoch's weights kept;
- a test clip's prediction: the softmax averaged over windows of WINDOW seconds every
  WINDOW / 2 seconds from its start, and one more ending at its end when they leave the
  end uncovered (a shorter clip: one window, centred), as snd-classify --aggregate mean
  lays them.

Per fold, `fold K accuracy X seconds S` on stdout (S: training time), then the mean.
"""
import argparse
import csv
import os
import sys
import time

import h5py
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
from torch_train import network, read_features, read_labels  # noqa: E402


def read_folds(path):
    with open(path, newline="") as f:
        return {row["id"]: int(row["fold"]) for row in csv.DictReader(f, delimiter="\t")}


def crop(clip, offset, W):
    """W frames of clip from frame offset (negative: the clip starts inside), zeros around."""
    out = np.zeros((W, clip.shape[1]), dtype=np.float32)
    lo, hi = max(offset, 0), min(offset + W, len(clip))
    if hi > lo:
        out[lo - offset:hi - offset] = clip[lo:hi]
    return out


def random_offset(n, W, rng):
    slack = n - W
    return int(rng.integers(min(slack, 0), max(slack, 0) + 1))


def test_offsets(n, W):
    """Window starts covering a clip of n frames, as snd-classify lays them."""
    if n <= W:
        return [int((n - W) / 2)]
    hop = max(W // 2, 1)
    starts = list(range(0, n - W + 1, hop))
    if starts[-1] + W < n:
        starts.append(n - W)
    return starts


def predict(net, clip, W):
    x = np.stack([crop(clip, o, W) for o in test_offsets(len(clip), W)])
    with torch.no_grad():
        p = F.softmax(net(torch.from_numpy(x)[:, None]), dim=1)
    return int(p.mean(0).argmax())


def run_fold(clips, y, train_idx, test_idx, K, W, a, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    frames = np.concatenate([clips[i] for i in train_idx]).astype(np.float64)
    mean = frames.mean(axis=0)
    std = np.sqrt(((frames - mean) ** 2).mean(axis=0))
    std[std <= 1e-6] = 1.0
    mean, std = mean.astype(np.float32), std.astype(np.float32)
    train = [(clips[i] - mean) / std for i in train_idx]
    y_train = y[train_idx]
    net = network(K)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    t0 = time.monotonic()
    for epoch in range(a.epochs):
        net.train()
        order = rng.permutation(len(train))
        for first in range(0, len(train), a.batch):
            part = order[first:first + a.batch]
            x = np.stack([crop(train[i], random_offset(len(train[i]), W, rng), W) for i in part])
            z = net(torch.from_numpy(x)[:, None])
            loss = F.cross_entropy(z, torch.from_numpy(y_train[part]))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    seconds = time.monotonic() - t0
    net.eval()
    hits = sum(predict(net, (clips[i] - mean) / std, W) == y[i] for i in test_idx)
    return hits / len(test_idx), seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--window", type=float, default=3.0)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.001)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("features")
    ap.add_argument("labels")
    ap.add_argument("folds")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    with h5py.File(a.features, "r") as f:
        rate, hop = int(f.attrs["sample_rate"]), int(f.attrs["hop_length"])
    W = 1 + int(round(a.window * rate)) // hop
    clips, ids = read_features(a.features)
    labels, folds = read_labels(a.labels), read_folds(a.folds)
    missing = [i for i in ids if i not in labels or i not in folds]
    if missing:
        sys.exit(f"torch_fewshot.py: clip {missing[0]} has no label or no fold")
    classes = sorted(set(labels[i] for i in ids))
    index = {c: k for k, c in enumerate(classes)}
    y = np.array([index[labels[i]] for i in ids], dtype=np.int64)
    fold_of = np.array([folds[i] for i in ids])
    accs = []
    for k in sorted(set(fold_of.tolist())):
        train_idx, test_idx = np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)
        acc, sec = run_fold(clips, y, train_idx, test_idx, len(classes), W, a, a.seed + k)
        accs.append(acc)
        print(f"fold {k} accuracy {acc:.4f} seconds {sec:.1f}", flush=True)
    print(f"mean accuracy {np.mean(accs):.4f}")


if __name__ == "__main__":
    main()
