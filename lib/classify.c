/* classify: sliding windows over features or audio through a trained network, with rows
 * written in input order as soon as they are known. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "classify.h"
#include "featstream.h"
#include "features.h"
#include "h5util.h"
#include "mel.h"
#include "melspec.h"
#include "model.h"
#include "pool.h"

/* ---- windows ------------------------------------------------------------------------- */

struct snd_windower {
    int W, hop, B;
    float *ring;     /* 2 W rows: frame f is at rows f % W and f % W + W, so the last W
                        frames are always contiguous */
    long total;      /* frames of the clip so far */
    long next_start; /* first frame of the next window */
    long last_end;   /* end of the last window given, 0 before any */
};

struct snd_windower *snd_windower_new(int window, int hop, int n_mels, struct snd_err *err)
{
    struct snd_windower *w = calloc(1, sizeof *w);
    if (w == NULL || (w->ring = malloc(2 * (size_t)window * n_mels * sizeof(float))) == NULL) {
        free(w);
        snd_fail(err, "out of memory");
        return NULL;
    }
    w->W = window, w->hop = hop, w->B = n_mels;
    return w;
}

void snd_windower_free(struct snd_windower *w)
{
    if (w != NULL)
        free(w->ring);
    free(w);
}

void snd_windower_begin(struct snd_windower *w)
{
    w->total = w->next_start = w->last_end = 0;
}

/* The last W frames, oldest first. */
static const float *last_frames(const struct snd_windower *w)
{
    return w->ring + (size_t)(w->total % w->W) * w->B;
}

int snd_windower_push(struct snd_windower *w, const float *frames, long n, snd_window_fn fn,
                      void *ctx, struct snd_err *err)
{
    size_t row = (size_t)w->B * sizeof(float);
    for (long i = 0; i < n; i++) {
        long r = w->total % w->W;
        memcpy(w->ring + (size_t)r * w->B, frames + (size_t)i * w->B, row);
        memcpy(w->ring + (size_t)(r + w->W) * w->B, frames + (size_t)i * w->B, row);
        w->total++;
        if (w->total == w->next_start + w->W) {
            if (fn(ctx, last_frames(w), w->W, 0, w->next_start, err) != 0)
                return -1;
            w->last_end = w->total;
            w->next_start += w->hop;
        }
    }
    return 0;
}

long snd_windower_end(struct snd_windower *w, snd_window_fn fn, void *ctx, struct snd_err *err)
{
    long len = w->total;
    int r = 0;
    if (len > 0 && len < w->W) /* centred as snd-train places a short example */
        r = fn(ctx, w->ring, (int)len, (int)((w->W - len) / 2), 0, err);
    else if (len > w->last_end)
        r = fn(ctx, last_frames(w), w->W, 0, len - w->W, err);
    snd_windower_begin(w);
    return r != 0 ? -1 : len;
}

/* ---- rows ----------------------------------------------------------------------------- */

/* A clip on its way through: its windows may sit in the batch of a later pass. */
struct clip {
    char *id;
    double start_sec;
    long frames;        /* known once ended */
    long windows, done; /* windows given to the network, and passed through it */
    int ended, failed, live;
    double *sum, *max, *votes; /* n_classes each, when aggregating */
    struct clip *next;
};

/* A window waiting in the batch: its clip and frames. */
struct slot {
    struct clip *clip;
    long first;
    int n;
};

struct run {
    const struct snd_classify_opts *o;
    struct snd_model *m;
    const char *model_name;
    struct snd_pool *pool;
    struct snd_windower *win;
    struct snd_labelout *out;
    int C, W, B, hop;
    double frame_sec; /* hop between frames, in seconds */
    double tail_sec;  /* a frame's reach past its start: 0 centred, n_fft otherwise */
    struct slot *slots;
    int n_slots;
    struct clip *head, *tail;  /* clips with rows still to write, oldest first */
    struct clip *cur;          /* the clip being read */
    snd_classify_fail_fn fail; /* told of a clip without frames, which has no row */
    void *fail_ctx;
    long n_empty;
    double *p;     /* C probabilities */
    int *order;    /* C class indices, best first */
    char **fields; /* extra columns' text */
    int n_extra;
    char *label; /* a multi-label row's tags */
    size_t label_cap;
};

