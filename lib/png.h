/* png: a log-mel spectrogram drawn as a PNG picture, time left to right, low bands at the
 * bottom, levels through a perceptually uniform colour map. */
#ifndef SND_PNG_H
#define SND_PNG_H

#include "err.h"

/* matplotlib's viridis (dark blue, green, yellow) and magma (black, purple, orange, pale
 * yellow), within 2/255 per channel of matplotlib's tables; tools/gen-cmap.py. */
enum snd_cmap { SND_CMAP_VIRIDIS, SND_CMAP_MAGMA };

/* Set *cmap from its name, "viridis" or "magma". Returns 0, or -1 with err naming s. */
int snd_cmap_parse(const char *s, enum snd_cmap *cmap, struct snd_err *err);

/* Write n_frames frames of n_mels floats (row-major: frame t, band b at t * n_mels + b;
 * values in dB, 10 log10 of a mel power, as snd_mel computes them) to path as an 8-bit
 * RGB PNG n_frames * scale pixels wide and n_mels * scale high. Time runs left to right,
 * one column per frame; band 0, the lowest frequency, is the bottom row. A value maps
 * linearly from [db_min, db_max] onto cmap, first colour to last; values outside are
 * clipped and NaN is drawn in the first colour. scale >= 1 repeats each frame and band
 * scale times in both directions, so that a short clip stays visible.
 *
 * The file appears whole or not at all (snd_atomic_create). Refused, before any file is
 * made: no frames ("PATH: nothing to draw"), n_mels or scale under 1, db_min >= db_max or
 * a bound that is not finite, a picture over 2^31 - 1 pixels either way. Returns 0, or -1
 * with err naming path; err->errnum keeps errno when writing failed (EPIPE included). */
int snd_png_write(const char *path, const float *frames, long n_frames, int n_mels, double db_min,
                  double db_max, enum snd_cmap cmap, int scale, struct snd_err *err);

#endif
