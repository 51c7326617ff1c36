#!/usr/bin/python3
"""bench/fewshot/sounds.py: a few-shot set of everyday sounds of varied length.

    python3 bench/fewshot/sounds.py DIR [--classes N] [--per-class K] [--seed S]

What users bring to snd-train is not FSDD: a few recordings of each sound (four or five),
one to ten seconds long, at 44.1 kHz, of things that beep, ring, hum, knock, pour or
speak, each taken in its own room with its own background. This script makes such a set
from nothing but numpy and espeak-ng, so that the benchmark needs no download:

- N classes (default 45): two thirds sounds of the house and street, one third spoken
  words. A sound class is one of sixteen families (beeps, chirps, sirens, knocks, bells,
  phone rings, bird calls, barks, drips, clock ticks, hums, rain, wind, pouring, engines,
  sizzling) with its own parameters (pitch, pattern, rhythm, timbre) drawn once per
  class; two classes of one family are told apart by those alone. A word class is one
  English word that espeak-ng says in a voice, speed and pitch drawn afresh per clip.
- K clips of each (default 5). Each clip draws its own length (log-uniform 1 to 10 s),
  its own variation of the class (pitch within +-8%, tempo within +-20%, how many events
  and where), a signal-to-noise ratio of 6 to 30 dB and a peak level of -24 to -3 dBFS.
  As a user records a sound mostly in one place, each class has a home: a background
  (noise of a random colour, and a mains hum half the time) and a room (an exponentially
  decaying reverb tail of 0.05 to 0.4 s), a little changed from clip to clip; one clip
  in five is recorded somewhere else, a place of its own.

The clips are DIR/CLASS_NN.wav (44.1 kHz, 16-bit, mono), and DIR/labels.tsv gives each
its class, the path as written. Seeded: the same arguments make the same files.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

RATE = 44100
WORDS = ["kettle", "window", "garden", "yellow", "seven", "coffee", "rabbit", "thunder",
         "pocket", "umbrella", "morning", "basket", "river", "candle", "silver", "machine",
         "hello", "stop", "ready", "again"]
VOICES = ["en", "en-us", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-gb-x-gbclan"]
VARIANTS = ["", "+m1", "+m3", "+m5", "+m7", "+f1", "+f2", "+f3", "+f4", "+croak", "+klatt"]


# ---- building blocks ---------------------------------------------------------------------

def seconds(n):
    return np.arange(n) / RATE


def coloured_noise(rng, n, slope_db_per_octave):
    """Noise whose power falls by the slope per octave (0 white, -3 pink, -6 brown)."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.maximum(np.fft.rfftfreq(n, 1 / RATE), 20.0)
    spec *= (f / 1000.0) ** (slope_db_per_octave / (20.0 * np.log10(2)))
    x = np.fft.irfft(spec, n)
    return x / (np.std(x) + 1e-12)


def band(x, lo, hi):
    """x with its spectrum outside lo..hi Hz removed (soft edges)."""
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / RATE)
    gain = 1 / (1 + ((f - (lo + hi) / 2) / max((hi - lo) / 2, 1.0)) ** 8)
    return np.fft.irfft(spec * gain, len(x))


def resonate(x, centres, widths):
    """x through parallel resonances (formants) at centres Hz, widths Hz wide."""
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / RATE)
    gain = sum(1 / (1 + ((f - c) / w) ** 2) for c, w in zip(centres, widths))
    return np.fft.irfft(spec * gain, len(x))


def adsr(n, attack, release):
    """An envelope rising over attack seconds and falling over the last release seconds."""
    t = seconds(n)
    env = np.minimum(1.0, t / max(attack, 1e-4))
    return env * np.minimum(1.0, (t[-1] - t) / max(release, 1e-4)) if n else env


def decay(n, tau):
    return np.exp(-seconds(n) / tau)


def tone(freqs, amps, n):
    t = seconds(n)
    return sum(a * np.sin(2 * np.pi * f * t) for f, a in zip(freqs, amps))


def sweep(f0, f1, n):
    """A sine gliding exponentially from f0 to f1 Hz over n samples."""
    f = f0 * (f1 / f0) ** (np.arange(n) / max(n - 1, 1))
    return np.sin(2 * np.pi * np.cumsum(f) / RATE)


