#!/usr/bin/python3
"""bench/train/voices.py: synthetic speakers of the ten digits, for leave-one-speaker-out.

    python3 bench/train/voices.py N DIR [ENGINE...]   # N voices, 10 clips each, into DIR

Four real voices are few to learn "the digits, whoever says them" from. Speech synthesisers
can say the digits in many voices. ENGINE is one or more of:

  espeak    espeak-ng's English accents, each with one of its voice variants (men, women,
            children, old, croaky), at a random pitch and speed (the default)
  accent    the same voices speaking English as learners of it often do: each with its
            own habits among those of many first languages (th said as t, s or f; the i
            of "six" long; w as v; z as s; a final v unvoiced; full vowels for weak ones)
  flite     flite's recorded voices (kal, awb, rms, slt): diphone and statistical voices
            built from real speakers, at a random pitch, speed and vocal-tract length
  festival  festival's ked diphone and slt HTS voices, at a random speed and tract length

The voices are dealt to the engines given in turn, so an engine named twice makes twice
as many. The "vocal-tract length" is a shift of the whole spectrum, formants with the
pitch (sox's pitch effect), by up to a third of an octave either way: one recorded
speaker becomes many, shorter and longer, the way vocal-tract length perturbation makes
new speakers for speech recognisers.

Each clip is made the way the Free Spoken Digit Dataset's are: 8 kHz, 16-bit, mono,
trimmed of its silence, and at a random level. The clips are DIR/DIGIT_synVOICE.wav, and
DIR/labels.tsv gives each its digit (paths as written, relative to the directory the
script was run from).

Seeded (SEED, default 1), so the same N, engines and seed make the same voices, bit for
bit (sox's dither is seeded too); espeak alone makes the voices it made before the other
engines existed, but for that dither. Needs sox and the engines' programs (espeak-ng,
flite, festival's text2wave); it writes nothing it did not finish (a clip is renamed
into place when whole).
"""
import os
import random
import re
import subprocess
import sys
import tempfile

DIGITS = "zero one two three four five six seven eight nine".split()
# Variants that are no human voice at all: robots, whispers, effects.
UNHUMAN = ("robo", "whisper", "demonic", "unirobot", "anikarobot", "tweaky")
FLITE_VOICES = ("kal", "awb", "rms", "slt")
FESTIVAL_VOICES = ("ked_diphone", "cmu_us_slt_arctic_hts")
ENGINES = ("espeak", "accent", "flite", "festival")
# Habits of learners of English, as rewrites of espeak-ng's English phoneme names: a
# pattern and the sounds one speaker may put in its place. A learner's accent is a random
# few of them, each with one of its replacements, kept for all his words.
HABITS = (
    (r"T", ("t", "s", "f")),               # "three": "tree", "sree", "free"
    (r"(?<![aeoO])I", ("i:",)),           # "six": "seeks"
    (r"w", ("v",)),                        # "one": "van"
    (r"z", ("s",)),                        # "zero": "sero"
    (r"v$", ("f",)),                       # "five": "fife"
    (r"@(?=n)", ("E",)),                   # "seven": "seven", both vowels full
    (r"V", ("a",)),                        # "one": "wan"
    (r"eI", ("E",)),                       # "eight": "et"
)
# The widest shift of a synthetic speaker's spectrum, in cents (400: a third of an octave).
TRACT_CENTS = 400


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


def finish(speech, level, path, effects=()):
    """Speech (a WAV file's bytes) as an FSDD clip at path: 8 kHz, 16-bit, mono, the
    effects applied, trimmed of silence at both ends, peaking at level dBFS."""
    tmp = path + ".part.wav"
    subprocess.run(["sox", "-q", "-R", "-t", "wav", "-", "-r", "8000", "-b", "16", "-c", "1", tmp,
                    *effects, "silence", "1", "0.01", "0.5%", "reverse", "silence", "1",
                    "0.01", "0.5%", "reverse", "norm", f"{level:.1f}"], input=speech,
                   check=True)
    os.replace(tmp, path)


def espeak_speaker(rng, acc, var):
    """A function saying a word in one random espeak-ng voice, as a WAV file's bytes."""
    voice = f"{rng.choice(acc)}+{rng.choice(var)}"
    pitch, speed = rng.randint(20, 80), rng.randint(120, 200)
    return EspeakVoice(voice, pitch, speed), ()


