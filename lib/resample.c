/* resample: a thin, stateful wrapper over libsamplerate's streaming API. */
#include <stdlib.h>

#include <samplerate.h>

#include "resample.h"

/* Medium sinc: a pass band to ~90% of Nyquist and ~97 dB stop band (libsamplerate's own
 * figures), far below the noise floor of 16-bit audio, at a third of "best"'s cost. */
#define CONVERTER SRC_SINC_MEDIUM_QUALITY

struct snd_resampler {
    SRC_STATE *src;
    double ratio;
};

struct snd_resampler *snd_resampler_new(int from_hz, int to_hz, struct snd_err *err)
{
    struct snd_resampler *rs;
    int e = 0;

    if (from_hz <= 0 || to_hz <= 0) {
        snd_fail(err, "cannot resample from %d Hz to %d Hz", from_hz, to_hz);
        return NULL;
    }
    rs = calloc(1, sizeof *rs);
    if (rs == NULL) {
        snd_fail(err, "out of memory");
        return NULL;
    }
    rs->ratio = (double)to_hz / from_hz;
    if (!src_is_valid_ratio(rs->ratio)) {
        free(rs);
        snd_fail(err, "cannot resample from %d Hz to %d Hz: ratio out of range", from_hz, to_hz);
        return NULL;
    }
    rs->src = src_new(CONVERTER, 1, &e);
    if (rs->src == NULL) {
        free(rs);
        snd_fail(err, "resampler: %s", src_strerror(e));
        return NULL;
    }
    return rs;
}

long snd_resampler_run(struct snd_resampler *rs, const float *in, long n_in, long *used, float *out,
                       long out_cap, int eof, struct snd_err *err)
{
    SRC_DATA d = {0};
    int e;

    d.data_in = in;
    d.input_frames = n_in;
    d.data_out = out;
    d.output_frames = out_cap;
    d.end_of_input = eof;
    d.src_ratio = rs->ratio;
    e = src_process(rs->src, &d);
    if (e != 0)
        return snd_fail(err, "resampler: %s", src_strerror(e));
    *used = d.input_frames_used;
    return d.output_frames_gen;
}

long snd_resampler_out_max(const struct snd_resampler *rs, long n_in)
{
    return (long)(n_in * rs->ratio) + 64;
}

void snd_resampler_free(struct snd_resampler *rs)
{
    if (rs == NULL)
        return;
    src_delete(rs->src);
    free(rs);
}
