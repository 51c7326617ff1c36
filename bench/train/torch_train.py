"""bench/train: the training job of snd-train, done with PyTorch.

The default network of snd-train on the same feature files and labels, trained as
snd-train trains it by default (lib/train.c, man/snd-train.1):

- data: the ragged HDF5 feature files of snd-melspec (/mel [frames, bands] float32,
  /offsets int64 [clips + 1], /id), each clip labelled by the `label` of its `id` in the
  labels table; classes are the labels sorted;
- validation: a stratified, seeded 10% of the training clips (round(0.1 n) of each class);
- standardisation: per mel band, mean and (population) standard deviation over every frame
  of the training clips, a deviation below 1e-6 taken as 1;
- windows of 101 frames: training crops a longer clip at a random place, or places a
  shorter one at a random offset, new each epoch; validation and test take the centre
  (a shorter clip centred); zeros (the standardised mean) where there are no frames;
- augmentation: SpecAugment, 2 time masks of 0..10 frames and 2 frequency masks of 0..8
  bands per training window, set to 0; mixup of each batch with a permutation of itself,
  inputs and one-hot targets alike, one weight per batch from Beta(0.2, 0.2);
- network: 4 x [Conv2d 3x3 pad 1 no bias, BatchNorm2d, ReLU, MaxPool2d 2] with 32, 64, 128,
  256 channels, AdaptiveAvgPool2d 1, Flatten, Dropout 0.3, Linear 256 -> classes; weights
  drawn as snd-train draws them, normal with std sqrt(2 / fan_in), biases 0;
- training: cross-entropy against the (mixed) targets, Adam (0.9, 0.999, 1e-8), batch 32,
  last partial batch kept, learning rate per step: linear warm-up over the first epoch,
  then a half cosine down to 1% of the peak at the last step;
- a moving average of every float tensor of the state (weights and batch-norm statistics)
  after each step, decay min(EMA, (1 + steps) / (10 + steps)), steps counting that one,
  with EMA 0.998;
- after each epoch, validation of the average; the best epoch (highest accuracy, ties to
  the lower loss) is kept, and its average classifies the test clips.

The seconds of an epoch cover what snd-train's `seconds` column covers: making the
windows, training and validation. Epoch lines go to stderr; the results to stdout as
`key value` lines.

usage: torch_train.py [--epochs N] [--batch N] [--lr X] [--threads N] [--seed N]
                      TRAIN.h5 TEST.h5 LABELS.tsv
"""
import argparse
import copy
import csv
import math
import sys
import time

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

WINDOW = 101
TIME_MASK, FREQ_MASK, MASKS = 10, 8, 2
MIXUP = 0.2
VAL_SPLIT = 0.1


def read_labels(path):
    with open(path, newline="") as f:
        return {row["id"]: row["label"] for row in csv.DictReader(f, delimiter="\t")}


def read_features(path):
    """The clips of a feature file: a list of float32 arrays [frames, bands], and ids."""
    with h5py.File(path, "r") as f:
        mel = f["mel"][()]
        offsets = f["offsets"][()]
        ids = [s.decode() if isinstance(s, bytes) else str(s) for s in f["id"][()]]
    return [mel[offsets[i]:offsets[i + 1]] for i in range(len(ids))], ids


def stratified_split(y, n_classes, rng):
    """Indices of the validation clips: round(VAL_SPLIT n) of each class, at random."""
    val = []
    for k in range(n_classes):
        members = np.flatnonzero(y == k)
        rng.shuffle(members)
        val.extend(members[:int(math.floor(VAL_SPLIT * len(members) + 0.5))].tolist())
    mask = np.zeros(len(y), dtype=bool)
    mask[val] = True
    return mask


def window(clip, offset):
    """WINDOW frames of a standardised clip from frame `offset` (negative: the clip starts
    inside the window), zeros where there are no frames."""
    out = np.zeros((WINDOW, clip.shape[1]), dtype=np.float32)
    lo, hi = max(offset, 0), min(offset + WINDOW, len(clip))
    if hi > lo:
        out[lo - offset:hi - offset] = clip[lo:hi]
    return out


def centre_offset(n):
    return int((n - WINDOW) / 2)  # C division: truncates toward zero


def random_offset(n, rng):
    slack = n - WINDOW
    lo, hi = min(slack, 0), max(slack, 0)
    return int(rng.integers(lo, hi + 1))


def spec_augment(x, rng):
    frames, bands = x.shape
    for _ in range(MASKS):
        w = min(int(rng.integers(0, TIME_MASK + 1)), frames)
        at = int(rng.integers(0, frames - w + 1))
        x[at:at + w, :] = 0
        w = min(int(rng.integers(0, FREQ_MASK + 1)), bands)
        at = int(rng.integers(0, bands - w + 1))
        x[:, at:at + w] = 0
    return x


def network(n_classes):
    layers, c_in = [], 1
    for c in (32, 64, 128, 256):
        layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c),
                   nn.ReLU(inplace=True), nn.MaxPool2d(2)]
        c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(256, n_classes)]
    net = nn.Sequential(*layers)
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return net


def lr_at(peak, step, total, warmup, floor=0.01):
    if step < warmup:
        return peak * (step + 1) / warmup
    span = total - warmup
    if span <= 1:
        return peak
    progress = min((step - warmup) / (span - 1), 1.0)
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


