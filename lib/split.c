/* split: fixed windows with a hop, or clips of sound between silences. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "clipname.h"
#include "split.h"
#include "strset.h"
#include "tsv.h"

#define READ_SAMPLES 4096

struct snd_splitter {
    struct snd_split_opts o;
    struct snd_tsv_writer *index;
    struct snd_audio_out *pcm_out; /* clips on stdout, when there is no template */
    struct snd_strset *names;      /* clip files written in this run */

    /* The source being split. */
    const char *source;
    char base[256];
    long n_clips;

    /* Fixed windows: the samples of the current window, from win_start. */
    long win_samples, hop_samples;
    float *win;
    long win_fill;
    long long win_start;
    long long skip; /* samples to drop before the next window, when hop > length */
    long long last_end;

    /* At silences: the clip being gathered. */
    struct snd_vad *vad;
    float *clip;
    long clip_len, clip_cap;
    long long clip_start;
    long min_samples, max_samples;
};

static const char *const index_cols[] = {"id", "source", "start", "end"};

int snd_split_check_opts(const struct snd_split_opts *o, struct snd_err *err)
{
    struct snd_clipname_fields f;

    if (o->at_silence) {
        if (snd_vad_check_opts(&o->vad, o->pcm.rate_hz, err) != 0)
            return -1;
        if (!(o->min_length_sec >= 0 && o->min_length_sec <= SND_SPLIT_MAX_CLIP_SEC))
            return snd_fail(err, "minimum length %gs is out of range", o->min_length_sec);
        if (!(o->max_length_sec >= 0 && o->max_length_sec <= SND_SPLIT_MAX_CLIP_SEC))
            return snd_fail(err, "maximum length %gs is out of range", o->max_length_sec);
        if (o->max_length_sec > 0 && o->max_length_sec < o->min_length_sec)
            return snd_fail(err, "maximum length %gs is below the minimum %gs", o->max_length_sec,
                            o->min_length_sec);
    } else {
        if (!(o->length_sec * o->pcm.rate_hz >= 1.0) || o->length_sec > SND_SPLIT_MAX_CLIP_SEC)
            return snd_fail(err, "length %gs is outside [1 sample, %gs]", o->length_sec,
                            SND_SPLIT_MAX_CLIP_SEC);
        if (!(o->hop_sec * o->pcm.rate_hz >= 1.0) || o->hop_sec > 1e6)
            return snd_fail(err, "hop %gs is below one sample or absurd", o->hop_sec);
    }
    if (o->out_template == NULL && o->index_path != NULL && strcmp(o->index_path, "-") == 0)
        return snd_fail(err, "the index cannot go to stdout with the clips: give -o or an "
                             "index file");
    if (o->out_template != NULL) {
        if (snd_clipname_check(o->out_template, &f, err) != 0)
            return -1;
        if (!f.index && !f.start)
            return snd_fail(err, "template '%s' needs {n} or {start}, or every clip gets one name",
                            o->out_template);
        if (snd_audio_check_out_path(o->out_template, err) != 0)
            return -1;
    }
    return 0;
}

struct snd_splitter *snd_split_new(const struct snd_split_opts *o, struct snd_err *err)
{
    struct snd_splitter *s;
    const char *index_path = o->index_path;

    if (snd_split_check_opts(o, err) != 0)
        return NULL;
    s = calloc(1, sizeof *s);
    if (s == NULL) {
        snd_fail(err, "out of memory");
        return NULL;
    }
    s->o = *o;
    s->win_samples = (long)lround(o->length_sec * o->pcm.rate_hz);
    s->hop_samples = (long)lround(o->hop_sec * o->pcm.rate_hz);
    s->min_samples = (long)lround(o->min_length_sec * o->pcm.rate_hz);
    s->max_samples = (long)lround(o->max_length_sec * o->pcm.rate_hz);
    if (!o->at_silence && (s->win = malloc((size_t)s->win_samples * sizeof *s->win)) == NULL) {
        snd_split_free(s);
        snd_fail(err, "out of memory for a %gs window", o->length_sec);
        return NULL;
    }
    s->names = snd_strset_new();
    if (s->names == NULL) {
        snd_split_free(s);
        snd_fail(err, "out of memory");
        return NULL;
    }
    if (o->out_template == NULL) {
        struct snd_pcm_fmt mono = snd_audio_mono(&o->pcm);
        s->pcm_out = snd_audio_create("-", &mono, err);
        if (s->pcm_out == NULL) {
            snd_split_free(s);
            return NULL;
        }
    } else if (index_path == NULL) {
        index_path = "-";
    }
    if (index_path != NULL) {
        s->index = snd_tsv_create(index_path, index_cols, 4, err);
        if (s->index == NULL) {
            snd_split_free(s);
            return NULL;
        }
    }
    return s;
}

