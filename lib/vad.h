/* vad: a streaming sound/silence decision per short frame, from its level. Shared by
 * snd-silence (report, trim, gate) and snd-split (cut at silences). */
#ifndef SND_VAD_H
#define SND_VAD_H

#include "err.h"

struct snd_vad_opts {
    double frame_sec;       /* length of the frames whose RMS level is measured */
    double threshold_dbfs;  /* a frame at or above this level is sound */
    double hysteresis_db;   /* once sound, a frame stays sound down to threshold - this */
    double min_sound_sec;   /* shorter bursts (clicks) do not break a silence */
    double min_silence_sec; /* shorter pauses do not break a sound */
    double pad_sec;         /* silence kept around sound by trim, gate and split */
};

/* 10 ms frames; -40 dBFS is well above a quiet room's noise in a 16-bit recording and
 * well below speech; 50 ms ignores clicks; 200 ms keeps the pauses inside a word. */
#define SND_VAD_OPTS_DEFAULT                                                                       \
    {                                                                                              \
        0.010, -40.0, 6.0, 0.050, 0.200, 0.100                                                     \
    }

/* One decided frame. samples is borrowed until the next snd_vad_pop(). */
struct snd_vad_frame {
    long long start;  /* first sample, counted from the start of the stream */
    int n;            /* samples in the frame: the last one may be short */
    float level_dbfs; /* 20 log10(RMS), full-scale square wave = 0 dBFS; -120 for zeros */
    int sound;        /* after hysteresis and minimum durations */
    int keep;         /* sound lies within pad_sec either side */
    const float *samples;
};

struct snd_vad;

/* A detector for audio at rate_hz. Returns NULL with err when an option is out of range
 * (each must be finite; frame_sec at least one sample). The caller owns it; release
 * with snd_vad_free(). */
struct snd_vad *snd_vad_new(const struct snd_vad_opts *o, int rate_hz, struct snd_err *err);

/* Called with each decided frame, in order; a non-zero return (with err filled) stops
 * the feed, which then returns -1. */
typedef int (*snd_vad_frame_fn)(void *ctx, const struct snd_vad_frame *f, struct snd_err *err);

/* Append n samples and hand every frame that became decided to fn. A frame is decided
 * after a delay of at most min_sound + min_silence + pad, so memory stays bounded.
 * Returns 0, or -1 with err from fn. */
int snd_vad_feed(struct snd_vad *v, const float *x, long n, snd_vad_frame_fn fn, void *ctx,
                 struct snd_err *err);

/* End the input: settle the last partial frame and every pending decision, and hand
 * the remaining frames to fn. Returns 0, or -1 with err from fn. */
int snd_vad_finish(struct snd_vad *v, snd_vad_frame_fn fn, void *ctx, struct snd_err *err);

/* Samples per frame at this detector's rate. */
int snd_vad_frame_samples(const struct snd_vad *v);

void snd_vad_free(struct snd_vad *v); /* NULL is fine */

/* Check the options a user gave, naming the first bad one. Returns 0, or -1 with err. */
int snd_vad_check_opts(const struct snd_vad_opts *o, int rate_hz, struct snd_err *err);

#endif
