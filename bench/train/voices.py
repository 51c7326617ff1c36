#!/usr/bin/python3
"""bench/train/voices.py: synthetic speakers of the ten digits, for leave-one-speaker-out.

    python3 bench/train/voices.py N DIR     # N voices, 10 clips each, into DIR

Four real voices are few to learn "the digits, whoever says them" from. espeak-ng can say
the digits in many voices: its English accents, each with one of its voice variants (men,
women, children, old, croaky), at a random pitch and speed. Each clip is made the way the
Free Spoken Digit Dataset's are: 8 kHz, 16-bit, mono, trimmed of its silence, and at a
random level. The clips are DIR/DIGIT_synVOICE.wav, and DIR/labels.tsv gives each its
digit (paths as written, relative to the directory the script was run from).

Seeded (SEED, default 1), so the same N and seed make the same voices. Needs espeak-ng and
sox; it writes nothing it did not finish (a clip is renamed into place when whole).
"""
import os
import random
import subprocess
import sys

DIGITS = "zero one two three four five six seven eight nine".split()
# Variants that are no human voice at all: robots, whispers, effects.
UNHUMAN = ("robo", "whisper", "demonic", "unirobot", "anikarobot", "tweaky")


def listed(kind):
    """The names of espeak-ng's voices of a kind (a language, or "variant")."""
    out = subprocess.run(["espeak-ng", f"--voices={kind}"], capture_output=True, text=True,
                         check=True).stdout.splitlines()[1:]
    return [line.split() for line in out if line.strip()]


def accents():
    """English accents of espeak-ng's own voices (not MBROLA's, which need more packages)."""
    return sorted({f[1] for f in listed("en") if len(f) > 4 and f[4].startswith("gmw/")})


def variants():
    names = [f[4].split("/")[-1] for f in listed("variant") if len(f) > 4]
    return sorted(n for n in names if not n.lower().startswith(UNHUMAN))


def say(voice, pitch, speed, word, level, path):
    tmp = path + ".part.wav"
    speech = subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed),
                             "--stdout", word], capture_output=True, check=True).stdout
    # Trim silence from both ends as FSDD's clips are, then set the peak level.
    subprocess.run(["sox", "-q", "-t", "wav", "-", "-r", "8000", "-b", "16", "-c", "1", tmp,
                    "silence", "1", "0.01", "0.5%", "reverse", "silence", "1", "0.01", "0.5%",
                    "reverse", "norm", f"{level:.1f}"], input=speech, check=True)
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.exit("usage: voices.py N DIR")
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(int(os.environ.get("SEED", "1")))
    acc, var = accents(), variants()
    if not acc or not var:
        sys.exit("voices.py: espeak-ng lists no English voices or no variants")
    os.makedirs(out, exist_ok=True)
    rows = []
    for k in range(n):
        voice = f"{rng.choice(acc)}+{rng.choice(var)}"
        pitch, speed = rng.randint(20, 80), rng.randint(120, 200)
        for d, word in enumerate(DIGITS):
            path = os.path.join(out, f"{d}_syn{k}.wav")
            say(voice, pitch, speed, word, rng.uniform(-25, -3), path)
            rows.append(f"{path}\t{d}\n")
    with open(os.path.join(out, "labels.tsv.part"), "w") as f:
        f.write("id\tlabel\n")
        f.writelines(rows)
    os.replace(os.path.join(out, "labels.tsv.part"), os.path.join(out, "labels.tsv"))


if __name__ == "__main__":
    main()
