/* tag: thresholds and top-k per window, the event state machine, and the decision tables. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tag.h"
#include "tsv.h"

/* Times come from decimal text, so 0.3 - 0.1 is not quite 0.2: durations, gaps and the
 * cooldown are compared with this much slack, a nanosecond, so that an edge given in
 * the same decimals as the times counts as reached. */
#define TIME_EPS 1e-9

enum { IDLE, OPEN, HOLD };

struct cls {
    char *name;
    double threshold, on, off;
    int enabled;
    int state;                        /* IDLE, OPEN, or HOLD: closed, waiting out min_gap */
    double ev_start, ev_end, ev_prob; /* the event being built, OPEN or HOLD; while OPEN,
                                         ev_end is the end of its last window */
    double last_start;                /* OPEN: the start of its last window */
    int reported;                     /* since the current id began */
    double report_end;                /* end of the last reported event */
};

struct snd_tagger {
    const struct snd_tag_opts *o;
    snd_tag_emit_fn emit;
    void *ctx;
    struct cls *cls;
    int n_cls, cap_cls;
    char *id; /* the current id, NULL before the first row */
    /* Events: the last o->median windows of the id, window i in slot i % median. */
    double *r_start, *r_end, *r_p; /* r_p: median x cap_cls */
    long n_seen, n_decided;        /* windows of the id read, and passed to the machine */
    double hop;                    /* between the id's window starts; 0 before its second */
    double last_row_start;         /* the start of the id's latest window read */
    double step_hop;               /* the hop for the window being decided: 0 for the id's
                                      first, which has no window before it to have missed
                                      the sound */
    double *filt, *raw, *vals;     /* scratch: cap_cls, cap_cls, median */
    int *pick;                     /* scratch: cap_cls */
};

static int fail_oom(struct snd_err *err)
{
    return snd_fail(err, "out of memory");
}

struct snd_tagger *snd_tagger_new(const struct snd_tag_opts *o, snd_tag_emit_fn emit, void *ctx,
                                  struct snd_err *err)
{
    struct snd_tagger *t = calloc(1, sizeof *t);
    int n = o->median > 0 ? o->median : 1;

    if (t == NULL) {
        fail_oom(err);
        return NULL;
    }
    t->o = o;
    t->emit = emit;
    t->ctx = ctx;
    t->r_start = calloc((size_t)n, sizeof *t->r_start);
    t->r_end = calloc((size_t)n, sizeof *t->r_end);
    t->vals = calloc((size_t)n, sizeof *t->vals);
    if (t->r_start == NULL || t->r_end == NULL || t->vals == NULL) {
        snd_tagger_free(t);
        fail_oom(err);
        return NULL;
    }
    return t;
}

void snd_tagger_free(struct snd_tagger *t)
{
    int i;

    if (t == NULL)
        return;
    for (i = 0; i < t->n_cls; i++)
        free(t->cls[i].name);
    free(t->cls);
    free(t->id);
    free(t->r_start);
    free(t->r_end);
    free(t->r_p);
    free(t->filt);
    free(t->raw);
    free(t->vals);
    free(t->pick);
    free(t);
}

static int median_n(const struct snd_tagger *t)
{
    return t->o->median > 0 ? t->o->median : 1;
}

/* Make room for cap classes: every per-class array, the window ring widened with zeros. */
static int grow_classes(struct snd_tagger *t, int cap)
{
    int n = median_n(t), i;
    struct cls *c = realloc(t->cls, (size_t)cap * sizeof *c);
    double *rp;

    if (c == NULL)
        return -1;
    t->cls = c;
    rp = calloc((size_t)n * (size_t)cap, sizeof *rp);
    if (rp == NULL)
        return -1;
    for (i = 0; i < n && t->r_p != NULL; i++)
        memcpy(rp + (size_t)i * (size_t)cap, t->r_p + (size_t)i * (size_t)t->cap_cls,
               (size_t)t->cap_cls * sizeof *rp);
    free(t->r_p);
    t->r_p = rp;
    free(t->filt);
    free(t->raw);
    free(t->pick);
    t->filt = calloc((size_t)cap, sizeof *t->filt);
    t->raw = calloc((size_t)cap, sizeof *t->raw);
    t->pick = calloc((size_t)cap, sizeof *t->pick);
    if (t->filt == NULL || t->raw == NULL || t->pick == NULL)
        return -1;
    t->cap_cls = cap;
    return 0;
}