static double entropy_of(const struct run *r, const double *p)
{
    double h = 0;
    for (int k = 0; k < r->C; k++) {
        double q = p[k];
        if (r->m->task == SND_TASK_MULTILABEL) { /* every tag is a yes-or-no question */
            if (q > 0 && q < 1)
                h -= q * log(q) + (1 - q) * log(1 - q);
        } else if (q > 0)
            h -= q * log(q);
    }
    return h;
}

/* How decided the row is: the best class's lead over the second; for tags, how far the
 * closest call is from the threshold, on a 0-1 scale. */
static double margin_of(const struct run *r, const double *p)
{
    if (r->m->task == SND_TASK_MULTILABEL) {
        double t = r->o->threshold, best = 1;
        for (int k = 0; k < r->C; k++) {
            double d = p[k] >= t ? (p[k] - t) / (1 - t) : (t - p[k]) / t;
            best = d < best ? d : best;
        }
        return best;
    }
    return r->C > 1 ? p[r->order[0]] - p[r->order[1]] : 1.0;
}

static void rank_classes(struct run *r, const double *p)
{
    for (int k = 0; k < r->C; k++) { /* insertion sort: stable, and C is small */
        int j = k;
        while (j > 0 && p[r->order[j - 1]] < p[k]) {
            r->order[j] = r->order[j - 1];
            j--;
        }
        r->order[j] = k;
    }
}

/* The tags at or above the threshold, comma-separated. */
static const char *tags_of(struct run *r, const double *p, struct snd_err *err)
{
    size_t len = 0;
    for (int k = 0; k < r->C; k++)
        len += strlen(r->m->labels[k]) + 1;
    if (len + 1 > r->label_cap) {
        char *b = realloc(r->label, len + 1);
        if (b == NULL) {
            snd_fail(err, "out of memory");
            return NULL;
        }
        r->label = b, r->label_cap = len + 1;
    }
    r->label[0] = '\0';
    for (int k = 0; k < r->C; k++)
        if (p[k] >= r->o->threshold) {
            if (r->label[0] != '\0')
                strcat(r->label, ",");
            strcat(r->label, r->m->labels[k]);
        }
    return r->label;
}

/* The row or rows for probabilities p of a window or clip spanning [t0, t1). */
static int write_rows(struct run *r, const char *id, double t0, double t1, const double *p,
                      struct snd_err *err)
{
    int f = 0, k_rows = r->o->top_k > 0 ? (r->o->top_k < r->C ? r->o->top_k : r->C) : 1;
    int rank_col = r->o->top_k > 0;
    rank_classes(r, p);
    if (rank_col)
        f++;
    if (r->o->uncertainty) {
        snprintf(r->fields[f++], 32, "%.6g", entropy_of(r, p));
        snprintf(r->fields[f++], 32, "%.6g", margin_of(r, p));
    }
    if (r->o->probs)
        for (int k = 0; k < r->C; k++)
            snd_labelout_fmt_prob(r->fields[f++], p[k]);
    for (int i = 0; i < k_rows; i++) {
        int c = r->order[i];
        const char *label = r->m->labels[c];
        double prob = p[c];
        if (rank_col)
            snprintf(r->fields[0], 32, "%d", i + 1);
        else if (r->m->task == SND_TASK_MULTILABEL && (label = tags_of(r, p, err)) == NULL)
            return -1;
        if (snd_labelout_row(r->out, id, t0, t1, label, prob, (const char *const *)r->fields,
                             err) != 0)
            return -1;
    }
    return 0;
}

/* Seconds from the start of a clip to the start of frame f and past the end of frame
 * f + n - 1. */
static double frame_start(const struct run *r, long f)
{
    return (double)f * r->frame_sec;
}

static double frames_end(const struct run *r, long f, long n)
{
    return (double)(f + n - 1) * r->frame_sec + r->tail_sec;
}

/* Fold one window's probabilities into its clip's aggregate. */
static void accumulate(struct run *r, struct clip *c, const double *p)
{
    int best = 0;
    for (int k = 0; k < r->C; k++) {
        c->sum[k] += p[k];
        c->max[k] = c->windows == 1 || p[k] > c->max[k] ? p[k] : c->max[k];
        best = p[k] > p[best] ? k : best;
        if (r->m->task == SND_TASK_MULTILABEL && p[k] >= r->o->threshold)
            c->votes[k] += 1;
    }
    if (r->m->task == SND_TASK_MULTICLASS)
        c->votes[best] += 1;
}