/* Write n samples of x followed by pad zeros. */
static int write_padded(struct snd_audio_out *out, const float *x, long n, long pad,
                        struct snd_err *err)
{
    static const float zeros[READ_SAMPLES];

    if (snd_audio_write(out, x, n, err) != 0)
        return -1;
    for (; pad > 0; pad -= n) {
        n = pad < READ_SAMPLES ? pad : READ_SAMPLES;
        if (snd_audio_write(out, zeros, n, err) != 0)
            return -1;
    }
    return 0;
}

/* Write one clip, n samples of x then pad zeros, which starts at sample start of the
 * source and covers source_n samples of it; then its index row. */
static int emit_clip(struct snd_splitter *s, const float *x, long n, long pad, long long start,
                     long source_n, struct snd_err *err)
{
    char id[4096], t0[SND_TSV_TIME_LEN], t1[SND_TSV_TIME_LEN];
    double rate = s->o.pcm.rate_hz;
    const char *row[4];

    if (s->o.out_template != NULL) {
        struct snd_pcm_fmt mono = snd_audio_mono(&s->o.pcm);
        struct snd_audio_out *out;
        if (snd_clipname_expand(s->o.out_template, s->base, s->n_clips, start / rate, id, sizeof id,
                                err) != 0)
            return -1;
        switch (snd_strset_add(s->names, id)) {
        case 0:
            return snd_fail(err,
                            "%s: a second clip would get this name: the template needs a "
                            "field that tells them apart",
                            id);
        case -1:
            return snd_fail(err, "%s: out of memory", id);
        }
        out = snd_audio_create(id, &mono, err);
        if (out == NULL)
            return -1;
        if (write_padded(out, x, n, pad, err) != 0) {
            snd_audio_discard(out);
            return -1;
        }
        if (snd_audio_finish(out, err) != 0)
            return -1;
    } else {
        snprintf(id, sizeof id, "%s_%ld", s->base, s->n_clips);
        if (write_padded(s->pcm_out, x, n, pad, err) != 0)
            return -1;
    }
    s->n_clips++;
    if (s->index == NULL)
        return 0;
    row[0] = id;
    row[1] = s->source;
    row[2] = snd_tsv_fmt_sec(t0, start / rate);
    row[3] = snd_tsv_fmt_sec(t1, (start + source_n) / rate);
    return snd_tsv_write_row(s->index, row, err);
}

/* Fixed windows. */

static int windows_feed(struct snd_splitter *s, const float *x, long n, struct snd_err *err)
{
    while (n > 0) {
        long take;
        if (s->skip > 0) {
            take = n < s->skip ? n : (long)s->skip;
            s->skip -= take;
            x += take;
            n -= take;
            continue;
        }
        take = s->win_samples - s->win_fill;
        if (take > n)
            take = n;
        memcpy(s->win + s->win_fill, x, (size_t)take * sizeof *x);
        s->win_fill += take;
        x += take;
        n -= take;
        if (s->win_fill < s->win_samples)
            continue;
        if (emit_clip(s, s->win, s->win_samples, 0, s->win_start, s->win_samples, err) != 0)
            return -1;
        s->last_end = s->win_start + s->win_samples;
        s->win_start += s->hop_samples;
        if (s->hop_samples < s->win_samples) {
            s->win_fill -= s->hop_samples;
            memmove(s->win, s->win + s->hop_samples, (size_t)s->win_fill * sizeof *s->win);
        } else {
            s->win_fill = 0;
            s->skip = s->hop_samples - s->win_samples;
        }
    }
    return 0;
}

/* The samples left after the last whole window form one last window, unless the last
 * whole window already reached them: any later start would only repeat them. */
static int windows_finish(struct snd_splitter *s, struct snd_err *err)
{
    long n = s->win_fill;

    if (n == 0 || s->win_start + n <= s->last_end || s->o.last == SND_SPLIT_LAST_DROP)
        return 0;
    return emit_clip(s, s->win, n, s->o.last == SND_SPLIT_LAST_PAD ? s->win_samples - n : 0,
                     s->win_start, n, err);
}

