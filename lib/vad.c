/* vad: level per frame -> hysteresis -> minimum durations -> padding, all streaming.
 * Frames live in a ring long enough for the longest undecided stretch. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vad.h"

/* Level given to an all-zero frame: below any threshold a user can set. */
#define LEVEL_FLOOR_DBFS -120.0f

struct frame_info {
    long long start;
    int n;
    float level_dbfs;
    int sound;
};

struct snd_vad {
    int rate_hz;
    int frame_samples;
    double threshold_dbfs, hysteresis_db;
    int min_frames[2]; /* a run of silence (0) or sound (1) must last this many frames */
    int pad_frames;

    int ring_frames;
    struct frame_info *info; /* ring, by frame index mod ring_frames */
    float *samples;          /* ring, frame_samples per slot */

    long long n_framed;  /* frames measured */
    long long n_decided; /* frames with a final sound decision */
    long long n_popped;  /* frames handed out */
    int fill;            /* samples in the frame being filled */
    long long n_samples; /* samples pushed */

    int raw_sound; /* the previous frame's state after hysteresis */
    int state;     /* the committed state */
    int pending;   /* frames after n_decided, all of the other state */
    int ended;
};

int snd_vad_check_opts(const struct snd_vad_opts *o, int rate_hz, struct snd_err *err)
{
    if (!(o->frame_sec * rate_hz >= 1.0) || !(o->frame_sec <= 1.0))
        return snd_fail(err, "frame length %gs is outside [1 sample, 1s]", o->frame_sec);
    if (!(o->threshold_dbfs >= -150.0 && o->threshold_dbfs <= 0.0))
        return snd_fail(err, "threshold %g dBFS is outside [-150, 0]", o->threshold_dbfs);
    if (!(o->hysteresis_db >= 0.0 && o->hysteresis_db <= 60.0))
        return snd_fail(err, "hysteresis %g dB is outside [0, 60]", o->hysteresis_db);
    if (!(o->min_sound_sec >= 0.0 && o->min_sound_sec <= 60.0))
        return snd_fail(err, "minimum sound %gs is outside [0, 60s]", o->min_sound_sec);
    if (!(o->min_silence_sec >= 0.0 && o->min_silence_sec <= 60.0))
        return snd_fail(err, "minimum silence %gs is outside [0, 60s]", o->min_silence_sec);
    if (!(o->pad_sec >= 0.0 && o->pad_sec <= 60.0))
        return snd_fail(err, "padding %gs is outside [0, 60s]", o->pad_sec);
    return 0;
}

static int frames_for(double sec, double frame_sec)
{
    int n = (int)lround(sec / frame_sec);

    return n < 1 ? 1 : n;
}

struct snd_vad *snd_vad_new(const struct snd_vad_opts *o, int rate_hz, struct snd_err *err)
{
    struct snd_vad *v;

    if (snd_vad_check_opts(o, rate_hz, err) != 0)
        return NULL;
    v = calloc(1, sizeof *v);
    if (v == NULL) {
        snd_fail(err, "out of memory");
        return NULL;
    }
    v->rate_hz = rate_hz;
    v->frame_samples = (int)lround(o->frame_sec * rate_hz);
    v->threshold_dbfs = o->threshold_dbfs;
    v->hysteresis_db = o->hysteresis_db;
    v->min_frames[0] = frames_for(o->min_silence_sec, o->frame_sec);
    v->min_frames[1] = frames_for(o->min_sound_sec, o->frame_sec);
    v->pad_frames = (int)lround(o->pad_sec / o->frame_sec);
    /* Undecided frames: a pending run shorter than the longer minimum, then pad frames of
     * look-ahead; popped frames stay pad frames longer, for the look-behind. */
    v->ring_frames = v->min_frames[0] + v->min_frames[1] + 2 * v->pad_frames + 4;
    v->info = calloc((size_t)v->ring_frames, sizeof *v->info);
    v->samples = malloc((size_t)v->ring_frames * (size_t)v->frame_samples * sizeof(float));
    if (v->info == NULL || v->samples == NULL) {
        snd_vad_free(v);
        snd_fail(err, "out of memory");
        return NULL;
    }
    return v;
}

static struct frame_info *info_at(const struct snd_vad *v, long long k)
{
    return &v->info[k % v->ring_frames];
}

static float *samples_at(const struct snd_vad *v, long long k)
{
    return v->samples + (size_t)(k % v->ring_frames) * (size_t)v->frame_samples;
}