/* A clip's one row from its windows. */
static int write_clip_row(struct run *r, struct clip *c, struct snd_err *err)
{
    double *p = r->p, n = (double)c->done;
    for (int k = 0; k < r->C; k++) {
        switch (r->o->aggregate) {
        case SND_CLS_MAX:
            p[k] = c->max[k];
            break;
        case SND_CLS_VOTE: /* a vote's share; ties go to the higher mean, below */
            p[k] = c->votes[k] / n;
            break;
        default:
            p[k] = c->sum[k] / n;
        }
    }
    if (r->o->aggregate == SND_CLS_VOTE && r->m->task == SND_TASK_MULTICLASS) {
        /* Break ties between equal shares by the mean probability, invisibly small. */
        for (int k = 0; k < r->C; k++)
            p[k] += 1e-12 * c->sum[k] / n;
    }
    return write_rows(r, c->id, c->start_sec, c->start_sec + frames_end(r, 0, c->frames), p, err);
}

static void clip_free(struct clip *c)
{
    if (c == NULL)
        return;
    free(c->id);
    free(c->sum);
    free(c);
}

/* Write the rows of the clips at the head that are complete, and forget them. */
static int drain_clips(struct run *r, struct snd_err *err)
{
    while (r->head != NULL && r->head->ended && r->head->done == r->head->windows) {
        struct clip *c = r->head;
        if (!c->failed && r->o->aggregate != SND_CLS_WINDOWS && c->done > 0 &&
            write_clip_row(r, c, err) != 0)
            return -1;
        r->head = c->next;
        if (r->head == NULL)
            r->tail = NULL;
        clip_free(c);
    }
    return 0;
}

/* Run the network on the windows in the batch and hand out their probabilities. */
static int run_batch(struct run *r, struct snd_err *err)
{
    const float *logits;
    if (r->n_slots == 0)
        return 0;
    logits = snd_net_forward(r->m->net, r->n_slots, SND_NET_EVAL);
    for (int i = 0; i < r->n_slots; i++) {
        struct slot *s = &r->slots[i];
        struct clip *c = s->clip;
        snd_model_probs(r->m, logits + (size_t)i * r->C, r->p);
        c->done++;
        if (c->failed)
            continue;
        if (r->o->aggregate != SND_CLS_WINDOWS)
            accumulate(r, c, r->p);
        else if (write_rows(r, c->id, c->start_sec + frame_start(r, s->first),
                            c->start_sec + frames_end(r, s->first, s->n), r->p, err) != 0) {
            r->n_slots = 0;
            return -1;
        }
    }
    r->n_slots = 0;
    return drain_clips(r, err);
}

/* A window from the windower: standardise it into the network's next input slot. */
static int take_window(void *ctx, const float *frames, int n, int pad, long first,
                       struct snd_err *err)
{
    struct run *r = ctx;
    const struct snd_model *m = r->m;
    snd_model_window(m, frames, n, pad, snd_net_input(m->net) + (size_t)r->n_slots * r->W * r->B);
    r->slots[r->n_slots++] = (struct slot){r->cur, first, n};
    r->cur->windows++;
    /* A live clip's row is due as soon as its window is complete. */
    if (r->n_slots == r->o->batch || r->cur->live)
        return run_batch(r, err);
    return 0;
}

static int begin_clip(struct run *r, const char *id, double start_sec, int live,
                      struct snd_err *err)
{
    struct clip *c = calloc(1, sizeof *c);
    if (c == NULL || (c->id = strdup(id)) == NULL ||
        (r->o->aggregate != SND_CLS_WINDOWS &&
         (c->sum = calloc(3 * (size_t)r->C, sizeof(double))) == NULL)) {
        clip_free(c);
        return snd_fail(err, "out of memory");
    }
    if (c->sum != NULL)
        c->max = c->sum + r->C, c->votes = c->sum + 2 * r->C;
    c->start_sec = start_sec;
    c->live = live;
    if (r->tail != NULL)
        r->tail->next = c;
    else
        r->head = c;
    r->tail = c;
    r->cur = c;
    snd_windower_begin(r->win);
    return 0;
}

static int push_frames(void *ctx, const float *frames, long n, struct snd_err *err)
{
    struct run *r = ctx;
    return snd_windower_push(r->win, frames, n, take_window, r, err);
}

/* End the clip being read. A clip without frames has no row; it is named on stderr by
 * the caller through the return value 1. */
