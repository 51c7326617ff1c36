#!/usr/bin/python3
"""The torchaudio side of bench/melspec, and the comparison of the two outputs.

  torchaudio_job.py job [-j N] -o OUT.h5 AUDIO...
      The job snd-melspec does, done with torchaudio 0.13 (Debian's python3-torchaudio):
      load each file, mix to mono, resample to 16 kHz with torchaudio.functional.resample
      (default sinc interpolation), log-mel spectrogram with the recipe of
      ../shared/ref/README.txt, and write one HDF5 file in snd's ragged layout
      (/mel, /offsets, /id, /start). N intra-op threads in one process (default 2).

  torchaudio_job.py compare REF.h5 TEST.h5
      Compare TEST (snd-melspec) with REF (torchaudio): clips matched by id, frame
      counts, and the abs difference of values where REF > -100 dB (max, median,
      99th percentile), overall and in the mel bands whose centres fall below, between
      and above two frequencies (default 3 and 4 kHz: for an 8 kHz source, the
      resamplers' passband, transition band and stopband).
"""
import argparse
import sys

SR = 16000
N_FFT, WIN, HOP, N_MELS, F_MIN, F_MAX = 512, 400, 160, 64, 0.0, 8000.0
AMIN = 1e-10


def job(args):
    import numpy as np
    import torch
    import torchaudio
    import torchaudio.functional as AF
    import h5py

    torch.set_num_threads(args.j)
    mel = torchaudio.transforms.MelSpectrogram(
        sample_rate=SR, n_fft=N_FFT, win_length=WIN, hop_length=HOP,
        f_min=F_MIN, f_max=F_MAX, n_mels=N_MELS,
        window_fn=torch.hann_window,          # periodic Hann, centred in n_fft
        power=2.0, normalized=False, center=True, pad_mode="reflect",
        onesided=True, norm="slaney", mel_scale="slaney")

    mels, ids = [], []
    with torch.inference_mode():
        for path in args.audio:
            w, sr = torchaudio.load(path)                 # float32 [channels, n]
            if w.shape[0] > 1:
                w = w.mean(dim=0, keepdim=True)
            if sr != SR:
                w = AF.resample(w, sr, SR)                 # sinc_interpolation, width 6
            s = mel(w[0])                                  # [n_mels, frames]
            db = 10.0 * torch.log10(torch.clamp(s, min=AMIN))
            mels.append(db.T.contiguous().numpy())
            ids.append(path)

    counts = np.array([m.shape[0] for m in mels], dtype=np.int64)
    offsets = np.zeros(len(mels) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    total = int(offsets[-1])
    with h5py.File(args.o, "w") as f:
        d = f.create_dataset("mel", shape=(total, N_MELS), dtype="float32",
                             chunks=(max(1, min(total, 1024)), N_MELS))
        row = 0
        for m in mels:
            d[row:row + m.shape[0]] = m
            row += m.shape[0]
        f.create_dataset("offsets", data=offsets)
        f.create_dataset("id", data=ids, dtype=h5py.string_dtype("utf-8"))
        f.create_dataset("start", data=np.zeros(len(ids), dtype=np.float64))
        a = f.attrs
        a["format"] = "snd-features"
        a["version"] = 1
        for k, v in dict(sample_rate=SR, n_fft=N_FFT, win_length=WIN, hop_length=HOP,
                         window="hann", center=1, n_mels=N_MELS, f_min=F_MIN,
                         f_max=F_MAX, mel_scale="slaney", norm="slaney", power=2.0,
                         log="db", amin=AMIN).items():
            a[k] = v
    return 0


def slaney_hz_to_mel(f):
    import numpy as np
    f = np.asarray(f, dtype=np.float64)
    lin = f / (200.0 / 3)
    log = 15.0 + np.log(np.maximum(f, 1e-9) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log, lin)


def slaney_mel_to_hz(m):
    import numpy as np
    m = np.asarray(m, dtype=np.float64)
    lin = m * (200.0 / 3)
    log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0))
    return np.where(m >= 15.0, log, lin)