int snd_tagger_class(struct snd_tagger *t, const char *name, struct snd_err *err)
{
    const struct snd_tag_opts *o = t->o;
    struct cls *c;
    int i;

    for (i = 0; i < t->n_cls; i++)
        if (strcmp(t->cls[i].name, name) == 0)
            return i;
    if (t->n_cls == t->cap_cls && grow_classes(t, t->cap_cls ? 2 * t->cap_cls : 16) != 0)
        return fail_oom(err);
    c = &t->cls[t->n_cls];
    memset(c, 0, sizeof *c);
    if ((c->name = strdup(name)) == NULL)
        return fail_oom(err);
    c->threshold = o->threshold;
    for (i = 0; i < o->n_thresholds; i++)
        if (strcmp(o->thresholds[i].label, name) == 0)
            c->threshold = o->thresholds[i].threshold;
    c->on = o->on >= 0 ? o->on : c->threshold;
    c->off = o->off >= 0 ? o->off : c->on;
    c->enabled = o->n_labels == 0;
    for (i = 0; i < o->n_labels; i++)
        c->enabled |= strcmp(o->labels[i], name) == 0;
    if (o->events && c->enabled && c->off > c->on) {
        int r = snd_fail(err, "class '%.80s': --off %g is above its threshold to open, %g", name,
                         c->off, c->on);
        free(c->name);
        return r;
    }
    return t->n_cls++;
}

/* pick[c] = 1 for the enabled classes of scores v at or above their threshold (tags) or
 * of any score (events, thresholds applying later), that are among the top_k. */
static void choose(const struct snd_tagger *t, const double *v, int use_threshold, int *pick)
{
    int c, d, k = t->o->top_k;

    for (c = 0; c < t->n_cls; c++) {
        pick[c] = t->cls[c].enabled && (!use_threshold || v[c] >= t->cls[c].threshold);
        if (!pick[c] || k <= 0)
            continue;
        /* Rank among the enabled classes; a tie goes to the earlier column. */
        int better = 0;
        for (d = 0; d < t->n_cls && better < k; d++)
            better += t->cls[d].enabled && (v[d] > v[c] || (v[d] == v[c] && d < c));
        pick[c] = better < k;
    }
}

static int emit(struct snd_tagger *t, const char *label, double start, double end, double prob,
                struct snd_err *err)
{
    struct snd_tag_event ev = {t->id, label, start, end, prob};

    return t->emit(t->ctx, &ev, err);
}

/* Tags of one window, best first. */
static int tag_row(struct snd_tagger *t, double start, double end, const double *p,
                   struct snd_err *err)
{
    int c, n = 0, i;

    choose(t, p, 1, t->pick);
    for (c = 0; c < t->n_cls; c++) {
        if (!t->pick[c])
            continue;
        /* Insertion sort of the chosen classes by score, into pick's front. */
        for (i = n; i > 0 && p[t->pick[i - 1]] < p[c]; i--)
            t->pick[i] = t->pick[i - 1];
        t->pick[i] = c; /* only entries up to c, already read, are overwritten */
        n++;
    }
    for (i = 0; i < n; i++)
        if (emit(t, t->cls[t->pick[i]].name, start, end, p[t->pick[i]], err) != 0)
            return -1;
    return 0;
}

