/* classify: a trained model over features or audio (snd-classify): sliding windows of
 * the model's length, one network pass per batch of windows, and a row per window or per
 * clip in the order of the input. */
#ifndef SND_CLASSIFY_H
#define SND_CLASSIFY_H

#include "err.h"
#include "labelout.h"
#include "pcm.h"

/* ---- windows ------------------------------------------------------------------------- */

/* Cuts a clip's frames, as they arrive, into windows of W frames every hop frames:
 * windows start at 0, hop, 2 hop ... while they fit; when the clip ends past the last
 * window by less than a hop, one more window ends at the clip's end; a clip shorter than
 * a window gives one window with the clip centred in it (as snd-train validates). Memory
 * is 2 W frames whatever the clip's length. */
struct snd_windower;

/* A window: rows [pad, pad + n) of the W-row window are frames (n x n_mels floats,
 * borrowed for the call) from frame `first` of the clip; the other rows are empty. n is
 * W except for a short clip. A non-zero return, with err filled, stops the clip. */
typedef int (*snd_window_fn)(void *ctx, const float *frames, int n, int pad, long first,
                             struct snd_err *err);

struct snd_windower *snd_windower_new(int window, int hop, int n_mels, struct snd_err *err);
void snd_windower_free(struct snd_windower *w); /* NULL is fine */

/* Start a clip. */
void snd_windower_begin(struct snd_windower *w);

/* Add n frames; every window they complete goes to fn before this returns. Returns 0, or
 * -1 with err from fn. */
int snd_windower_push(struct snd_windower *w, const float *frames, long n, snd_window_fn fn,
                      void *ctx, struct snd_err *err);

/* End the clip: its last window, if one is due. Returns the frames the clip had, or -1
 * with err from fn. A clip without frames has no window. */
long snd_windower_end(struct snd_windower *w, snd_window_fn fn, void *ctx, struct snd_err *err);

/* ---- classification ------------------------------------------------------------------ */

enum snd_cls_aggregate { SND_CLS_WINDOWS, SND_CLS_MEAN, SND_CLS_MAX, SND_CLS_VOTE };

struct snd_classify_opts {
    const char *model;
    double hop_sec; /* between windows; <= 0: half the model's window */
    enum snd_cls_aggregate aggregate;
    int probs;        /* a p:CLASS column per class */
    int uncertainty;  /* entropy and margin columns */
    int top_k;        /* rows per window or clip, best first; 0: one (multi-label: the tags) */
    double threshold; /* multi-label: a tag is a class at or above it */
    enum snd_labelfmt format;
    int threads;
    int batch;              /* windows per network pass: beyond 4 the network is no
                               faster here, only larger */
    struct snd_pcm_fmt pcm; /* how raw audio files are read (rate: the model's) */
};

#define SND_CLASSIFY_OPTS_DEFAULT                                                                  \
    {                                                                                              \
        NULL, 0.0, SND_CLS_WINDOWS, 0, 0, 0, 0.5, SND_LABELFMT_TSV, 1, 4, SND_PCM_FMT_DEFAULT      \
    }

/* Called for each source that fails, with its error; the run goes on with the next. */
typedef void (*snd_classify_fail_fn)(void *ctx, const struct snd_err *err);

/* Classify every source ("-": stdin) with the model, writing rows to stdout in input
 * order. A source is features (an HDF5 file or a frame stream, told apart by their first
 * bytes; features of other parameters than the model's are refused, naming the
 * parameter) or an audio file, whose features are computed as snd-melspec would with the
 * model's parameters. On a frame stream each window's row is written as soon as its last
 * frame has arrived. A source that fails is reported through fail and the run goes on;
 * so is a clip without frames, which has no row. Returns the number of sources and
 * empty clips that failed, or -1 with err when the model or the output failed. */
long snd_classify_run(const struct snd_classify_opts *o, int n, char **paths,
                      snd_classify_fail_fn fail, void *ctx, struct snd_err *err);

#endif