/* At silences. */

static int clip_append(struct snd_splitter *s, const float *x, long n, struct snd_err *err)
{
    if (s->clip_len + n > s->clip_cap) {
        long cap = s->clip_cap ? s->clip_cap : 16384;
        float *c;
        while (cap < s->clip_len + n)
            cap *= 2;
        c = realloc(s->clip, (size_t)cap * sizeof *c);
        if (c == NULL)
            return snd_fail(err, "%s: out of memory for a clip of %ld samples", s->source, cap);
        s->clip = c;
        s->clip_cap = cap;
    }
    memcpy(s->clip + s->clip_len, x, (size_t)n * sizeof *x);
    s->clip_len += n;
    return 0;
}

static int clip_end(struct snd_splitter *s, struct snd_err *err)
{
    long n = s->clip_len;

    s->clip_len = 0;
    if (n == 0 || n < s->min_samples)
        return 0;
    return emit_clip(s, s->clip, n, 0, s->clip_start, n, err);
}

static int silence_frame(void *ctx, const struct snd_vad_frame *f, struct snd_err *err)
{
    struct snd_splitter *s = ctx;
    long i = 0;

    if (!f->keep)
        return clip_end(s, err);
    if (s->clip_len == 0)
        s->clip_start = f->start;
    while (i < f->n) {
        long take = f->n - i;
        if (s->max_samples > 0 && take > s->max_samples - s->clip_len)
            take = s->max_samples - s->clip_len;
        if (clip_append(s, f->samples + i, take, err) != 0)
            return -1;
        i += take;
        if (s->max_samples > 0 && s->clip_len == s->max_samples) {
            long long next = s->clip_start + s->clip_len;
            if (clip_end(s, err) != 0)
                return -1;
            s->clip_start = next;
        }
    }
    return 0;
}

static void reset_source(struct snd_splitter *s, const char *name)
{
    s->source = name;
    snd_clipname_base(name, s->base, sizeof s->base);
    s->n_clips = 0;
    s->win_fill = 0;
    s->win_start = 0;
    s->skip = 0;
    s->last_end = 0;
    s->clip_len = 0;
    s->clip_start = 0;
}

static int split_stream(struct snd_splitter *s, struct snd_audio_in *a, struct snd_err *err)
{
    float buf[READ_SAMPLES];
    long n;

    while ((n = snd_audio_read(a, buf, READ_SAMPLES, err)) > 0) {
        int r = s->o.at_silence ? snd_vad_feed(s->vad, buf, n, silence_frame, s, err)
                                : windows_feed(s, buf, n, err);
        if (r != 0)
            return -1;
    }
    if (n < 0)
        return -1;
    if (!s->o.at_silence)
        return windows_finish(s, err);
    if (snd_vad_finish(s->vad, silence_frame, s, err) != 0)
        return -1;
    return clip_end(s, err);
}

long snd_split_source(struct snd_splitter *s, const char *path, struct snd_err *err)
{
    struct snd_audio_in *a = snd_audio_open(path, &s->o.pcm, err);
    int r = -1;

    if (a == NULL)
        return -1;
    reset_source(s, snd_audio_name(a));
    if (s->o.at_silence) {
        snd_vad_free(s->vad);
        s->vad = snd_vad_new(&s->o.vad, s->o.pcm.rate_hz, err);
    }
    if (!s->o.at_silence || s->vad != NULL)
        r = split_stream(s, a, err);
    snd_audio_close(a);
    return r == 0 ? s->n_clips : -1;
}

int snd_split_finish(struct snd_splitter *s, struct snd_err *err)
{
    int r = 0;

    if (s->pcm_out != NULL) {
        r = snd_audio_finish(s->pcm_out, err);
        s->pcm_out = NULL;
    }
    if (r == 0)
        r = snd_tsv_finish(s->index, err);
    else
        snd_tsv_discard(s->index);
    s->index = NULL;
    snd_split_free(s);
    return r;
}

void snd_split_free(struct snd_splitter *s)
{
    if (s == NULL)
        return;
    snd_audio_discard(s->pcm_out);
    snd_tsv_discard(s->index);
    snd_vad_free(s->vad);
    snd_strset_free(s->names);
    free(s->win);
    free(s->clip);
    free(s);
}
