"""Checks of snd-melspec's output made independently of its C code: HDF5 through h5py,
the frame stream parsed from the bytes snd-formats(5) documents, values against the
torchaudio golden file and a float64 NumPy reference. Run by tests/cli/snd-melspec.sh.

usage: melspec_check.py golden BIN GOLDEN.h5 WORKDIR
       melspec_check.py layout FILE.h5 N_CLIPS
       melspec_check.py same FILE.h5 STREAM
       melspec_check.py stream STREAM            (parse; exit 1 with the reason if invalid)
"""
import math
import struct
import subprocess
import sys

import h5py
import numpy as np

MAGIC = b"\x89SNDF\r\n\x1a"
PARAMS = ["sample_rate", "n_fft", "win_length", "hop_length", "window", "center", "power",
          "n_mels", "f_min", "f_max", "mel_scale", "norm", "log", "amin"]


def fail(msg):
    print(msg)
    sys.exit(1)


def parse_stream(data):
    """The frame stream as (params, [(id, start, frames)]); raises ValueError if invalid."""
    if data[:8] != MAGIC:
        raise ValueError("bad magic")
    version, hlen = struct.unpack_from("<II", data, 8)
    if version != 1:
        raise ValueError("version %d" % version)
    text = data[16:16 + hlen].decode()
    if len(text.encode()) != hlen:
        raise ValueError("header cut")
    params = dict(line.split("=", 1) for line in text.splitlines())
    if list(params) != PARAMS:
        raise ValueError("header names %s" % list(params))
    n_mels = int(params["n_mels"])
    pos, clips, cur = 16 + hlen, [], None
    while True:
        if pos >= len(data):
            raise ValueError("truncated: no end record")
        tag = data[pos:pos + 1]
        pos += 1
        if tag == b"C":
            (n,) = struct.unpack_from("<I", data, pos)
            cid = data[pos + 4:pos + 4 + n].decode()
            (start,) = struct.unpack_from("<d", data, pos + 4 + n)
            pos += 4 + n + 8
            cur = [cid, start, []]
        elif tag == b"F":
            (n,) = struct.unpack_from("<I", data, pos)
            pos += 4
            need = 4 * n * n_mels
            if pos + need > len(data):
                raise ValueError("truncated frames")
            cur[2].append(np.frombuffer(data[pos:pos + need], "<f4").reshape(n, n_mels))
            pos += need
        elif tag == b"E":
            (n,) = struct.unpack_from("<Q", data, pos)
            pos += 8
            frames = np.concatenate(cur[2]) if cur[2] else np.zeros((0, n_mels), "<f4")
            if len(frames) != n:
                raise ValueError("clip count mismatch")
            clips.append((cur[0], cur[1], frames))
            cur = None
        elif tag == b"Z":
            (n,) = struct.unpack_from("<Q", data, pos)
            if n != len(clips) or pos + 8 != len(data):
                raise ValueError("bad end record")
            return params, clips
        else:
            raise ValueError("unknown record %r at %d" % (tag, pos - 1))


def hz_to_mel(f, htk):
    if htk:
        return 2595 * np.log10(1 + f / 700)
    f_sp, min_log_mel, logstep = 200 / 3, 1000 / (200 / 3), math.log(6.4) / 27
    return np.where(f >= 1000, min_log_mel + np.log(np.maximum(f, 1e-9) / 1000) / logstep, f / f_sp)


