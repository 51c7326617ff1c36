/* melspec: decode, resample, spectrogram, write; one source streaming, or many in
 * parallel batches whose results are written in input order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "clipname.h"
#include "features.h"
#include "mel.h"
#include "melspec.h"
#include "pool.h"
#include "strset.h"

/* Samples read at once from a file: 4 s at 16 kHz, so a long file offers the threads
 * batches worth sharing. A live stream is read as it arrives instead. */
#define READ_SAMPLES 65536
/* Sources per parallel batch, per thread: enough to keep every thread busy while the
 * main thread writes the previous batch's results in order. */
#define BATCH_PER_THREAD 64

struct run {
    const struct snd_melspec_opts *o;
    struct snd_feat_writer *out;
    long clip_index; /* clips written, for picture names */
    struct snd_melspec_frames pic;
    int collect;                 /* gather frames for a picture */
    float *buf;                  /* READ_SAMPLES of decoded audio */
    struct snd_strset *pictures; /* names drawn so far: none is drawn twice */
};

int snd_melspec_gather(void *ctx, const float *frames, long n, struct snd_err *err)
{
    struct snd_melspec_frames *g = ctx;

    if (g->n + n > g->cap) {
        long cap = g->cap ? g->cap : 256;
        float *v;
        while (cap < g->n + n)
            cap *= 2;
        v = realloc(g->v, (size_t)cap * (size_t)g->n_mels * sizeof *v);
        if (v == NULL)
            return snd_fail(err, "out of memory for %ld frames", cap);
        g->v = v;
        g->cap = cap;
    }
    memcpy(g->v + (size_t)g->n * g->n_mels, frames, (size_t)n * (size_t)g->n_mels * sizeof *frames);
    g->n += n;
    return 0;
}

int snd_melspec_feed(struct snd_mel *mel, struct snd_audio_in *a, float *buf, long cap,
                     snd_mel_frames_fn fn, void *ctx, struct snd_err *err)
{
    long n;

    while ((n = snd_audio_read_block(a, buf, cap, err)) > 0)
        if (snd_mel_feed(mel, buf, n, fn, ctx, err) != 0) {
            n = -1;
            break;
        }
    if (n == 0 && snd_mel_finish(mel, fn, ctx, err) == 0)
        return 0;
    snd_mel_reset(mel);
    return -1;
}

static int is_template(const char *s)
{
    return strchr(s, '{') != NULL;
}

int snd_melspec_check(const struct snd_melspec_opts *o, int n_sources, struct snd_err *err)
{
    struct snd_clipname_fields f;
    struct snd_mel *m = snd_mel_new(&o->feat, err); /* builds the filterbank: too many mels? */

    if (m == NULL)
        return -1;
    snd_mel_free(m);
    if (o->threads < 1 || o->threads > 1024)
        return snd_fail(err, "threads %d is outside [1, 1024]", o->threads);
    if (o->append && o->output == NULL)
        return snd_fail(err, "--append needs -o FILE.h5");
    if (o->png == NULL)
        return 0;
    if (!(o->png_db_min < o->png_db_max))
        return snd_fail(err, "picture range %g..%g dB is empty", o->png_db_min, o->png_db_max);
    if (o->png_scale < 1 || o->png_scale > 16)
        return snd_fail(err, "picture scale %d is outside [1, 16]", o->png_scale);
    if (!is_template(o->png)) {
        if (n_sources > 1)
            return snd_fail(err,
                            "--png %s names one picture for %d sources: give a template "
                            "with {base} or {n}",
                            o->png, n_sources);
        return 0;
    }
    if (snd_clipname_check(o->png, &f, err) != 0)
        return -1;
    if (!f.base && !f.index && n_sources > 1)
        return snd_fail(err, "--png template '%s' needs {base} or {n}", o->png);
    return 0;
}

/* The picture of a clip, named by the --png template. */
static int write_picture(struct run *r, const char *source, const float *frames, long n,
                         struct snd_err *err)
{
    const struct snd_melspec_opts *o = r->o;
    char path[4096], base[256];