def compare(args):
    import numpy as np
    import h5py

    def load(path):
        f = h5py.File(path, "r")
        ids = [x.decode() if isinstance(x, bytes) else str(x) for x in f["id"][()]]
        return f, ids, f["offsets"][()], f["mel"]

    fr, idr, offr, melr = load(args.ref)
    ft, idt, offt, melt = load(args.test)
    print(f"  clips: torchaudio {len(idr)}, snd-melspec {len(idt)}")
    if melr.shape[1] != melt.shape[1]:
        print(f"  n_mels differ: {melr.shape[1]} vs {melt.shape[1]}")
        return 1
    where = {k: i for i, k in enumerate(idt)}
    if idr and not any(k in where for k in idr):
        import os
        base = {os.path.basename(k): i for i, k in enumerate(idt)}
        if any(os.path.basename(k) in base for k in idr):
            print("  ids differ in their directories: matching clips by file name")
            idr = [os.path.basename(k) for k in idr]
            where = base
        elif len(idr) == len(idt):
            print("  no id in common: matching clips by position")
            where = {k: i for i, k in enumerate(idr)}
    missing = [k for k in idr if k not in where]
    extra = len(idt) - (len(idr) - len(missing))
    if missing or extra:
        print(f"  ids: {len(missing)} clips missing from snd-melspec, {extra} extra")
    centres = slaney_mel_to_hz(np.linspace(slaney_hz_to_mel(F_MIN), slaney_hz_to_mel(F_MAX),
                                           N_MELS + 2))[1:-1]
    lo_hz, hi_hz = (float(x) for x in args.split_hz.split(","))
    region = np.digitize(centres, [lo_hz, hi_hz])       # 0, 1, 2 per band
    R, T = melr[()], melt[()]
    badframes, diffs = 0, ([], [], [])
    for i, k in enumerate(idr):
        if k not in where:
            continue
        j = where[k]
        r = R[offr[i]:offr[i + 1]]
        t = T[offt[j]:offt[j + 1]]
        if r.shape[0] != t.shape[0]:
            badframes += 1
            if badframes <= 5:
                print(f"  frames differ for {k}: torchaudio {r.shape[0]}, snd-melspec {t.shape[0]}")
            continue
        d = np.abs(r.astype(np.float64) - t)
        m = r > -100.0
        for g in range(3):
            b = region == g
            diffs[g].append(d[:, b][m[:, b]])
    compared = len(idr) - len(missing) - badframes
    print(f"  frame counts: {compared} clips equal, {badframes} differ")
    ok = not missing and not extra and badframes == 0

    def line(name, parts):
        v = np.concatenate(parts) if parts else np.zeros(0)
        if v.size == 0:
            print(f"  {name}: no values above -100 dB")
            return
        print(f"  {name}: max {v.max():.4f} dB, median {np.median(v):.5f} dB, "
              f"p99 {np.percentile(v, 99):.4f} dB over {v.size} values")

    print("  |difference| where torchaudio > -100 dB:")
    n = [int((region == g).sum()) for g in range(3)]
    lk, hk = lo_hz / 1000, hi_hz / 1000
    rows = [(f"all {N_MELS} bands", diffs[0] + diffs[1] + diffs[2]),
            (f"{n[0]:2d} bands, centre < {lk:g} kHz", diffs[0]),
            (f"{n[1]:2d} bands, centre {lk:g}-{hk:g} kHz", diffs[1]),
            (f"{n[2]:2d} bands, centre >= {hk:g} kHz", diffs[2])]
    width = max(len(r[0]) for r in rows)
    for name, parts in rows:
        line(name.ljust(width), parts)
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    j = sub.add_parser("job")
    j.add_argument("-j", type=int, default=2, help="torch intra-op threads")
    j.add_argument("-o", required=True, help="output HDF5 file")
    j.add_argument("audio", nargs="+")
    c = sub.add_parser("compare")
    c.add_argument("--split-hz", default="3000,4000", help="two band-centre limits, Hz")
    c.add_argument("ref")
    c.add_argument("test")
    a = p.parse_args()
    return job(a) if a.cmd == "job" else compare(a)


if __name__ == "__main__":
    sys.exit(main())