def pulses(f0, n, jitter, rng):
    """A glottal-like pulse train at f0 Hz, each period varied by jitter."""
    x, i = np.zeros(n), 0.0
    while i < n:
        x[int(i)] = 1.0
        i += RATE / f0 * (1 + jitter * rng.standard_normal())
    return x


# ---- the families: each draws its parameters once per class, and makes one event -------

class Family:
    events = True  # discrete events placed in the clip; False: a texture filling it

    def __init__(self, rng):
        self.p = self.draw(rng)

    def draw(self, rng):
        return {}


class Beep(Family):
    def draw(self, rng):
        return dict(f=rng.uniform(500, 3500), n=int(rng.integers(1, 5)), on=rng.uniform(0.08, 0.4),
                    off=rng.uniform(0.05, 0.3), square=rng.random() < 0.5)

    def event(self, rng, pitch, tempo):
        p, out = self.p, []
        on, off = int(p["on"] / tempo * RATE), int(p["off"] / tempo * RATE)
        f = p["f"] * pitch
        h = [1, 1 / 3, 1 / 5] if p["square"] else [1, 0.1, 0.02]
        for _ in range(p["n"]):
            out += [tone([f, 3 * f, 5 * f], h, on) * adsr(on, 0.005, 0.01), np.zeros(off)]
        return np.concatenate(out)


class Chirp(Family):
    def draw(self, rng):
        lo, hi = sorted(rng.uniform(300, 5000, 2))
        up = rng.random() < 0.5
        return dict(f0=lo if up else hi, f1=hi if up else lo, d=rng.uniform(0.15, 0.8))

    def event(self, rng, pitch, tempo):
        n = int(self.p["d"] / tempo * RATE)
        return sweep(self.p["f0"] * pitch, self.p["f1"] * pitch, n) * adsr(n, 0.01, 0.05)


class Siren(Family):
    events = False

    def draw(self, rng):
        return dict(f=rng.uniform(500, 1500), depth=rng.uniform(0.2, 0.6), rate=rng.uniform(0.3, 6),
                    yelp=rng.random() < 0.5)

    def texture(self, rng, n, pitch, tempo):
        t = seconds(n)
        ph = 2 * np.pi * self.p["rate"] * tempo * t + rng.uniform(0, 6.3)
        m = np.sign(np.sin(ph)) if self.p["yelp"] else np.sin(ph)
        f = self.p["f"] * pitch * (1 + self.p["depth"] * m)
        ph = 2 * np.pi * np.cumsum(f) / RATE
        return np.sin(ph) + 0.3 * np.sin(2 * ph)


class Knock(Family):
    def draw(self, rng):
        return dict(f=rng.uniform(150, 1200), tau=rng.uniform(0.01, 0.06), n=int(rng.integers(2, 6)),
                    gap=rng.uniform(0.1, 0.35))

    def event(self, rng, pitch, tempo):
        p, out = self.p, []
        for _ in range(p["n"]):
            k = int(0.15 * RATE)
            hit = resonate(rng.standard_normal(k), [p["f"] * pitch, 2.3 * p["f"] * pitch],
                           [p["f"] * 0.1, p["f"] * 0.2]) * decay(k, p["tau"])
            out += [hit, np.zeros(int(p["gap"] / tempo * RATE * rng.uniform(0.85, 1.15)))]
        return np.concatenate(out)


class Bell(Family):
    def draw(self, rng):
        return dict(f=rng.uniform(300, 2000), tau=rng.uniform(0.3, 1.5),
                    ratios=[1, rng.uniform(2.0, 3.0), rng.uniform(4.5, 6.0), rng.uniform(8, 9.5)])

    def event(self, rng, pitch, tempo):
        n = int(3 * self.p["tau"] * RATE)
        f = self.p["f"] * pitch
        return sum(a * np.sin(2 * np.pi * f * r * seconds(n)) * decay(n, self.p["tau"] / (1 + i))
                   for i, (r, a) in enumerate(zip(self.p["ratios"], [1, 0.6, 0.4, 0.25])))


class Ring(Family):
    def draw(self, rng):
        return dict(f1=rng.uniform(350, 900), f2=rng.uniform(900, 1800), on=rng.uniform(0.2, 0.6),
                    n=int(rng.integers(1, 4)), trill=rng.uniform(0, 25))

    def event(self, rng, pitch, tempo):
        p, out = self.p, []
        on = int(p["on"] / tempo * RATE)
        trill = (1 + np.sign(np.sin(2 * np.pi * p["trill"] * seconds(on)))) / 2 if p["trill"] > 8 else 1
        for _ in range(p["n"]):
            out += [tone([p["f1"] * pitch, p["f2"] * pitch], [1, 0.8], on) * trill * adsr(on, 0.005, 0.02),
                    np.zeros(int(0.2 / tempo * RATE))]
        return np.concatenate(out)