def evaluate(net, clips, y, batch):
    """Loss and accuracy on centre windows, in eval mode."""
    net.eval()
    loss_sum, hits = 0.0, 0
    with torch.no_grad():
        for first in range(0, len(clips), batch):
            part = clips[first:first + batch]
            x = np.stack([window(c, centre_offset(len(c))) for c in part])
            t = torch.from_numpy(y[first:first + len(part)])
            z = net(torch.from_numpy(x)[:, None])
            loss_sum += F.cross_entropy(z, t, reduction="sum").item()
            hits += (z.argmax(1) == t).sum().item()
    return loss_sum / len(clips), hits / len(clips)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.001)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ema", type=float, default=0.998)
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("labels")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    labels = read_labels(a.labels)
    clips, ids = read_features(a.train)
    test_clips, test_ids = read_features(a.test)
    for i in ids + test_ids:
        if i not in labels:
            sys.exit(f"torch_train.py: clip {i} has no label in {a.labels}")
    classes = sorted(set(labels[i] for i in ids))
    index = {c: k for k, c in enumerate(classes)}
    y = np.array([index[labels[i]] for i in ids], dtype=np.int64)
    y_test = np.array([index.get(labels[i], -100) for i in test_ids], dtype=np.int64)
    K = len(classes)

    held = stratified_split(y, K, rng)
    train_idx, val_idx = np.flatnonzero(~held), np.flatnonzero(held)
    frames = np.concatenate([clips[i] for i in train_idx]).astype(np.float64)
    mean = frames.mean(axis=0)
    std = np.sqrt(((frames - mean) ** 2).mean(axis=0))
    std[std <= 1e-6] = 1.0
    del frames
    mean, std = mean.astype(np.float32), std.astype(np.float32)

    def standardise(c):
        return (c - mean) / std

    train = [standardise(clips[i]) for i in train_idx]
    val = [standardise(clips[i]) for i in val_idx]
    test = [standardise(c) for c in test_clips]
    y_train, y_val = y[train_idx], y[val_idx]
    n_train = len(train)
    print(f"torch_train.py: {n_train} training and {len(val)} validation examples, "
          f"{K} classes, {WINDOW} x {clips[0].shape[1]} input, {torch.get_num_threads()} threads",
          file=sys.stderr)

    net = network(K)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    steps_per_epoch = (n_train + a.batch - 1) // a.batch
    total, warmup = steps_per_epoch * a.epochs, steps_per_epoch * 1
    eye = np.eye(K, dtype=np.float32)

    # The moving average: its own copy of the network, so that validating it leaves the
    # trained weights alone.
    avg = copy.deepcopy(net)
    avg_tensors = [v for v in avg.state_dict().values() if v.is_floating_point()]
    live_tensors = [v for v in net.state_dict().values() if v.is_floating_point()]

    best_acc, best_loss, best_epoch, best_state = -1.0, math.inf, -1, None
    seconds = []
    step = 0
    for epoch in range(a.epochs):
        t0 = time.monotonic()
        net.train()
        order = rng.permutation(n_train)
        loss_sum, hits = 0.0, 0.0
        for first in range(0, n_train, a.batch):
            part = order[first:first + a.batch]
            x = np.stack([spec_augment(window(train[i], random_offset(len(train[i]), rng)), rng)
                          for i in part])
            t = eye[y_train[part]]
            if MIXUP > 0 and len(part) > 1:
                lam = np.float32(rng.beta(MIXUP, MIXUP))
                perm = rng.permutation(len(part))
                x = lam * x + (1 - lam) * x[perm]
                t = lam * t + (1 - lam) * t[perm]
            for g in opt.param_groups:
                g["lr"] = lr_at(a.lr, step, total, warmup)
            xt, tt = torch.from_numpy(x)[:, None], torch.from_numpy(t)
            z = net(xt)
            loss = -(tt * F.log_softmax(z, dim=1)).sum(dim=1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            if a.ema > 0:
                with torch.no_grad():
                    d = min(a.ema, (1 + step) / (10 + step))  # step: those taken
                    for e, v in zip(avg_tensors, live_tensors):
                        e.mul_(d).add_(v, alpha=1 - d)
            loss_sum += loss.item() * len(part)
            hits += (z.detach().argmax(1) == tt.argmax(1)).sum().item()
        judged = avg if a.ema > 0 else net
        val_loss, val_acc = evaluate(judged, val, y_val, a.batch)
        seconds.append(time.monotonic() - t0)
        lr = lr_at(a.lr, step - 1, total, warmup)
        print(f"epoch {epoch + 1}/{a.epochs}  train loss {loss_sum / n_train:.3f} "
              f"acc {hits / n_train:.3f}  val loss {val_loss:.3f} acc {val_acc:.3f}  "
              f"{seconds[-1]:.1f} s  lr {lr:.5f}", file=sys.stderr)
        if val_acc > best_acc or (val_acc == best_acc and val_loss < best_loss):
            best_acc, best_loss, best_epoch = val_acc, val_loss, epoch
            best_state = copy.deepcopy(judged.state_dict())

    net.load_state_dict(best_state)
    _, test_acc = evaluate(net, test, y_test, a.batch)
    print(f"train_examples {n_train}")
    print(f"val_examples {len(val)}")
    print(f"epochs {a.epochs}")
    print(f"best_epoch {best_epoch + 1}")
    print(f"val_accuracy {best_acc:.4f}")
    print(f"seconds_per_epoch {sum(seconds) / len(seconds):.3f}")
    print(f"test_accuracy {test_acc:.4f}")


if __name__ == "__main__":
    main()