/* An event is final: drop it when short, hold it back within the cooldown, else report. */
static int finalize(struct snd_tagger *t, struct cls *c, struct snd_err *err)
{
    const struct snd_tag_opts *o = t->o;

    c->state = IDLE;
    if (c->ev_end - c->ev_start < o->min_duration_sec - TIME_EPS)
        return 0;
    if (o->cooldown_sec > 0 && c->reported &&
        c->ev_start < c->report_end + o->cooldown_sec - TIME_EPS)
        return 0;
    c->reported = 1;
    c->report_end = c->ev_end;
    return emit(t, c->name, c->ev_start, c->ev_end, c->ev_prob, err);
}

/* Where a sound begins that the window from start to end is the first to hear: the
 * window before, hop earlier, did not, so what it lacks, the last hop of this one, holds
 * the onset. Windows that do not overlap (hop at least the window) say only the window. */
static double onset_in(double start, double end, double hop)
{
    return hop > 0 ? fmax(start, end - hop) : start;
}

/* Where a sound ends that the window from start to end is the last to hear: within its
 * first hop, which the next window lacks. */
static double offset_in(double start, double end, double hop)
{
    return hop > 0 ? fmin(end, start + hop) : end;
}

static void open_event(struct cls *c, double start, double end, double hop, double prob)
{
    c->state = OPEN;
    c->ev_start = onset_in(start, end, hop);
    c->ev_end = end;
    c->last_start = start;
    c->ev_prob = prob;
}

static void extend_event(struct cls *c, double start, double end, double prob)
{
    c->ev_end = fmax(c->ev_end, end);
    c->last_start = start;
    c->ev_prob = fmax(c->ev_prob, prob);
}

/* The event's last window has passed: its end is where the sound stops. Windows that
 * overlap by half or more leave an event of one window (or of a few, by more) shorter than
 * a hop, or ending before it starts: the sound is then the hop around the middle. */
static void close_event(struct cls *c, double hop)
{
    double end = offset_in(c->last_start, c->ev_end, hop);

    if (end - c->ev_start < hop) {
        double mid = (c->ev_start + end) / 2;
        c->ev_start = mid - hop / 2;
        end = mid + hop / 2;
    }
    c->ev_end = end;
    c->state = HOLD;
}

/* One window of one class through the hysteresis: f the filtered score (-1: not among the
 * top k), raw its own score. */
static int step(struct snd_tagger *t, struct cls *c, double start, double end, double f, double raw,
                struct snd_err *err)
{
    double min_gap = t->o->min_gap_sec;

