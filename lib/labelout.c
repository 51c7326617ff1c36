/* labelout: labelled stretches of time as snd TSV, Audacity label tracks and Raven
 * selection tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labelout.h"
#include "tsv.h"

#define MAX_COLS 512

struct snd_labelout {
    enum snd_labelfmt fmt;
    struct snd_tsv_writer *w;
    int n_extra;
    long selection; /* Raven numbers its selections from 1 */
    double low_hz, high_hz;
};

int snd_labelfmt_parse(const char *s, enum snd_labelfmt *fmt)
{
    static const char *const names[] = {"tsv", "audacity", "raven"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *fmt = (enum snd_labelfmt)i;
            return 0;
        }
    return -1;
}

/* The header of format fmt with the extra columns; the column count is returned. */
static int header(enum snd_labelfmt fmt, const char *const *extra, int n_extra, const char **cols)
{
    static const char *const tsv[] = {"id", "start", "end", "label", "prob"};
    /* Raven's own columns first (it reads the rest as annotations), then ours. */
    static const char *const raven[] = {
        "Selection",    "View",          "Channel",        "Begin File", "Begin Time (s)",
        "End Time (s)", "Low Freq (Hz)", "High Freq (Hz)", "Annotation", "Confidence"};
    const char *const *base = fmt == SND_LABELFMT_RAVEN ? raven : tsv;
    int n = fmt == SND_LABELFMT_RAVEN ? 10 : 5;
    memcpy(cols, base, (size_t)n * sizeof *cols);
    for (int i = 0; i < n_extra; i++)
        cols[n + i] = extra[i];
    return n + n_extra;
}

struct snd_labelout *snd_labelout_new(FILE *f, const char *name, enum snd_labelfmt fmt,
                                      const char *const *extra, int n_extra, double low_hz,
                                      double high_hz, struct snd_err *err)
{
    const char *cols[MAX_COLS];
    struct snd_labelout *o;
    int n;

    if (n_extra < 0 || n_extra > MAX_COLS - 10) {
        snd_fail(err, "%s: too many columns (%d)", name, n_extra);
        return NULL;
    }
    if ((o = calloc(1, sizeof *o)) == NULL) {
        snd_fail(err, "out of memory");
        return NULL;
    }
    o->fmt = fmt;
    o->n_extra = fmt == SND_LABELFMT_AUDACITY ? 0 : n_extra;
    o->low_hz = low_hz;
    o->high_hz = high_hz;
    if (fmt == SND_LABELFMT_AUDACITY)
        o->w = snd_tsv_create_stream(f, name, NULL, 3, err);
    else {
        n = header(fmt, extra, o->n_extra, cols);
        o->w = snd_tsv_create_stream(f, name, cols, n, err);
    }
    if (o->w == NULL) {
        free(o);
        return NULL;
    }
    return o;
}

char *snd_labelout_fmt_prob(char *buf, double p)
{
    snprintf(buf, SND_TSV_TIME_LEN, "%.6g", p);
    return buf;
}

int snd_labelout_row(struct snd_labelout *o, const char *id, double start, double end,
                     const char *label, double prob, const char *const *extra, struct snd_err *err)
{
    char t0[SND_TSV_TIME_LEN], t1[SND_TSV_TIME_LEN], pr[SND_TSV_TIME_LEN];
    char sel[24], lo[SND_TSV_TIME_LEN], hi[SND_TSV_TIME_LEN];
    const char *f[MAX_COLS];
    int n = 0;

    snd_tsv_fmt_sec(t0, start);
    snd_tsv_fmt_sec(t1, end);
    snd_labelout_fmt_prob(pr, prob);
    switch (o->fmt) {
    case SND_LABELFMT_AUDACITY: /* Audacity reads seconds with six decimals */
        snprintf(t0, sizeof t0, "%.6f", start);
        snprintf(t1, sizeof t1, "%.6f", end);
        f[n++] = t0, f[n++] = t1, f[n++] = label;
        break;
    case SND_LABELFMT_RAVEN:
        snprintf(sel, sizeof sel, "%ld", ++o->selection);
        snd_tsv_fmt_sec(lo, o->low_hz);
        snd_tsv_fmt_sec(hi, o->high_hz);
        f[n++] = sel, f[n++] = "Spectrogram 1", f[n++] = "1", f[n++] = id;
        f[n++] = t0, f[n++] = t1, f[n++] = lo, f[n++] = hi, f[n++] = label, f[n++] = pr;
        break;
    case SND_LABELFMT_TSV:
        f[n++] = id, f[n++] = t0, f[n++] = t1, f[n++] = label, f[n++] = pr;
        break;
    }
    for (int i = 0; i < o->n_extra; i++)
        f[n++] = extra[i];
    return snd_tsv_write_row(o->w, f, err);
}

int snd_labelout_finish(struct snd_labelout *o, struct snd_err *err)
{
    int r;
    if (o == NULL)
        return 0;
    r = snd_tsv_finish(o->w, err);
    free(o);
    return r;
}