class Bird(Family):
    def draw(self, rng):
        return dict(f=rng.uniform(2000, 6000), span=rng.uniform(0.2, 0.8), d=rng.uniform(0.03, 0.15),
                    n=int(rng.integers(2, 9)), gap=rng.uniform(0.02, 0.15), down=rng.random() < 0.5)

    def event(self, rng, pitch, tempo):
        p, out = self.p, []
        for _ in range(p["n"]):
            n = int(p["d"] / tempo * RATE)
            f0, f1 = p["f"] * pitch, p["f"] * pitch * (1 + p["span"])
            out += [sweep(f1, f0, n) if p["down"] else sweep(f0, f1, n), np.zeros(int(p["gap"] * RATE))]
            out[-2] = out[-2] * adsr(n, 0.005, 0.01)
        return np.concatenate(out)


class Bark(Family):
    def draw(self, rng):
        return dict(f0=rng.uniform(120, 450), formants=sorted(rng.uniform(400, 3500, 3)),
                    d=rng.uniform(0.1, 0.3), n=int(rng.integers(1, 4)))

    def event(self, rng, pitch, tempo):
        p, out = self.p, []
        for _ in range(p["n"]):
            n = int(p["d"] / tempo * RATE)
            src = pulses(p["f0"] * pitch, n, 0.05, rng) + 0.2 * rng.standard_normal(n)
            out += [resonate(src, [f * pitch for f in p["formants"]], [120, 180, 250])
                    * adsr(n, 0.01, 0.08), np.zeros(int(rng.uniform(0.1, 0.3) * RATE))]
        return np.concatenate(out)


class Drip(Family):
    def draw(self, rng):
        return dict(f=rng.uniform(600, 2500), rise=rng.uniform(1.2, 2.5), n=int(rng.integers(1, 6)),
                    gap=rng.uniform(0.15, 0.7))

    def event(self, rng, pitch, tempo):
        p, out = self.p, []
        for _ in range(p["n"]):
            n = int(0.06 * RATE)
            out += [sweep(p["f"] * pitch, p["f"] * pitch * p["rise"], n) * decay(n, 0.015),
                    np.zeros(int(p["gap"] / tempo * RATE * rng.uniform(0.6, 1.4)))]
        return np.concatenate(out)


class Tick(Family):
    events = False

    def draw(self, rng):
        return dict(period=rng.uniform(0.25, 1.0), f=rng.uniform(1500, 6000), tock=rng.random() < 0.5)

    def texture(self, rng, n, pitch, tempo):
        x, step = np.zeros(n), int(self.p["period"] / tempo * RATE)
        k = int(0.01 * RATE)
        for j, i in enumerate(range(int(rng.integers(0, step)), n - k, step)):
            f = self.p["f"] * pitch * (0.8 if self.p["tock"] and j % 2 else 1)
            x[i:i + k] += np.sin(2 * np.pi * f * seconds(k)) * decay(k, 0.002)
        return x


class Hum(Family):
    events = False

    def draw(self, rng):
        return dict(f0=rng.uniform(45, 220), amps=rng.uniform(0.05, 1, 8), am=rng.uniform(0, 4))

    def texture(self, rng, n, pitch, tempo):
        f = self.p["f0"] * pitch
        x = tone([f * (k + 1) for k in range(8)], self.p["amps"], n)
        return x * (1 + 0.3 * np.sin(2 * np.pi * self.p["am"] * seconds(n))) if self.p["am"] > 1 else x


class Rain(Family):
    events = False

    def draw(self, rng):
        return dict(slope=rng.uniform(-4, 0), rate=rng.uniform(10, 80), lo=rng.uniform(200, 2000))

    def texture(self, rng, n, pitch, tempo):
        x = band(coloured_noise(rng, n, self.p["slope"]), self.p["lo"] * pitch, 12000)
        k = int(0.02 * RATE)
        for i in rng.integers(0, n - k, int(self.p["rate"] * tempo * n / RATE)):
            x[i:i + k] += 2 * rng.standard_normal(k) * decay(k, 0.003)
        return x