static int end_clip(struct run *r, int failed, struct snd_err *err)
{
    struct clip *c = r->cur;
    long n = failed ? 0 : snd_windower_end(r->win, take_window, r, err);
    r->cur = NULL;
    c->ended = 1;
    c->failed = failed || n < 0;
    c->frames = n > 0 ? n : 0;
    if (n < 0)
        return -1;
    if (n == 0 && !failed) { /* said, never a silent gap in the table */
        struct snd_err e = {0};
        snd_fail(&e, "%s: no frames, so no prediction", c->id);
        r->fail(r->fail_ctx, &e);
        r->n_empty++;
    }
    if (c->live && run_batch(r, err) != 0)
        return -1;
    return drain_clips(r, err);
}

/* ---- sources -------------------------------------------------------------------------- */

/* Whether the file at path holds features rather than audio, from its first bytes. */
static int is_features(const char *path)
{
    unsigned char head[8];
    size_t n = 0;
    FILE *f;
    if (strcmp(path, "-") == 0)
        return 1; /* stdin carries features: snd-melspec | snd-classify */
    if ((f = fopen(path, "rb")) == NULL)
        return 0; /* let the audio reader name the problem */
    n = fread(head, 1, sizeof head, f);
    fclose(f);
    return snd_h5_is_hdf5(head, n) || (n == 8 && memcmp(head, SND_FS_MAGIC, 8) == 0);
}

/* Status of a source: 0 done, 1 the source failed (err filled), -1 the output failed. */
static int output_failed(const struct snd_err *err)
{
    return err->errnum != 0; /* a write error: a closed pipe or a full disk */
}

static int classify_features(struct run *r, const char *path, float *buf, long cap,
                             struct snd_err *err)
{
    struct snd_feat_reader *f = snd_feat_open(path, err);
    const char *id;
    double start;
    long long n_frames;
    long n;
    int s = 0;

    if (f == NULL)
        return 1;
    if (snd_model_check_features(r->m, r->model_name, snd_feat_reader_params(f),
                                 snd_feat_reader_name(f), err) != 0) {
        snd_feat_close(f);
        return 1;
    }
    while ((s = snd_feat_next_clip(f, &id, &start, &n_frames, err)) == 1) {
        if (begin_clip(r, id, start, n_frames < 0, err) != 0)
            break;
        while ((n = snd_feat_read_frames(f, buf, cap, err)) > 0)
            if (push_frames(r, buf, n, err) != 0)
                break;
        if (n != 0) {
            struct snd_err keep = *err;
            if (end_clip(r, 1, err) != 0)
                keep = *err;
            *err = keep;
            s = -1;
            break;
        }
        if (end_clip(r, 0, err) != 0) {
            s = -1;
            break;
        }
    }
    snd_feat_close(f);
    if (s == 0)
        return 0;
    return output_failed(err) ? -1 : 1;
}

/* An audio file whose frames are computed on a thread, to be classified in order. */
struct audio_job {
    const char *path;
    struct snd_melspec_frames frames;
    int failed;
    struct snd_err err;
};

#define READ_SAMPLES 16384

/* Feed an audio file's features to fn, as snd-melspec computes them. Returns 0, or -1
 * with err. */
static int audio_features(const struct snd_classify_opts *o, const struct snd_feat_params *p,
                          struct snd_mel *mel, const char *path, float *buf, snd_mel_frames_fn fn,
                          void *ctx, struct snd_err *err)
{
    struct snd_pcm_fmt fmt = o->pcm;
    struct snd_audio_in *a;
    int r;

    fmt.rate_hz = p->sample_rate;
    if ((a = snd_audio_open(path, &fmt, err)) == NULL)
        return -1;
    r = snd_melspec_feed(mel, a, buf, READ_SAMPLES, fn, ctx, err);
    snd_audio_close(a);
    return r;
}

struct audio_batch {
    const struct snd_classify_opts *o;
    const struct snd_feat_params *p;
    struct snd_mel **mels;
    float **bufs;
    struct audio_job *jobs;
};

static void compute_job(void *ctx, long item, int thread)
{
    struct audio_batch *b = ctx;
    struct audio_job *j = &b->jobs[item];
    j->frames.n = 0;
    j->failed = audio_features(b->o, b->p, b->mels[thread], j->path, b->bufs[thread],
                               snd_melspec_gather, &j->frames, &j->err) != 0;
}

/* Classify the frames of a computed job. Same statuses as classify_features(). */
static int classify_job(struct run *r, struct audio_job *j, struct snd_err *err)
{
    if (j->failed) {
        *err = j->err;
        return 1;
    }
    if (begin_clip(r, j->path, 0.0, 0, err) != 0 ||
        push_frames(r, j->frames.v, j->frames.n, err) != 0 || end_clip(r, 0, err) != 0)
        return -1;
    return 0;
}