def mel_to_hz(m, htk):
    if htk:
        return 700 * (10 ** (m / 2595) - 1)
    f_sp, min_log_mel, logstep = 200 / 3, 1000 / (200 / 3), math.log(6.4) / 27
    return np.where(m >= min_log_mel, 1000 * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def reference64(x, a):
    """The golden recipe of ref/README.txt, computed in float64."""
    n_fft, win, hop, sr = (int(a[k]) for k in ("n_fft", "win_length", "hop_length", "sample_rate"))
    htk = a["mel_scale"] in (b"htk", "htk")
    w = np.zeros(n_fft)
    w[(n_fft - win) // 2:(n_fft - win) // 2 + win] = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win) / win)
    x = x.astype(np.float64)
    if a["center"]:
        x = np.pad(x, n_fft // 2, mode="reflect")
    frames = np.stack([x[t * hop:t * hop + n_fft] * w for t in range(1 + (len(x) - n_fft) // hop)])
    spec = np.abs(np.fft.rfft(frames, axis=1)) ** float(a["power"])
    freqs = np.linspace(0, sr // 2, n_fft // 2 + 1)
    m = np.linspace(hz_to_mel(np.array(float(a["f_min"])), htk), hz_to_mel(np.array(float(a["f_max"])), htk),
                    int(a["n_mels"]) + 2)
    f = mel_to_hz(m, htk)
    slopes = f[None, :] - freqs[:, None]
    fb = np.maximum(0, np.minimum(-slopes[:, :-2] / np.diff(f)[:-1], slopes[:, 2:] / np.diff(f)[1:]))
    if a["norm"] in (b"slaney", "slaney"):
        fb *= 2 / (f[2:] - f[:-2])
    return float(a["db_multiplier"]) * np.log10(np.maximum(spec @ fb, 1e-10))


def golden(binary, path, work):
    f = h5py.File(path, "r")
    worst_res, worst_ref64, bad = 0.0, 0.0, []
    for name in f:
        g, a = f[name], f[name].attrs
        raw = "%s/%s.raw" % (work, name)
        g["input"][()].astype("<f4").tofile(raw)
        out = "%s/%s.h5" % (work, name)
        s = lambda k: a[k].decode() if isinstance(a[k], bytes) else str(a[k])
        cmd = [binary, "-q", "-e", "f32", "-r", s("sample_rate"), "--n-fft", s("n_fft"),
               "--win-length", s("win_length"), "--hop-length", s("hop_length"),
               "--power", s("power"), "--n-mels", s("n_mels"), "--fmin", s("f_min"),
               "--fmax", s("f_max"), "--mel-scale", s("mel_scale"), "--norm", s("norm"),
               "--center" if a["center"] else "--no-center", "-o", out, raw]
        subprocess.run(cmd, check=True)
        got = h5py.File(out, "r")["mel"][()]
        exp = g["expected"][()]
        if got.shape != exp.shape:
            bad.append("%s: shape %s, expected %s" % (name, got.shape, exp.shape))
            continue
        above = exp > -100
        resolved = above & (exp >= exp.max(axis=1, keepdims=True) - 90)
        d = np.abs(got - exp)
        worst_res = max(worst_res, d[resolved].max() if resolved.any() else 0)
        ref = reference64(g["input"][()], a)
        d64 = np.abs(got - ref)[ref > -100]
        worst_ref64 = max(worst_ref64, d64.max() if d64.size else 0)
        print("  %-16s %s  vs torchaudio %.5f dB (within 90 dB of peak), %.4f overall;"
              " vs float64 %.5f dB" % (name, got.shape, d[resolved].max() if resolved.any() else 0,
                                        d[above].max() if above.any() else 0,
                                        d64.max() if d64.size else 0))
    print("  worst: %.5f dB vs torchaudio where float32 resolves, %.5f dB vs float64 everywhere"
          % (worst_res, worst_ref64))
    if bad or worst_res > 0.01 or worst_ref64 > 0.01:
        fail("; ".join(bad) or "values differ")


def layout(path, n_clips):
    f = h5py.File(path, "r")
    a = f.attrs
    if a["format"] != "snd-features" or a["version"] != 1:
        fail("format/version attributes: %r %r" % (a.get("format"), a.get("version")))
    for k in PARAMS:
        if k not in a:
            fail("attribute %s missing" % k)
    expect = {"sample_rate": 16000, "n_fft": 512, "win_length": 400, "hop_length": 160,
              "window": "hann", "center": 1, "power": 2.0, "n_mels": 64, "f_min": 0.0,
              "f_max": 8000.0, "mel_scale": "slaney", "norm": "slaney", "log": "db", "amin": 1e-10}
    for k, v in expect.items():
        if a[k] != v:
            fail("attribute %s = %r, expected %r" % (k, a[k], v))
    mel, off, ids, start = f["mel"], f["offsets"][()], f["id"].asstr()[()], f["start"][()]
    if mel.dtype != np.float32 or mel.ndim != 2 or mel.shape[1] != 64 or mel.chunks is None:
        fail("/mel: %s %s chunks %s" % (mel.dtype, mel.shape, mel.chunks))
    if off.dtype != np.int64 or len(off) != n_clips + 1 or off[0] != 0 or off[-1] != len(mel):
        fail("/offsets %s" % off)
    if len(ids) != n_clips or start.dtype != np.float64 or (start != 0).any():
        fail("/id or /start")
    for i, clip_id in enumerate(ids):
        n8k = int(subprocess.run(["soxi", "-s", clip_id], capture_output=True, text=True).stdout)
        want = 1 + (2 * n8k) // 160  # resampled to 16 kHz, centred frames
        if off[i + 1] - off[i] != want:
            fail("%s: %d frames, expected %d" % (clip_id, off[i + 1] - off[i], want))
        clip = mel[off[i]:off[i + 1]]
        if not np.isfinite(clip).all() or clip.min() < -100.0001 or clip.max() > 60:
            fail("%s: values out of range" % clip_id)
    print("  %d clips, %d frames, attributes and layout as DESIGN.md" % (n_clips, len(mel)))


def same(h5_path, stream_path):
    f = h5py.File(h5_path, "r")
    params, clips = parse_stream(open(stream_path, "rb").read())
    off, ids, mel = f["offsets"][()], f["id"].asstr()[()], f["mel"][()]
    for k in PARAMS:
        if str(f.attrs[k]) != params[k] and float(f.attrs[k]) != float(params[k]):
            fail("parameter %s: %r in HDF5, %r in the stream" % (k, f.attrs[k], params[k]))
    if len(clips) != len(ids):
        fail("%d clips in the stream, %d in the file" % (len(clips), len(ids)))
    for i, (cid, start, frames) in enumerate(clips):
        if cid != ids[i] or not np.array_equal(frames, mel[off[i]:off[i + 1]]):
            fail("clip %d differs" % i)
    print("  %d clips, every value bit-identical" % len(clips))


def stream(path):
    try:
        params, clips = parse_stream(open(path, "rb").read())
    except (ValueError, struct.error, UnicodeDecodeError) as e:
        fail("invalid stream: %s" % e)
    print("  %d clips" % len(clips))


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "golden":
        golden(*sys.argv[2:5])
    elif what == "layout":
        layout(sys.argv[2], int(sys.argv[3]))
    elif what == "same":
        same(sys.argv[2], sys.argv[3])
    elif what == "stream":
        stream(sys.argv[2])
