"""bench/fewshot/folds.py: stratified folds of a labels table, seeded.

    folds.py [--folds 5] [--seed 1] LABELS.tsv > FOLDS.tsv

Each class's clips are shuffled and dealt to the folds in turn, so that with five clips a
class and five folds every fold tests one clip of every class. Writes id and fold.
"""
import argparse
import csv
import random
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("labels")
    a = ap.parse_args()
    by_class = {}
    with open(a.labels, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            by_class.setdefault(row["label"], []).append(row["id"])
    rng = random.Random(a.seed)
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["id", "fold"])
    for label in sorted(by_class):
        ids = sorted(by_class[label])
        rng.shuffle(ids)
        for i, clip in enumerate(ids):
            out.writerow([clip, i % a.folds])


if __name__ == "__main__":
    main()