    if (o->png == NULL)
        return 0;
    if (is_template(o->png)) {
        snd_clipname_base(source, base, sizeof base);
        if (snd_clipname_expand(o->png, base, r->clip_index, 0.0, path, sizeof path, err) != 0)
            return -1;
    } else {
        snprintf(path, sizeof path, "%s", o->png);
    }
    switch (snd_strset_add(r->pictures, path)) {
    case 0:
        return snd_fail(err,
                        "%s: a second picture would get this name: the template needs {n} "
                        "or a different {base}",
                        path);
    case -1:
        return snd_fail(err, "%s: out of memory", path);
    }
    return snd_png_write(path, frames, n, o->feat.n_mels, o->png_db_min, o->png_db_max, o->cmap,
                         o->png_scale, err);
}

static const char *clip_id(const struct run *r, const char *path)
{
    return strcmp(path, "-") == 0 ? r->o->stdin_id : path;
}

/* Streaming. */

static int stream_frames(void *ctx, const float *frames, long n, struct snd_err *err)
{
    struct run *r = ctx;

    if (r->collect && snd_melspec_gather(&r->pic, frames, n, err) != 0)
        return -1;
    return snd_feat_write_frames(r->out, frames, n, err);
}

/* One source, streamed into the output. Returns 0, 1 when the source failed (err filled,
 * the clip dropped), or -1 when the output failed. */
static int stream_source(struct run *r, struct snd_mel *mel, const char *path, struct snd_err *err)
{
    struct snd_pcm_fmt fmt = r->o->pcm;
    struct snd_audio_in *a;
    int fed;

    fmt.rate_hz = r->o->feat.sample_rate;
    a = snd_audio_open(path, &fmt, err);
    if (a == NULL)
        return 1;
    r->pic.n = 0;
    if (snd_feat_begin_clip(r->out, clip_id(r, path), 0.0, err) != 0) {
        snd_audio_close(a);
        return -1;
    }
    fed = snd_melspec_feed(mel, a, r->buf, READ_SAMPLES, stream_frames, r, err);
    snd_audio_close(a);
    if (fed == 0) {
        if (snd_feat_end_clip(r->out, err) != 0)
            return -1;
        if (write_picture(r, path, r->pic.v, r->pic.n, err) != 0)
            return 1;
        r->clip_index++;
        return 0;
    }
    /* The source failed (or the output: a write error has errnum set). */
    if (err->errnum != 0) /* a write to the output failed */
        return -1;
    {
        struct snd_err source_err = *err;
        if (snd_feat_abort_clip(r->out, err) != 0) {
            /* A stream cannot take frames back: the run stops, on the source's error. */
            *err = source_err;
            return -1;
        }
        *err = source_err;
        return 1;
    }
}

/* Parallel batches. */

struct job {
    const char *path;
    struct snd_melspec_frames frames;
    struct snd_err err;
    int failed;
};

struct batch {
    const struct snd_melspec_opts *o;
    struct snd_mel **mels; /* one per thread */
    float **bufs;          /* one per thread: READ_SAMPLES of decoded audio */
    struct job *jobs;
};

static void compute_job(void *ctx, long item, int thread)
{
    struct batch *b = ctx;
    struct job *j = &b->jobs[item];
    struct snd_pcm_fmt fmt = b->o->pcm;
    struct snd_audio_in *a;

    fmt.rate_hz = b->o->feat.sample_rate;
    j->frames.n = 0;
    j->frames.n_mels = b->o->feat.n_mels;
    a = snd_audio_open(j->path, &fmt, &j->err);
    j->failed = a == NULL || snd_melspec_feed(b->mels[thread], a, b->bufs[thread], READ_SAMPLES,
                                              snd_melspec_gather, &j->frames, &j->err) != 0;
    snd_audio_close(a);
}

/* Write a computed job. Returns 0, 1 when it had failed, -1 when the output failed. */
static int write_job(struct run *r, struct job *j, struct snd_err *err)
{
    if (j->failed) {
        *err = j->err;
        return 1;
    }
    if (snd_feat_begin_clip(r->out, clip_id(r, j->path), 0.0, err) != 0 ||
        snd_feat_write_frames(r->out, j->frames.v, j->frames.n, err) != 0 ||
        snd_feat_end_clip(r->out, err) != 0)
        return -1;
    if (write_picture(r, j->path, j->frames.v, j->frames.n, err) != 0)
        return 1;
    r->clip_index++;
    return 0;
}

