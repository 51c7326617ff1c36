/* silence: the three uses of the level detector: a report of stretches, trimming the
 * ends of a file, and a gate that passes only sound. */
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "clipname.h"
#include "silence.h"
#include "tsv.h"

#define READ_SAMPLES 4096

struct snd_silencer {
    struct snd_silence_opts o;
    struct snd_tsv_writer *report;
    struct snd_tsv_writer *log;
    struct snd_audio_out *run_out; /* gate, and trim to stdout: one stream for the run */
    struct snd_audio_out *out;     /* where the current source's audio goes */
    long long out_samples;         /* written to run_out so far */

    const char *source;
    struct snd_vad *vad;
    struct snd_silence_stats stats;
    long long end_sample; /* samples of the source seen so far */

    int run_open, run_sound; /* report: the stretch being measured */
    long long run_start;

    int started; /* trim: sound has begun; later silence is held until sound resumes */
    float *held;
    long held_len, held_cap;

    int dropping; /* gate: inside a dropped stretch */
    long long drop_start, drop_out;
};

static const char *const report_cols[] = {"id", "start", "end", "state"};
static const char *const log_cols[] = {"id", "start", "end", "output"};

static int is_template(const char *s)
{
    return s != NULL && strchr(s, '{') != NULL;
}

int snd_silence_check_opts(const struct snd_silence_opts *o, int n_sources, struct snd_err *err)
{
    struct snd_clipname_fields f;

    if (snd_vad_check_opts(&o->vad, o->pcm.rate_hz, err) != 0)
        return -1;
    if (o->log_path != NULL && o->mode != SND_SILENCE_GATE)
        return snd_fail(err, "--log goes with --gate");
    if (o->log_path != NULL && strcmp(o->log_path, "-") == 0 && o->output == NULL)
        return snd_fail(err, "the log cannot go to stdout with the audio: give -o or a log file");
    if (o->output == NULL)
        return 0;
    if (o->mode == SND_SILENCE_REPORT)
        return snd_fail(err, "--report writes its table to stdout; redirect it");
    if (is_template(o->output) && snd_clipname_check(o->output, &f, err) != 0)
        return -1;
    if (o->mode == SND_SILENCE_TRIM && n_sources > 1 && !(is_template(o->output) && f.base))
        return snd_fail(err, "trimming several sources needs an output template with {base}");
    if (o->mode == SND_SILENCE_GATE && is_template(o->output))
        return snd_fail(err, "--gate writes one stream: -o takes a file name, not a template");
    return snd_audio_check_out_path(o->output, err);
}

struct snd_silencer *snd_silence_new(const struct snd_silence_opts *o, struct snd_err *err)
{
    struct snd_silencer *s = calloc(1, sizeof *s);

    if (s == NULL) {
        snd_fail(err, "out of memory");
        return NULL;
    }
    s->o = *o;
    if (o->mode == SND_SILENCE_REPORT) {
        s->report = snd_tsv_create("-", report_cols, 4, err);
        if (s->report == NULL)
            goto fail;
    }
    if (o->mode == SND_SILENCE_GATE || (o->mode == SND_SILENCE_TRIM && o->output == NULL)) {
        struct snd_pcm_fmt mono = snd_audio_mono(&o->pcm);
        s->run_out = snd_audio_create(o->output, &mono, err);
        if (s->run_out == NULL)
            goto fail;
    }
    if (o->log_path != NULL) {
        s->log = snd_tsv_create(o->log_path, log_cols, 4, err);
        if (s->log == NULL)
            goto fail;
    }
    return s;
fail:
    snd_silence_free(s);
    return NULL;
}

static double sec(const struct snd_silencer *s, long long samples)
{
    return (double)samples / s->o.pcm.rate_hz;
}

static int write_time_row(struct snd_silencer *s, struct snd_tsv_writer *w, long long start,
                          long long end, const char *last, struct snd_err *err)
{
    char t0[SND_TSV_TIME_LEN], t1[SND_TSV_TIME_LEN];
    const char *row[4];

    row[0] = s->source;
    row[1] = snd_tsv_fmt_sec(t0, sec(s, start));
    row[2] = snd_tsv_fmt_sec(t1, sec(s, end));
    row[3] = last;
    return snd_tsv_write_row(w, row, err);
}

static int emit_run(struct snd_silencer *s, long long end, struct snd_err *err)
{
    if (!s->run_open || end <= s->run_start)
        return 0;
    return write_time_row(s, s->report, s->run_start, end, s->run_sound ? "sound" : "silence", err);
}

static int report_frame(struct snd_silencer *s, const struct snd_vad_frame *f, struct snd_err *err)
{
    if (s->run_open && f->sound == s->run_sound)
        return 0;
    if (emit_run(s, f->start, err) != 0)
        return -1;
    s->run_open = 1;
    s->run_sound = f->sound;
    s->run_start = f->start;
    return 0;
}

static int write_out(struct snd_silencer *s, const float *x, long n, struct snd_err *err)
{
    if (snd_audio_write(s->out, x, n, err) != 0)
        return -1;
    s->stats.kept_sec += sec(s, n);
    if (s->out == s->run_out)
        s->out_samples += n;
    return 0;
}

static int hold(struct snd_silencer *s, const float *x, long n, struct snd_err *err)
{
    if (s->held_len + n > s->held_cap) {
        long cap = s->held_cap ? 2 * s->held_cap : 16384;
        float *h;
        while (cap < s->held_len + n)
            cap *= 2;
        h = realloc(s->held, (size_t)cap * sizeof *h);
        if (h == NULL)
            return snd_fail(err, "%s: out of memory holding %ld samples of silence", s->source,
                            s->held_len);
        s->held = h;
        s->held_cap = cap;
    }
    memcpy(s->held + s->held_len, x, (size_t)n * sizeof *x);
    s->held_len += n;
    return 0;
}