    switch (c->state) {
    case IDLE:
        if (f >= c->on)
            open_event(c, start, end, t->step_hop, raw);
        return 0;
    case OPEN:
        if (f >= c->off) {
            extend_event(c, start, end, raw);
            return 0;
        }
        close_event(c, t->step_hop);
        break;
    case HOLD:
        if (f >= c->on) {
            /* A gap shorter than min_gap, or an overlap, joins the two. */
            if (onset_in(start, end, t->step_hop) - c->ev_end < min_gap - TIME_EPS) {
                c->state = OPEN;
                extend_event(c, start, end, raw);
                return 0;
            }
            if (finalize(t, c, err) != 0)
                return -1;
            open_event(c, start, end, t->step_hop, raw);
            return 0;
        }
        break;
    }
    /* Windows start in time order, and a sound a window hears begins no earlier than the
     * window, so once one starts min_gap past the event's end no later window can bridge
     * to it: it is final. */
    if (start >= c->ev_end + min_gap - TIME_EPS)
        return finalize(t, c, err);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The filtered (filt) and own (raw) scores of window d of the id: the median over the
 * windows d - h .. d + h, clipped to the windows there are. */
static int decide(struct snd_tagger *t, long d)
{
    int n = median_n(t), h = n / 2, c, m;
    long lo = d - h < 0 ? 0 : d - h, hi = d + h > t->n_seen - 1 ? t->n_seen - 1 : d + h, i;
    size_t slot = (size_t)(d % n);

    for (c = 0; c < t->n_cls; c++) {
        m = 0;
        for (i = lo; i <= hi; i++)
            t->vals[m++] = t->r_p[(size_t)(i % n) * (size_t)t->cap_cls + (size_t)c];
        if (m > 1)
            qsort(t->vals, (size_t)m, sizeof *t->vals, cmp_double);
        /* Clipped at the ends of an id, the window may hold an even count: the lower middle
         * value then, so that one high window at the edge does not open an event alone. */
        t->filt[c] = t->vals[(m - 1) / 2];
        t->raw[c] = t->r_p[slot * (size_t)t->cap_cls + (size_t)c];
    }
    return 0;
}

static int decide_and_step(struct snd_tagger *t, long d, struct snd_err *err)
{
    int n = median_n(t), c;
    size_t slot = (size_t)(d % n);

    decide(t, d);
    t->step_hop = d > 0 ? t->hop : 0.0;
    choose(t, t->filt, 0, t->pick);
    for (c = 0; c < t->n_cls; c++) {
        if (!t->cls[c].enabled)
            continue;
        if (step(t, &t->cls[c], t->r_start[slot], t->r_end[slot], t->pick[c] ? t->filt[c] : -1.0,
                 t->raw[c], err) != 0)
            return -1;
    }
    t->n_decided = d + 1;
    return 0;
}

/* Forget the current id: its windows, open events and cooldowns. */
static void reset(struct snd_tagger *t)
{
    int c;

    for (c = 0; c < t->n_cls; c++) {
        t->cls[c].state = IDLE;
        t->cls[c].reported = 0;
    }
    t->n_seen = t->n_decided = 0;
    t->hop = 0;
    free(t->id);
    t->id = NULL;
}

int snd_tagger_flush(struct snd_tagger *t, struct snd_err *err)
{
    int c, r = 0;

    if (t->o->events) {
        while (r == 0 && t->n_decided < t->n_seen)
            r = decide_and_step(t, t->n_decided, err);
        for (c = 0; c < t->n_cls && r == 0; c++)
            if (t->cls[c].state != IDLE)
                r = finalize(t, &t->cls[c], err);
    }
    reset(t);
    return r;
}

int snd_tagger_row(struct snd_tagger *t, const char *id, double start_sec, double end_sec,
                   const double *p, struct snd_err *err)
{
    int n = median_n(t);
    size_t slot;

    if (t->id != NULL && strcmp(t->id, id) != 0 && snd_tagger_flush(t, err) != 0)
        return -1;
    if (t->id == NULL && (t->id = strdup(id)) == NULL)
        return fail_oom(err);
    if (!t->o->events)
        return tag_row(t, start_sec, end_sec, p, err);
    if (t->n_seen > 0) /* the hop, as the latest two windows show it */
        t->hop = start_sec - t->last_row_start;
    t->last_row_start = start_sec;
    slot = (size_t)(t->n_seen % n);
    t->r_start[slot] = start_sec;
    t->r_end[slot] = end_sec;
    if (t->n_cls > 0)
        memcpy(t->r_p + slot * (size_t)t->cap_cls, p, (size_t)t->n_cls * sizeof *p);
    t->n_seen++;
    /* A window is decided once the h windows after it are in: the filter's look-ahead. */
    if (t->n_seen - 1 - n / 2 >= t->n_decided)
        return decide_and_step(t, t->n_seen - 1 - n / 2, err);
    return 0;
}

/* Whether name is among the p: columns of r. */
static int has_p_column(struct snd_tsv_reader *r, const char *name)
{
    int c;

    for (c = 0; c < snd_tsv_ncols(r); c++)
        if (strncmp(snd_tsv_colname(r, c), "p:", 2) == 0 &&
            strcmp(snd_tsv_colname(r, c) + 2, name) == 0)
            return 1;
    return 0;
}

/* The thresholds and --labels name classes of the table. */
static int check_named_classes(const struct snd_tag_opts *o, struct snd_tsv_reader *r,
                               const char *name, struct snd_err *err)
{
    int i;

    for (i = 0; i < o->n_thresholds; i++)
        if (!has_p_column(r, o->thresholds[i].label))
            return snd_fail(err, "%s:%ld: class '%.80s' has no p: column in %s",
                            o->thresholds_path ? o->thresholds_path : "thresholds",
                            o->thresholds[i].line, o->thresholds[i].label, name);
    for (i = 0; i < o->n_labels; i++)
        if (!has_p_column(r, o->labels[i]))
            return snd_fail(err, "--labels: class '%.80s' has no p: column in %s", o->labels[i],
                            name);
    return 0;
}

/* Make p hold a score for each of the tagger's classes, new ones 0. */
static int scores_fit(struct snd_tagger *t, double **p, int *cap)
{
    if (*cap < t->n_cls) {
        double *v = realloc(*p, (size_t)t->cap_cls * sizeof *v);
        if (v == NULL)
            return -1;
        memset(v + *cap, 0, (size_t)(t->cap_cls - *cap) * sizeof *v);
        *p = v;
        *cap = t->cap_cls;
    }
    return 0;
}

/* Without p: columns: each tag of the label field scores the row's prob, the others 0. */
static int label_scores(struct snd_tagger *t, struct snd_tsv_reader *r, const char *name,
                        int c_label, int c_prob, double **p, int *cap, struct snd_err *err)
{
    const char *s = snd_tsv_field(r, c_label);
    double prob;
    char tag[512];

    if (snd_tsv_field_prob(r, c_prob, &prob, err) != 0)
        return -1;
    while (*s != '\0') {
        size_t n = strcspn(s, ",");
        int k;
        if (n >= sizeof tag)
            return snd_fail(err, "%s:%ld: a label of %zu bytes is too long", name, snd_tsv_line(r),
                            n);
        if (n > 0) {
            memcpy(tag, s, n);
            tag[n] = '\0';
            if ((k = snd_tagger_class(t, tag, err)) < 0)
                return -1;
            if (scores_fit(t, p, cap) != 0)
                return fail_oom(err);
            (*p)[k] = prob;
        }
        s += n;
        if (*s == ',')
            s++;
    }
    return 0;
}

int snd_tag_read(struct snd_tagger *t, FILE *f, const char *name, struct snd_err *err)
{
    struct snd_tsv_reader *r;
    int c_id, c_start, c_end, c_label = -1, c_prob = -1, c, n_p = 0, *map = NULL, k = -1;
    int cap = 0;
    double *p = NULL, prev_start = 0;
    char *prev_id = NULL;

    /* No bytes at all, as from a classifier that stopped before its header: no rows. */
    if ((c = getc(f)) == EOF && !ferror(f))
        return 0;
    if (c != EOF)
        ungetc(c, f);
    if ((r = snd_tsv_open_stream(f, name, err)) == NULL)
        return -1;
    if ((c_id = snd_tsv_require(r, "id", err)) < 0 ||
        (c_start = snd_tsv_require(r, "start", err)) < 0 ||
        (c_end = snd_tsv_require(r, "end", err)) < 0)
        goto out;
    if ((map = malloc((size_t)snd_tsv_ncols(r) * sizeof *map)) == NULL) {
        fail_oom(err);
        goto out;
    }
    for (c = 0; c < snd_tsv_ncols(r); c++) {
        map[c] = -1;
        if (strncmp(snd_tsv_colname(r, c), "p:", 2) != 0)
            continue;
        if ((map[c] = snd_tagger_class(t, snd_tsv_colname(r, c) + 2, err)) < 0)
            goto out;
        n_p++;
    }
    if (n_p > 0 && check_named_classes(t->o, r, name, err) != 0)
        goto out;
    if (n_p == 0 && ((c_label = snd_tsv_require(r, "label", err)) < 0 ||
                     (c_prob = snd_tsv_require(r, "prob", err)) < 0))
        goto out;
    while ((k = snd_tsv_next(r, err)) == 1) {
        const char *id = snd_tsv_field(r, c_id);
        double start, end;
        k = -1;
        if (snd_tsv_field_span(r, c_start, c_end, &start, &end, err) != 0)
            break;
        if (prev_id != NULL && strcmp(prev_id, id) == 0 && start < prev_start) {
            snd_fail(err,
                     "%s:%ld: start %s is before the previous window's of id '%.80s' "
                     "(rows must be in time order)",
                     name, snd_tsv_line(r), snd_tsv_field(r, c_start), id);
            break;
        }
        if (prev_id == NULL || strcmp(prev_id, id) != 0) {
            free(prev_id);
            if ((prev_id = strdup(id)) == NULL) {
                fail_oom(err);
                break;
            }
        }
        prev_start = start;
        if (scores_fit(t, &p, &cap) != 0) {
            fail_oom(err);
            break;
        }
        if (cap > 0)
            memset(p, 0, (size_t)cap * sizeof *p);
        if (n_p > 0) {
            for (c = 0; c < snd_tsv_ncols(r); c++)
                if (map[c] >= 0 && snd_tsv_field_prob(r, c, &p[map[c]], err) != 0)
                    break;
            if (c < snd_tsv_ncols(r))
                break;
        } else if (label_scores(t, r, name, c_label, c_prob, &p, &cap, err) != 0) {
            break;
        }
        if (snd_tagger_row(t, id, start, end, p, err) != 0)
            break;
        k = 1;
    }
    if (k == 0)
        k = snd_tagger_flush(t, err);
    else
        reset(t); /* events still open at a bad row are dropped, not guessed at */
out:
    free(prev_id);
    free(p);
    free(map);
    snd_tsv_close(r);
    return k == 0 ? 0 : -1;
}

int snd_tag_thresholds_load(const char *path, struct snd_tag_threshold **out, int *n,
                            struct snd_err *err)
{
    struct snd_tsv_reader *r = snd_tsv_open(path, err);
    struct snd_tag_threshold *v = NULL;
    int c_label, c_thr = -1, k = -1, cap = 0, i;