class EspeakVoice:
    """One espeak-ng voice: called with text (or [[phonemes]]), the WAV file's bytes."""

    def __init__(self, voice, pitch, speed):
        self.args = ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed)]

    def __call__(self, text):
        return subprocess.run(self.args + ["--stdout", text], capture_output=True,
                              check=True).stdout

    def phonemes(self, word):
        """The word in espeak-ng's phoneme names, as this voice would say it."""
        return subprocess.run(self.args + ["-q", "-x", word], capture_output=True, text=True,
                              check=True).stdout.strip()


def accent_speaker(rng, acc, var):
    """An espeak-ng voice as espeak_speaker's with a learner's accent: each habit taken
    with even odds, its sounds said in place of espeak-ng's English ones."""
    say_text, effects = espeak_speaker(rng, acc, var)
    habits = [(re.compile(p), rng.choice(alts)) for p, alts in HABITS if rng.random() < 0.5]

    def say(word):
        # espeak_speaker's voice is the one to ask for the phonemes: accents differ.
        phonemes = say_text.phonemes(word)
        for pattern, sound in habits:
            phonemes = pattern.sub(sound, phonemes)
        return say_text(f"[[{phonemes}]]")
    return say, effects


def flite_speaker(rng):
    """One of flite's voices at a random mean pitch (the statistical voices follow it;
    the diphone voice kal barely does) and speaking rate."""
    voice = rng.choice(FLITE_VOICES)
    f0, stretch = rng.randint(80, 260), rng.uniform(0.8, 1.3)

    def say(word):
        with tempfile.NamedTemporaryFile(suffix=".wav") as f:
            subprocess.run(["flite", "-voice", voice, "--setf", f"int_f0_target_mean={f0}",
                            "--setf", f"duration_stretch={stretch:.3f}", "-t", word,
                            "-o", f.name], check=True, capture_output=True)
            return f.read()
    return say, tract(rng)


def festival_speaker(rng, said):
    """One of festival's voices, its digits said once (festival is slow to start) and
    then changed per speaker in tempo and tract length."""
    voice = rng.choice(FESTIVAL_VOICES)

    def say(word):
        if (voice, word) not in said:
            with tempfile.NamedTemporaryFile(suffix=".wav") as f:
                subprocess.run(["text2wave", "-eval", f"(voice_{voice})", "-o", f.name],
                               input=word.encode(), check=True, capture_output=True)
                said[voice, word] = f.read()
        return said[voice, word]
    return say, ("tempo", f"{rng.uniform(0.8, 1.25):.3f}") + tract(rng)


def tract(rng):
    """sox effects moving a whole voice, formants and pitch, by a random interval."""
    return ("pitch", str(rng.randint(-TRACT_CENTS, TRACT_CENTS)))


def main():
    args = sys.argv[1:]
    if len(args) < 2 or not args[0].isdigit() or not set(args[2:]) <= set(ENGINES):
        sys.exit(f"usage: voices.py N DIR [{'|'.join(ENGINES)}...]")
    n, out, engines = int(args[0]), args[1], args[2:] or ["espeak"]
    rng = random.Random(int(os.environ.get("SEED", "1")))
    acc, var = (accents(), variants()) if {"espeak", "accent"} & set(engines) else ([None], [None])
    if not acc or not var:
        sys.exit("voices.py: espeak-ng lists no English voices or no variants")
    os.makedirs(out, exist_ok=True)
    rows, said = [], {}
    for k in range(n):
        engine = engines[k % len(engines)]
        if engine == "espeak":
            say, effects = espeak_speaker(rng, acc, var)
        elif engine == "accent":
            say, effects = accent_speaker(rng, acc, var)
        elif engine == "flite":
            say, effects = flite_speaker(rng)
        else:
            say, effects = festival_speaker(rng, said)
        for d, word in enumerate(DIGITS):
            path = os.path.join(out, f"{d}_syn{k}.wav")
            finish(say(word), rng.uniform(-25, -3), path, effects)
            rows.append(f"{path}\t{d}\n")
    with open(os.path.join(out, "labels.tsv.part"), "w") as f:
        f.write("id\tlabel\n")
        f.writelines(rows)
    os.replace(os.path.join(out, "labels.tsv.part"), os.path.join(out, "labels.tsv"))


if __name__ == "__main__":
    main()