/* Silence after the first sound is held back: written if sound follows, dropped at the
 * end. Memory grows only with an inner silence. */
static int trim_frame(struct snd_silencer *s, const struct snd_vad_frame *f, struct snd_err *err)
{
    if (!f->keep)
        return s->started ? hold(s, f->samples, f->n, err) : 0;
    s->started = 1;
    if (s->held_len > 0) {
        if (write_out(s, s->held, s->held_len, err) != 0)
            return -1;
        s->held_len = 0;
    }
    return write_out(s, f->samples, f->n, err);
}

static int end_drop(struct snd_silencer *s, long long end, struct snd_err *err)
{
    char at[SND_TSV_TIME_LEN];

    s->dropping = 0;
    if (s->log == NULL)
        return 0;
    return write_time_row(s, s->log, s->drop_start, end, snd_tsv_fmt_sec(at, sec(s, s->drop_out)),
                          err);
}

static int gate_frame(struct snd_silencer *s, const struct snd_vad_frame *f, struct snd_err *err)
{
    if (!f->keep) {
        if (!s->dropping) {
            s->dropping = 1;
            s->drop_start = f->start;
            s->drop_out = s->out_samples;
        }
        return 0;
    }
    if (s->dropping && end_drop(s, f->start, err) != 0)
        return -1;
    return write_out(s, f->samples, f->n, err);
}

static int on_frame(void *ctx, const struct snd_vad_frame *f, struct snd_err *err)
{
    struct snd_silencer *s = ctx;

    s->end_sample = f->start + f->n;
    if (!f->sound)
        s->stats.silence_sec += sec(s, f->n);
    switch (s->o.mode) {
    case SND_SILENCE_REPORT:
        return report_frame(s, f, err);
    case SND_SILENCE_TRIM:
        return trim_frame(s, f, err);
    case SND_SILENCE_GATE:
        return gate_frame(s, f, err);
    }
    return 0;
}

static int run_stream(struct snd_silencer *s, struct snd_audio_in *a, struct snd_err *err)
{
    float buf[READ_SAMPLES];
    long n;

    while ((n = snd_audio_read(a, buf, READ_SAMPLES, err)) > 0)
        if (snd_vad_feed(s->vad, buf, n, on_frame, s, err) != 0)
            return -1;
    if (n < 0 || snd_vad_finish(s->vad, on_frame, s, err) != 0)
        return -1;
    if (s->o.mode == SND_SILENCE_REPORT)
        return emit_run(s, s->end_sample, err);
    if (s->o.mode == SND_SILENCE_GATE && s->dropping)
        return end_drop(s, s->end_sample, err);
    return 0;
}

/* Trim writes each source to its own file unless everything goes to stdout. */
static int open_source_out(struct snd_silencer *s, struct snd_err *err)
{
    char path[4096], base[256];
    struct snd_pcm_fmt mono;

    s->out = s->run_out;
    if (s->out != NULL || s->o.mode != SND_SILENCE_TRIM)
        return 0;
    if (!is_template(s->o.output))
        snprintf(path, sizeof path, "%s", s->o.output);
    else if (snd_clipname_expand(s->o.output, snd_clipname_base(s->source, base, sizeof base), 0,
                                 0.0, path, sizeof path, err) != 0)
        return -1;
    mono = snd_audio_mono(&s->o.pcm);
    s->out = snd_audio_create(path, &mono, err);
    return s->out == NULL ? -1 : 0;
}

static void reset_source(struct snd_silencer *s, const char *name)
{
    memset(&s->stats, 0, sizeof s->stats);
    s->source = name;
    s->end_sample = 0;
    s->run_open = 0;
    s->started = 0;
    s->held_len = 0;
    s->dropping = 0;
}

int snd_silence_source(struct snd_silencer *s, const char *path, struct snd_silence_stats *stats,
                       struct snd_err *err)
{
    struct snd_audio_in *a = snd_audio_open(path, &s->o.pcm, err);
    int r = -1;

    if (a == NULL)
        return -1;
    reset_source(s, snd_audio_name(a));
    snd_vad_free(s->vad);
    s->vad = snd_vad_new(&s->o.vad, s->o.pcm.rate_hz, err);
    if (s->vad != NULL && open_source_out(s, err) == 0)
        r = run_stream(s, a, err);
    if (s->out != NULL && s->out != s->run_out) {
        if (r == 0)
            r = snd_audio_finish(s->out, err);
        else
            snd_audio_discard(s->out);
    }
    s->out = NULL;
    s->stats.total_sec = sec(s, s->end_sample);
    *stats = s->stats;
    snd_audio_close(a);
    return r;
}

int snd_silence_finish(struct snd_silencer *s, struct snd_err *err)
{
    int r = 0;

    if (s->run_out != NULL)
        r = snd_audio_finish(s->run_out, err);
    s->run_out = NULL;
    if (snd_tsv_finish(s->report, r == 0 ? err : NULL) != 0)
        r = -1;
    s->report = NULL;
    if (r == 0)
        r = snd_tsv_finish(s->log, err);
    s->log = NULL;
    snd_silence_free(s);
    return r;
}

void snd_silence_free(struct snd_silencer *s)
{
    if (s == NULL)
        return;
    snd_audio_discard(s->run_out);
    snd_tsv_discard(s->report);
    snd_tsv_discard(s->log);
    snd_vad_free(s->vad);
    free(s->held);
    free(s);
}
