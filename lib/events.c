/* events: collar matching by augmenting paths (Kuhn's algorithm: the sizes are those of
 * one recording's events), and segment rolls. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

static double ratio(long a, long b)
{
    return b > 0 ? (double)a / (double)b : 0.0;
}

static double f1_of(double p, double r)
{
    return p + r > 0.0 ? 2.0 * p * r / (p + r) : 0.0;
}

/* Tolerance for comparing seconds read from tables: a collar "at its edge" matches. */
#define EDGE_EPS 1e-9

static int matches(const struct snd_event *r, const struct snd_event *s,
                   const struct snd_event_opts *o)
{
    double off_collar = fmax(o->collar_sec, o->offset_rate * (r->offset - r->onset));

    return r->file == s->file && r->label == s->label &&
           fabs(r->onset - s->onset) <= o->collar_sec + EDGE_EPS &&
           fabs(r->offset - s->offset) <= off_collar + EDGE_EPS;
}

struct matcher {
    const struct snd_event *ref, *sys;
    long n_ref, n_sys;
    const struct snd_event_opts *o;
    long *sys_of_ref, *ref_of_sys;
    unsigned char *seen; /* per sys, in the current search */
};

/* Find an augmenting path from reference event i (Kuhn). */
static int augment(struct matcher *m, long i)
{
    long j;

    for (j = 0; j < m->n_sys; j++) {
        if (m->seen[j] || !matches(&m->ref[i], &m->sys[j], m->o))
            continue;
        m->seen[j] = 1;
        if (m->ref_of_sys[j] < 0 || augment(m, m->ref_of_sys[j])) {
            m->ref_of_sys[j] = i;
            m->sys_of_ref[i] = j;
            return 1;
        }
    }
    return 0;
}

static void segment_scores(struct snd_event_scores *s, const struct snd_event *ref, long n_ref,
                           const struct snd_event *sys, long n_sys, int n_files, int n_classes,
                           double res, unsigned char *roll_ref, unsigned char *roll_sys,
                           long n_seg_max)
{
    int f;
    long i, k;

    for (f = 0; f < n_files; f++) {
        double end = 0.0;
        long n_seg;
        for (i = 0; i < n_ref; i++)
            if (ref[i].file == f)
                end = fmax(end, ref[i].offset);
        for (i = 0; i < n_sys; i++)
            if (sys[i].file == f)
                end = fmax(end, sys[i].offset);
        n_seg = (long)ceil(end / res - EDGE_EPS);
        if (n_seg > n_seg_max)
            n_seg = n_seg_max;
        memset(roll_ref, 0, (size_t)(n_seg * n_classes));
        memset(roll_sys, 0, (size_t)(n_seg * n_classes));
        /* An event is active in segments floor(onset) .. ceil(offset) - 1, as sed_eval's
         * event roll. */
        for (i = 0; i < n_ref + n_sys; i++) {
            const struct snd_event *e = i < n_ref ? &ref[i] : &sys[i - n_ref];
            unsigned char *roll = i < n_ref ? roll_ref : roll_sys;
            long a, b;
            if (e->file != f)
                continue;
            a = (long)floor(e->onset / res + EDGE_EPS);
            b = (long)ceil(e->offset / res - EDGE_EPS);
            for (k = a; k < b && k < n_seg; k++)
                roll[k * n_classes + e->label] = 1;
        }
        for (k = 0; k < n_seg * n_classes; k++) {
            s->seg_tp += roll_ref[k] && roll_sys[k];
            s->seg_fp += !roll_ref[k] && roll_sys[k];
            s->seg_fn += roll_ref[k] && !roll_sys[k];
        }
    }
}

int snd_event_scores_compute(struct snd_event_scores *s, const struct snd_event *ref, long n_ref,
                             const struct snd_event *sys, long n_sys, int n_files, int n_classes,
                             const struct snd_event_opts *o, struct snd_err *err)
{
    struct matcher m = {ref, sys, n_ref, n_sys, o, NULL, NULL, NULL};
    double end = 0.0;
    long i, n_seg_max;
    unsigned char *roll_ref = NULL, *roll_sys = NULL;
    int c, r = -1;

    memset(s, 0, sizeof *s);
    if (!(o->collar_sec >= 0) || !(o->offset_rate >= 0) || !(o->segment_sec > 0))
        return snd_fail(err, "event scoring needs a collar >= 0 and a segment > 0");
    for (i = 0; i < n_ref; i++)
        end = fmax(end, ref[i].offset);
    for (i = 0; i < n_sys; i++)
        end = fmax(end, sys[i].offset);
    n_seg_max = (long)ceil(end / o->segment_sec) + 1;
    s->n_classes = n_classes;
    s->per_class = calloc((size_t)(n_classes > 0 ? n_classes : 1), sizeof *s->per_class);
    m.sys_of_ref = malloc((size_t)(n_ref + 1) * sizeof *m.sys_of_ref);
    m.ref_of_sys = malloc((size_t)(n_sys + 1) * sizeof *m.ref_of_sys);
    m.seen = malloc((size_t)(n_sys + 1));
    roll_ref = malloc((size_t)(n_seg_max * (n_classes > 0 ? n_classes : 1)));
    roll_sys = malloc((size_t)(n_seg_max * (n_classes > 0 ? n_classes : 1)));
    if (!s->per_class || !m.sys_of_ref || !m.ref_of_sys || !m.seen || !roll_ref || !roll_sys) {
        snd_fail(err, "out of memory for %ld and %ld events", n_ref, n_sys);
        goto out;
    }
    for (i = 0; i < n_ref; i++)
        m.sys_of_ref[i] = -1;
    for (i = 0; i < n_sys; i++)
        m.ref_of_sys[i] = -1;
    for (i = 0; i < n_ref; i++) {
        memset(m.seen, 0, (size_t)n_sys);
        augment(&m, i);
    }
    for (i = 0; i < n_ref; i++) {
        s->per_class[ref[i].label].n_ref++;
        if (m.sys_of_ref[i] >= 0) {
            s->tp++;
            s->per_class[ref[i].label].tp++;
        }
    }
    for (i = 0; i < n_sys; i++)
        s->per_class[sys[i].label].n_sys++;
    s->n_ref = n_ref;
    s->n_sys = n_sys;
    s->precision = ratio(s->tp, n_sys);
    s->recall = ratio(s->tp, n_ref);
    s->f1 = f1_of(s->precision, s->recall);
    for (c = 0; c < n_classes; c++) {
        struct snd_event_class *k = &s->per_class[c];
        k->precision = ratio(k->tp, k->n_sys);
        k->recall = ratio(k->tp, k->n_ref);
        k->f1 = f1_of(k->precision, k->recall);
    }
    segment_scores(s, ref, n_ref, sys, n_sys, n_files, n_classes, o->segment_sec, roll_ref,
                   roll_sys, n_seg_max);
    s->seg_precision = ratio(s->seg_tp, s->seg_tp + s->seg_fp);
    s->seg_recall = ratio(s->seg_tp, s->seg_tp + s->seg_fn);
    s->seg_f1 = f1_of(s->seg_precision, s->seg_recall);
    r = 0;
out:
    free(m.sys_of_ref);
    free(m.ref_of_sys);
    free(m.seen);
    free(roll_ref);
    free(roll_sys);
    if (r != 0)
        snd_event_scores_free(s);
    return r;
}

void snd_event_scores_free(struct snd_event_scores *s)
{
    free(s->per_class);
    s->per_class = NULL;
}