/* ---- the run -------------------------------------------------------------------------- */

struct sources {
    struct snd_mel **mels; /* one per thread */
    float **bufs;          /* one per thread */
    struct audio_job *jobs;
    long per; /* audio files computed together */
    int threads;
};

static int sources_new(struct sources *s, const struct snd_feat_params *p, int threads,
                       struct snd_err *err)
{
    s->threads = threads;
    s->per = 4L * threads;
    s->mels = calloc((size_t)threads, sizeof *s->mels);
    s->bufs = calloc((size_t)threads, sizeof *s->bufs);
    s->jobs = calloc((size_t)s->per, sizeof *s->jobs);
    if (s->mels == NULL || s->bufs == NULL || s->jobs == NULL)
        return snd_fail(err, "out of memory");
    for (int t = 0; t < threads; t++) {
        if ((s->mels[t] = snd_mel_new(p, err)) == NULL)
            return -1;
        if ((s->bufs[t] = malloc(READ_SAMPLES * sizeof(float))) == NULL)
            return snd_fail(err, "out of memory");
    }
    for (long k = 0; k < s->per; k++)
        s->jobs[k].frames.n_mels = p->n_mels;
    return 0;
}

static void sources_free(struct sources *s)
{
    for (int t = 0; s->mels != NULL && t < s->threads; t++)
        snd_mel_free(s->mels[t]);
    for (int t = 0; s->bufs != NULL && t < s->threads; t++)
        free(s->bufs[t]);
    for (long k = 0; s->jobs != NULL && k < s->per; k++)
        free(s->jobs[k].frames.v);
    free(s->mels);
    free(s->bufs);
    free(s->jobs);
}

/* Audio files paths[i] .. paths[end - 1], computed on the threads a group at a time (one
 * file alone is streamed), with *failed counted up. Returns 0, or -1 when the output
 * failed. */
static int classify_audio_run(struct run *r, struct sources *s, char **paths, int i, int end,
                              long *failed, snd_classify_fail_fn fail, void *ctx,
                              struct snd_err *err)
{
    if (end - i == 1 || s->threads == 1) {
        for (int k = i; k < end; k++) {
            if (begin_clip(r, paths[k], 0.0, 0, err) != 0)
                return -1;
            if (audio_features(r->o, &r->m->feat, s->mels[0], paths[k], s->bufs[0], push_frames, r,
                               err) != 0) {
                struct snd_err keep = *err;
                if (output_failed(err) || end_clip(r, 1, err) != 0)
                    return -1;
                *err = keep;
                ++*failed;
                fail(ctx, err);
                continue;
            }
            if (end_clip(r, 0, err) != 0)
                return -1;
        }
        return 0;
    }
    struct audio_batch b = {r->o, &r->m->feat, s->mels, s->bufs, s->jobs};
    for (int k = i; k < end; k += (int)s->per) {
        long m = end - k < s->per ? end - k : s->per;
        for (long q = 0; q < m; q++)
            s->jobs[q].path = paths[k + q];
        snd_pool_run(r->pool, m, compute_job, &b);
        for (long q = 0; q < m; q++) {
            int st = classify_job(r, &s->jobs[q], err);
            if (st < 0)
                return -1;
            if (st > 0) {
                ++*failed;
                fail(ctx, err);
            }
        }
    }
    return 0;
}

/* The extra columns' names: rank, entropy and margin, p:CLASS; NULL when out of memory.
 * Release with free_names(). */
static char **extra_names(const struct run *r)
{
    char **names = calloc((size_t)r->n_extra + 1, sizeof *names);
    int f = 0;
    if (names == NULL)
        return NULL;
    if (r->o->top_k > 0)
        names[f++] = strdup("rank");
    if (r->o->uncertainty)
        names[f++] = strdup("entropy"), names[f++] = strdup("margin");
    for (int k = 0; r->o->probs && k < r->C; k++) {
        size_t len = strlen(r->m->labels[k]) + 3;
        if ((names[f] = malloc(len)) != NULL)
            snprintf(names[f], len, "p:%s", r->m->labels[k]);
        f++;
    }
    return names;
}

static void free_names(char **names, int n)
{
    for (int f = 0; names != NULL && f < n; f++)
        free(names[f]);
    free(names);
}