static long run_parallel(struct run *r, struct snd_pool *pool, struct snd_mel **mels, int n,
                         char **paths, snd_melspec_fail_fn fail, void *ctx, struct snd_err *err)
{
    long per = (long)BATCH_PER_THREAD * snd_pool_threads(pool), failed = 0, i, k;
    int threads = snd_pool_threads(pool), t;
    struct batch b = {r->o, mels, calloc((size_t)threads, sizeof *b.bufs),
                      calloc((size_t)per, sizeof *b.jobs)};

    for (t = 0; b.bufs != NULL && t < threads; t++)
        if ((b.bufs[t] = malloc(READ_SAMPLES * sizeof *b.bufs[t])) == NULL)
            break;
    if (b.jobs == NULL || b.bufs == NULL || t < threads) {
        failed = snd_fail(err, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i += per) {
        long m = n - i < per ? n - i : per;
        for (k = 0; k < m; k++) {
            b.jobs[k].path = paths[i + k];
            b.jobs[k].failed = 0;
        }
        snd_pool_run(pool, m, compute_job, &b);
        for (k = 0; k < m; k++) {
            int w = write_job(r, &b.jobs[k], err);
            if (w < 0) {
                failed = -1;
                goto out;
            }
            if (w > 0) {
                failed++;
                fail(ctx, err);
            }
        }
    }
out:
    for (k = 0; b.jobs != NULL && k < per; k++)
        free(b.jobs[k].frames.v);
    for (t = 0; b.bufs != NULL && t < threads; t++)
        free(b.bufs[t]);
    free(b.bufs);
    free(b.jobs);
    return failed;
}

static long run_streaming(struct run *r, struct snd_mel *mel, int n, char **paths,
                          snd_melspec_fail_fn fail, void *ctx, struct snd_err *err)
{
    long failed = 0;
    int i, s;

    for (i = 0; i < n; i++) {
        s = stream_source(r, mel, paths[i], err);
        if (s < 0)
            return -1;
        if (s > 0) {
            failed++;
            fail(ctx, err);
        }
    }
    return failed;
}

long snd_melspec_run(const struct snd_melspec_opts *o, int n, char **paths,
                     snd_melspec_fail_fn fail, void *ctx, struct snd_err *err)
{
    static char *const stdin_only[] = {"-"};
    /* Several sources: one per thread. One source: its frames shared out by the pool. */
    int threads = n > 1 ? (o->threads < n ? o->threads : n) : 1, t;
    int pool_threads = n > 1 ? threads : o->threads;
    struct run r = {o, NULL, 0, {NULL, 0, 0, o->feat.n_mels}, o->png != NULL, NULL, NULL};
    struct snd_mel **mels = calloc((size_t)threads, sizeof *mels);
    struct snd_pool *pool = NULL;
    long failed = -1;

    if (n == 0) {
        n = 1;
        paths = (char **)stdin_only;
    }
    r.buf = malloc(READ_SAMPLES * sizeof *r.buf);
    r.pictures = snd_strset_new();
    if (mels == NULL || r.buf == NULL || r.pictures == NULL) {
        free(mels);
        free(r.buf);
        snd_strset_free(r.pictures);
        snd_fail(err, "out of memory");
        return -1;
    }
    for (t = 0; t < threads; t++)
        if ((mels[t] = snd_mel_new(&o->feat, err)) == NULL)
            goto out;
    r.out = snd_feat_create(o->output, &o->feat, o->append, err);
    if (r.out == NULL)
        goto out;
    if (pool_threads > 1 && (pool = snd_pool_new(pool_threads, err)) == NULL)
        goto out;
    if (n == 1 && pool != NULL && snd_mel_use_pool(mels[0], pool, err) != 0)
        goto out;
    failed = n > 1 && pool ? run_parallel(&r, pool, mels, n, paths, fail, ctx, err)
                           : run_streaming(&r, mels[0], n, paths, fail, ctx, err);
    /* Every source failed: a file with no clips would only hide that. */
    if (failed == n && !snd_feat_is_stream(r.out))
        goto out;
    if (failed < 0)
        goto out; /* the output failed: discarded below */
    if (snd_feat_finish(r.out, err) != 0)
        failed = -1;
    r.out = NULL; /* finished, or freed by a failed finish */
out:
    snd_feat_discard(r.out);
    snd_pool_free(pool);
    for (t = 0; t < threads; t++)
        snd_mel_free(mels[t]);
    free(mels);
    free(r.pic.v);
    free(r.buf);
    snd_strset_free(r.pictures);
    return failed;
}