class Wind(Family):
    events = False

    def draw(self, rng):
        return dict(cut=rng.uniform(200, 1500), speed=rng.uniform(0.1, 1.0), whistle=rng.random() < 0.4)

    def texture(self, rng, n, pitch, tempo):
        x = band(coloured_noise(rng, n, -6), 30, self.p["cut"] * pitch)
        t = seconds(n)
        gust = 1 + 0.8 * np.sin(2 * np.pi * self.p["speed"] * tempo * t + rng.uniform(0, 6.3))
        if self.p["whistle"]:
            x = x + 0.3 * resonate(rng.standard_normal(n), [self.p["cut"] * 2 * pitch], [20])
        return x * gust


class Pour(Family):
    events = False

    def draw(self, rng):
        return dict(f0=rng.uniform(200, 800), f1=rng.uniform(1000, 3000), bubbles=rng.uniform(20, 120))

    def texture(self, rng, n, pitch, tempo):
        # a filling vessel: bubbles whose pitch rises as the air column shortens
        x = 0.3 * band(rng.standard_normal(n), 500, 8000)
        k = int(0.03 * RATE)
        for i in np.sort(rng.integers(0, n - k, int(self.p["bubbles"] * tempo * n / RATE))):
            f = self.p["f0"] * pitch * (self.p["f1"] / self.p["f0"]) ** (i / n)
            x[i:i + k] += np.sin(2 * np.pi * f * rng.uniform(0.9, 1.1) * seconds(k)) * decay(k, 0.008)
        return x


class Engine(Family):
    events = False

    def draw(self, rng):
        return dict(rpm=rng.uniform(15, 90), formants=sorted(rng.uniform(100, 2000, 2)),
                    wobble=rng.uniform(0.01, 0.1))

    def texture(self, rng, n, pitch, tempo):
        f0 = self.p["rpm"] * pitch
        src = pulses(f0, n, self.p["wobble"], rng) * 20 + 0.1 * rng.standard_normal(n)
        return resonate(src, self.p["formants"], [60, 150])


class Sizzle(Family):
    events = False

    def draw(self, rng):
        return dict(lo=rng.uniform(2000, 6000), rate=rng.uniform(50, 400))

    def texture(self, rng, n, pitch, tempo):
        x = 0.2 * band(rng.standard_normal(n), self.p["lo"] * pitch, 16000)
        k = int(0.003 * RATE)
        for i in rng.integers(0, n - k, int(self.p["rate"] * n / RATE)):
            x[i:i + k] += rng.uniform(0.5, 3) * rng.standard_normal(k)
        return band(x, self.p["lo"] * pitch, 16000)


FAMILIES = [Beep, Chirp, Siren, Knock, Bell, Ring, Bird, Bark, Drip, Tick, Hum, Rain, Wind,
            Pour, Engine, Sizzle]


# ---- spoken words -------------------------------------------------------------------------

def read_wav(path):
    with wave.open(path, "rb") as w:
        rate, n, width = w.getframerate(), w.getnframes(), w.getsampwidth()
        raw = w.readframes(n)
    x = np.frombuffer(raw, dtype="<i2" if width == 2 else "<i4").astype(np.float64)
    x /= 32768.0 if width == 2 else 2147483648.0
    return np.interp(np.arange(int(len(x) * RATE / rate)) * rate / RATE, np.arange(len(x)), x)


def spoken(word, rng, tmp):
    voice = str(rng.choice(VOICES)) + str(rng.choice(VARIANTS))
    out = os.path.join(tmp, "w.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(int(rng.uniform(110, 200))),
                    "-p", str(int(rng.uniform(20, 80))), "-w", out, word], check=True)
    x = read_wav(out)
    nz = np.nonzero(np.abs(x) > 1e-3)[0]
    return x[nz[0]:nz[-1] + 1] if len(nz) else x


# ---- a clip -----------------------------------------------------------------------------