static int run_open(struct run *r, const struct snd_classify_opts *o, struct snd_err *err)
{
    const struct snd_feat_params *p;
    char **names;
    int ok = 1;

    r->o = o;
    r->model_name = o->model;
    if ((r->pool = snd_pool_new(o->threads, err)) == NULL ||
        (r->m = snd_model_load(o->model, o->batch, r->pool, err)) == NULL)
        return -1;
    p = &r->m->feat;
    r->C = r->m->n_classes, r->W = r->m->window_frames, r->B = p->n_mels;
    r->frame_sec = (double)p->hop_length / p->sample_rate;
    r->tail_sec = p->center ? 0.0 : (double)p->n_fft / p->sample_rate;
    r->hop = o->hop_sec > 0 ? (int)lround(o->hop_sec / r->frame_sec) : snd_model_default_hop(r->m);
    r->hop = r->hop < 1 ? 1 : r->hop;
    r->n_extra = (o->top_k > 0) + 2 * (o->uncertainty != 0) + (o->probs ? r->C : 0);
    r->slots = calloc((size_t)o->batch, sizeof *r->slots);
    r->p = calloc((size_t)r->C, sizeof *r->p);
    r->order = calloc((size_t)r->C, sizeof *r->order);
    r->fields = calloc((size_t)r->n_extra + 1, sizeof *r->fields);
    names = r->fields != NULL ? extra_names(r) : NULL;
    ok = r->slots != NULL && r->p != NULL && r->order != NULL && names != NULL;
    for (int f = 0; ok && f < r->n_extra; f++)
        ok = names[f] != NULL && (r->fields[f] = malloc(32)) != NULL;
    if (!ok)
        snd_fail(err, "out of memory");
    else if ((r->win = snd_windower_new(r->W, r->hop, r->B, err)) != NULL)
        r->out = snd_labelout_new(stdout, "stdout", o->format, (const char *const *)names,
                                  r->n_extra, p->f_min, p->f_max, err);
    free_names(names, r->n_extra);
    return r->out != NULL ? 0 : -1;
}

static void run_close(struct run *r)
{
    while (r->head != NULL) {
        struct clip *c = r->head;
        r->head = c->next;
        clip_free(c);
    }
    for (int f = 0; r->fields != NULL && f < r->n_extra; f++)
        free(r->fields[f]);
    free(r->fields);
    free(r->label);
    free(r->order);
    free(r->p);
    free(r->slots);
    snd_windower_free(r->win);
    snd_model_free(r->m);
    snd_pool_free(r->pool);
}

long snd_classify_run(const struct snd_classify_opts *o, int n, char **paths,
                      snd_classify_fail_fn fail, void *ctx, struct snd_err *err)
{
    static char *const stdin_only[] = {"-"};
    struct run r = {0};
    struct sources s = {0};
    long failed = 0, cap = 0;
    float *buf = NULL;
    int i = 0;

    if (n == 0)
        n = 1, paths = (char **)stdin_only;
    r.fail = fail, r.fail_ctx = ctx;
    if (run_open(&r, o, err) != 0 || sources_new(&s, &r.m->feat, o->threads, err) != 0)
        goto fail;
    cap = 1024;
    if ((buf = malloc((size_t)cap * r.B * sizeof(float))) == NULL) {
        snd_fail(err, "out of memory");
        goto fail;
    }
    while (i < n) {
        int end = i;
        while (end < n && !is_features(paths[end])) /* a run of audio files */
            end++;
        if (end > i) {
            if (classify_audio_run(&r, &s, paths, i, end, &failed, fail, ctx, err) != 0)
                goto fail;
            if ((i = end) == n)
                break;
        }
        int st = classify_features(&r, paths[i], buf, cap, err);
        if (st < 0)
            goto fail;
        if (st > 0) {
            failed++;
            fail(ctx, err);
        }
        i++;
    }
    if (run_batch(&r, err) != 0 || drain_clips(&r, err) != 0)
        goto fail;
    if (snd_labelout_finish(r.out, err) != 0) {
        r.out = NULL;
        goto fail;
    }
    r.out = NULL;
    free(buf);
    sources_free(&s);
    run_close(&r);
    return failed + r.n_empty;
fail:
    if (r.out != NULL) {
        struct snd_err ignore = {0};
        snd_labelout_finish(r.out, &ignore);
    }
    free(buf);
    sources_free(&s);
    run_close(&r);
    return -1;
}
