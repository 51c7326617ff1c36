/* resample: streaming sample-rate conversion of mono float audio (libsamplerate). */
#ifndef SND_RESAMPLE_H
#define SND_RESAMPLE_H

#include "err.h"

struct snd_resampler;

/* A converter from from_hz to to_hz, mono. Returns NULL with err on failure.
 * The caller owns it; release with snd_resampler_free(). */
struct snd_resampler *snd_resampler_new(int from_hz, int to_hz, struct snd_err *err);

/* Convert: consume up to n_in samples of in (*used says how many) and write up to
 * out_cap samples to out. Pass eof = 1 once the input has ended, and keep calling with
 * n_in = 0 until the result is 0, to drain the filter's delay line. State is bounded
 * whatever the length of the stream. Returns the count written, or -1 with err. */
long snd_resampler_run(struct snd_resampler *rs, const float *in, long n_in, long *used, float *out,
                       long out_cap, int eof, struct snd_err *err);

void snd_resampler_free(struct snd_resampler *rs); /* NULL is fine */

#endif