static float frame_level_dbfs(const float *x, int n)
{
    double sum = 0.0;
    int i;

    for (i = 0; i < n; i++)
        sum += (double)x[i] * x[i];
    if (sum <= 0.0)
        return LEVEL_FLOOR_DBFS;
    return fmaxf(LEVEL_FLOOR_DBFS, (float)(10.0 * log10(sum / n)));
}

static void decide_through(struct snd_vad *v, long long end, int sound)
{
    for (; v->n_decided < end; v->n_decided++)
        info_at(v, v->n_decided)->sound = sound;
}

/* The frame just filled: measure it, apply hysteresis, then the minimum durations: a run
 * of the other state is pending until it lasts long enough to be committed. */
static void settle_frame(struct snd_vad *v)
{
    struct frame_info *fi = info_at(v, v->n_framed);
    double on = v->raw_sound ? v->threshold_dbfs - v->hysteresis_db : v->threshold_dbfs;
    int raw;

    fi->start = v->n_samples - v->fill;
    fi->n = v->fill;
    fi->level_dbfs = frame_level_dbfs(samples_at(v, v->n_framed), v->fill);
    raw = fi->level_dbfs >= on;
    v->raw_sound = raw;
    v->n_framed++;
    v->fill = 0;
    if (raw == v->state) {
        v->pending = 0;
        decide_through(v, v->n_framed, v->state);
        return;
    }
    if (++v->pending >= v->min_frames[raw]) {
        v->state = raw;
        v->pending = 0;
        decide_through(v, v->n_framed, raw);
    }
}

/* Sound within pad frames of k, among frames whose decision is known. */
static int keep_frame(const struct snd_vad *v, long long k)
{
    long long lo = k - v->pad_frames, hi = k + v->pad_frames, j;

    if (lo < 0)
        lo = 0;
    if (lo < v->n_popped - v->pad_frames)
        lo = v->n_popped - v->pad_frames;
    if (hi >= v->n_decided)
        hi = v->n_decided - 1;
    for (j = lo; j <= hi; j++)
        if (info_at(v, j)->sound)
            return 1;
    return 0;
}

static int pop_frame(struct snd_vad *v, struct snd_vad_frame *f)
{
    long long k = v->n_popped;
    const struct frame_info *fi;

    if (k >= v->n_decided || (!v->ended && k + v->pad_frames >= v->n_decided))
        return 0;
    fi = info_at(v, k);
    f->start = fi->start;
    f->n = fi->n;
    f->level_dbfs = fi->level_dbfs;
    f->sound = fi->sound;
    f->keep = keep_frame(v, k);
    f->samples = samples_at(v, k);
    v->n_popped++;
    return 1;
}

/* Whether the slot of the next frame is free: frames still needed are the undecided
 * ones and the pad frames behind the next to pop, which keep_frame() looks at. After a
 * drain at most max(min_frames) - 1 frames are pending and pad frames wait for their
 * look-ahead, so the ring's size guarantees this. */
static int ring_has_room(const struct snd_vad *v)
{
    return v->n_framed - (v->n_popped - v->pad_frames) < v->ring_frames;
}

static int drain(struct snd_vad *v, snd_vad_frame_fn fn, void *ctx, struct snd_err *err)
{
    struct snd_vad_frame f;

    while (pop_frame(v, &f))
        if (fn(ctx, &f, err) != 0)
            return -1;
    return 0;
}

int snd_vad_feed(struct snd_vad *v, const float *x, long n, snd_vad_frame_fn fn, void *ctx,
                 struct snd_err *err)
{
    while (n > 0) {
        int take = v->frame_samples - v->fill;
        if (take > n)
            take = (int)n;
        assert(ring_has_room(v));
        memcpy(samples_at(v, v->n_framed) + v->fill, x, (size_t)take * sizeof *x);
        v->fill += take;
        v->n_samples += take;
        x += take;
        n -= take;
        if (v->fill == v->frame_samples) {
            settle_frame(v);
            if (drain(v, fn, ctx, err) != 0)
                return -1;
        }
    }
    return 0;
}

int snd_vad_finish(struct snd_vad *v, snd_vad_frame_fn fn, void *ctx, struct snd_err *err)
{
    if (v->fill > 0)
        settle_frame(v);
    /* A run still pending at the end never lasted long enough: it keeps the old state. */
    decide_through(v, v->n_framed, v->state);
    v->pending = 0;
    v->ended = 1;
    return drain(v, fn, ctx, err);
}

int snd_vad_frame_samples(const struct snd_vad *v)
{
    return v->frame_samples;
}

void snd_vad_free(struct snd_vad *v)
{
    if (v == NULL)
        return;
    free(v->info);
    free(v->samples);
    free(v);
}