class Place:
    """Where a clip was recorded: a background (noise of a colour, perhaps a mains hum) and
    a room (its reverberation time). A user records most clips of a sound in one place."""

    def __init__(self, rng):
        self.slope = rng.uniform(-6, 0)
        self.hum = rng.uniform(0.2, 1.5) if rng.random() < 0.5 else 0.0
        self.mains = 50 * rng.choice([1, 1.2])
        self.rt = rng.uniform(0.05, 0.4)

    def visit(self, rng):
        """The place on another day: the same, a little changed."""
        p = Place.__new__(Place)
        p.slope = self.slope + rng.uniform(-1, 1)
        p.hum = self.hum * rng.uniform(0.7, 1.4)
        p.mains = self.mains
        p.rt = self.rt * rng.uniform(0.8, 1.25)
        return p


def room(x, place, rng):
    """x in a room: an exponentially decaying noise tail of the place's RT60."""
    rt = place.rt
    k = int(rt * RATE)
    ir = rng.standard_normal(k) * np.exp(-6.9 * seconds(k) / rt)
    ir[0] = 1 / rng.uniform(0.1, 0.5)
    n = len(x) + k - 1
    size = 1 << (n - 1).bit_length()
    y = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(ir, size), size)[:len(x)]
    return y / (np.max(np.abs(y)) + 1e-12)


def background(place, rng, n):
    x = coloured_noise(rng, n, place.slope)
    if place.hum > 0:
        x += place.hum * tone([place.mains], [1], n)
    return x / (np.std(x) + 1e-12)


def place_events(make, n, rng):
    """Events from make() laid into n samples: one to a few, at random places."""
    x = np.zeros(n)
    count = int(rng.integers(1, 2 + int(n / RATE / 2)))
    for _ in range(count):
        e = make()
        if len(e) >= n:
            start = int(rng.integers(0, len(e) - n + 1))
            x += e[start:start + n]
        else:
            i = int(rng.integers(0, n - len(e) + 1))
            x[i:i + len(e)] += e
    return x


def clip(source, home, rng, tmp):
    """A clip of the source, recorded at home (or, one time in five, somewhere else)."""
    place = home.visit(rng) if rng.random() < 0.8 else Place(rng)
    n = int(np.exp(rng.uniform(np.log(1.0), np.log(10.0))) * RATE)
    pitch, tempo = rng.uniform(0.92, 1.08), rng.uniform(0.8, 1.25)
    if isinstance(source, str):
        sig = place_events(lambda: spoken(source, rng, tmp), n, rng)
    elif source.events:
        sig = place_events(lambda: source.event(rng, pitch, tempo), n, rng)
    else:
        # a texture over most of the clip, fading in and out
        k = int(n * rng.uniform(0.6, 1.0))
        i = int(rng.integers(0, n - k + 1))
        sig = np.zeros(n)
        sig[i:i + k] = source.texture(rng, k, pitch, tempo) * adsr(k, 0.1, 0.1)
    sig = room(sig, place, rng)
    active = np.abs(sig) > 0.05 * np.max(np.abs(sig))
    power = np.mean(sig[active] ** 2) if active.any() else 1.0
    snr_db = rng.uniform(6, 30)
    x = sig + background(place, rng, n) * np.sqrt(power / 10 ** (snr_db / 10))
    return x / np.max(np.abs(x)) * 10 ** (rng.uniform(-24, -3) / 20)


def write_wav(path, x):
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
    part = path + ".part"
    with wave.open(part, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    os.replace(part, path)


def classes(n, rng):
    """n classes: names and sources, two thirds families (each used in turn), a third words."""
    n_words = n // 3
    out = []
    for i in range(n - n_words):
        fam = FAMILIES[i % len(FAMILIES)]
        out.append(("%s%d" % (fam.__name__.lower(), i // len(FAMILIES) + 1), fam(rng)))
    for w in WORDS[:n_words]:
        out.append(("say-" + w, w))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--classes", type=int, default=45)
    ap.add_argument("--per-class", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if not 2 <= a.classes <= 3 * len(WORDS) or a.per_class < 2:
        sys.exit("sounds.py: --classes must be 2 to %d and --per-class at least 2" % (3 * len(WORDS)))
    os.makedirs(a.dir, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, source in classes(a.classes, rng):
            home = Place(rng)
            for k in range(a.per_class):
                path = os.path.join(a.dir, "%s_%02d.wav" % (name, k))
                write_wav(path, clip(source, home, np.random.default_rng(rng.integers(1 << 62)), tmp))
                rows.append((path, name))
    with open(os.path.join(a.dir, "labels.tsv"), "w") as f:
        f.write("id\tlabel\n")
        f.writelines("%s\t%s\n" % r for r in rows)


if __name__ == "__main__":
    main()