    *n = 0;
    if (r == NULL)
        return -1;
    if ((c_label = snd_tsv_require(r, "label", err)) < 0 ||
        (c_thr = snd_tsv_require(r, "threshold", err)) < 0)
        goto out;
    while ((k = snd_tsv_next(r, err)) == 1) {
        const char *label = snd_tsv_field(r, c_label);
        k = -1;
        if (label[0] == '\0') {
            snd_fail(err, "%s:%ld: empty label", path, snd_tsv_line(r));
            break;
        }
        for (i = 0; i < *n && strcmp(v[i].label, label) != 0; i++)
            ;
        if (i < *n) {
            snd_fail(err, "%s:%ld: label '%.80s' appears twice", path, snd_tsv_line(r), label);
            break;
        }
        if (*n == cap) {
            struct snd_tag_threshold *w;
            cap = cap ? 2 * cap : 16;
            if ((w = realloc(v, (size_t)cap * sizeof *w)) == NULL) {
                fail_oom(err);
                break;
            }
            v = w;
        }
        v[*n].line = snd_tsv_line(r);
        if (snd_tsv_field_prob(r, c_thr, &v[*n].threshold, err) != 0)
            break;
        if ((v[*n].label = strdup(label)) == NULL) {
            fail_oom(err);
            break;
        }
        ++*n;
        k = 1;
    }
out:
    snd_tsv_close(r);
    if (k != 0) {
        snd_tag_thresholds_free(v, *n);
        *n = 0;
        return -1;
    }
    *out = v;
    return 0;
}

void snd_tag_thresholds_free(struct snd_tag_threshold *v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        free(v[i].label);
    free(v);
}
