#!/usr/bin/python3
"""gen-cmap.py: the compact colour maps in lib/png.c, fitted to matplotlib's.

matplotlib's viridis and magma (Smith and van der Walt, released CC0) are tables of
256 RGB colours. snd keeps 33 control points per map, evenly spaced on [0, 1], and
interpolates linearly between them. The first and last points are matplotlib's end
colours; the 31 inner ones are a least-squares fit to all 256 entries, which takes
a third off the error of sampling the table at the knots.

The script evaluates the map exactly as lib/png.c does (t -> linear interpolation ->
8-bit rounding) at each table position i/255, prints the largest difference from
matplotlib's colour times 255, fails if it reaches 2, and prints the C tables for
lib/png.c on stdout.

usage: /usr/bin/python3 tools/gen-cmap.py   (needs numpy and matplotlib, e.g. Debian's
python3-matplotlib)
"""
import sys

import numpy as np
from matplotlib import colormaps

N_KNOTS = 33  # 32 segments; 17 knots leave up to 4/255 error in viridis' blue
MAX_ERR = 2.0  # in 1/255 units per channel


def basis(n_knots, t):
    """The matrix B with B @ knots = the linear interpolant at the points t."""
    b = np.zeros((len(t), n_knots))
    for i, ti in enumerate(t):
        x = ti * (n_knots - 1)
        j = min(int(x), n_knots - 2)
        f = x - j
        b[i, j] += 1 - f
        b[i, j + 1] += f
    return b


def fit(ref):
    """Knot values (N_KNOTS x 3) with pinned ends and least-squares inner points."""
    t = np.linspace(0, 1, len(ref))
    b = basis(N_KNOTS, t)
    knots = np.zeros((N_KNOTS, 3))
    knots[0], knots[-1] = ref[0], ref[-1]
    rest = ref - np.outer(b[:, 0], ref[0]) - np.outer(b[:, -1], ref[-1])
    knots[1:-1] = np.linalg.lstsq(b[:, 1:-1], rest, rcond=None)[0]
    return np.round(np.clip(knots, 0, 1), 4)  # as printed below


def render(knots, t):
    """The 8-bit colours lib/png.c draws for the points t."""
    c = basis(len(knots), t) @ knots
    return np.floor(c * 255 + 0.5)


def main():
    out = []
    worst = 0.0
    for name in ("viridis", "magma"):
        ref = np.array(colormaps[name].colors)
        knots = fit(ref)
        err = np.abs(render(knots, np.linspace(0, 1, len(ref))) - ref * 255).max(axis=0)
        worst = max(worst, err.max())
        print("%s: max error R %.3f G %.3f B %.3f (1/255)" % (name, *err), file=sys.stderr)
        out.append("static const double cmap_%s[CMAP_KNOTS][3] = {" % name)
        for k in knots:
            out.append("    {%.4f, %.4f, %.4f}," % tuple(k))
        out.append("};")
    print("#define CMAP_KNOTS %d" % N_KNOTS)
    print("\n".join(out))
    if worst >= MAX_ERR:
        print("gen-cmap: error %.3f/255 is too large" % worst, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
