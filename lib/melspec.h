/* melspec: audio sources to log-mel spectrogram clips (snd-melspec). */
#ifndef SND_MELSPEC_H
#define SND_MELSPEC_H

#include "audio.h"
#include "err.h"
#include "featparams.h"
#include "mel.h"
#include "pcm.h"
#include "png.h"

struct snd_melspec_opts {
    struct snd_feat_params feat; /* feat.sample_rate is the working rate */
    struct snd_pcm_fmt pcm;      /* raw input's channels and encoding (rate: feat's) */
    const char *output;          /* an HDF5 file; NULL: a frame stream on stdout */
    int append;
    int threads;
    const char *stdin_id; /* the id of the clip read from stdin */
    const char *png;      /* a picture per clip: one file, or a template with {base} or {n} */
    enum snd_cmap cmap;
    double png_db_min, png_db_max;
    int png_scale;
};

/* The dB range of pictures: the floor of 16-bit audio's mel power lies near -100 dB and
 * full-scale sound near +40 dB; 100 dB of it shows speech and noise alike. */
#define SND_MELSPEC_OPTS_DEFAULT                                                                   \
    {                                                                                              \
        SND_FEAT_PARAMS_DEFAULT, SND_PCM_FMT_DEFAULT, NULL, 0, 1, "stdin", NULL, SND_CMAP_VIRIDIS, \
            -80.0, 20.0, 1                                                                         \
    }

/* A clip's frames gathered in memory, when they cannot be handed on as they come. Start
 * it zeroed with n_mels set; free v when done. */
struct snd_melspec_frames {
    float *v;
    long n, cap;
    int n_mels;
};

/* A snd_mel_frames_fn that appends the frames to ctx, a struct snd_melspec_frames. */
int snd_melspec_gather(void *ctx, const float *frames, long n, struct snd_err *err);

/* Read the audio source a (kept by the caller) to its end through mel, cap samples at a
 * time into buf, handing each frame to fn as soon as it is computed, then end the clip.
 * A live source is fed what has arrived, never held back. Returns 0, or -1 with err
 * (from the source or from fn), mel then being ready for a new clip. */
int snd_melspec_feed(struct snd_mel *mel, struct snd_audio_in *a, float *buf, long cap,
                     snd_mel_frames_fn fn, void *ctx, struct snd_err *err);

/* Called for each source that fails, with its error; the run goes on with the next. */
typedef void (*snd_melspec_fail_fn)(void *ctx, const struct snd_err *err);

/* Check the options: the parameters, the picture template against the number of
 * sources. Returns 0, or -1 with err (a usage error). */
int snd_melspec_check(const struct snd_melspec_opts *o, int n_sources, struct snd_err *err);

/* Compute the spectrogram of every source ("-": stdin) and write them, in input order,
 * to the output. One source, or one thread, streams: frames leave as soon as they are
 * computed and memory does not grow with a source's length. Otherwise sources are spread
 * over the threads a batch at a time. A source that fails is reported through fail and
 * left out (a file) or ends the run (a stream, which cannot take frames back); when every
 * source fails, no file is made. Returns the number of sources that failed, or -1 with err
 * when the output itself failed (then no file is left behind). */
long snd_melspec_run(const struct snd_melspec_opts *o, int n, char **paths,
                     snd_melspec_fail_fn fail, void *ctx, struct snd_err *err);

#endif
