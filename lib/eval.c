/* eval: joining truth and predictions by id, then scoring and showing the result. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "json.h"
#include "strset.h"
#include "tsv.h"

#define MAX_NAMED 3 /* missing ids named in a message */

/* Growable array of strings. */
struct strs {
    char **v;
    long n, cap;
};

static int strs_add(struct strs *s, const char *x)
{
    if (s->n == s->cap) {
        long cap = s->cap ? 2 * s->cap : 64;
        char **v = realloc(s->v, (size_t)cap * sizeof *v);
        if (v == NULL)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    if ((s->v[s->n] = strdup(x)) == NULL)
        return -1;
    s->n++;
    return 0;
}

static void strs_free(struct strs *s)
{
    long i;

    for (i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

/* One prediction id: its rows' labels, and the sum and maximum of each p: column. */
struct pred {
    struct strs labels;
    double *sum, *max;
    long rows;
};

struct tables {
    struct snd_strset *truth_ids, *pred_ids;
    struct strs truth_labels; /* by truth id index */
    struct pred *preds;       /* by prediction id index */
    long n_preds, cap_preds;
    struct strs p_names; /* p: classes, in the first file's order */
};

static int load_truth(struct tables *t, const char *path, struct snd_err *err)
{
    struct snd_tsv_reader *r = snd_tsv_open(path, err);
    int c_id, c_label, k;

    if (r == NULL)
        return -1;
    c_id = snd_tsv_require(r, "id", err);
    c_label = c_id < 0 ? -1 : snd_tsv_require(r, "label", err);
    while (c_label >= 0 && (k = snd_tsv_next(r, err)) == 1) {
        const char *id = snd_tsv_field(r, c_id);
        int added = snd_strset_add(t->truth_ids, id);
        if (added == 0) {
            snd_fail(err, "%s:%ld: id '%.80s' appears twice", path, snd_tsv_line(r), id);
            break;
        }
        if (added < 0 || strs_add(&t->truth_labels, snd_tsv_field(r, c_label)) != 0) {
            snd_fail(err, "%s: out of memory", path);
            break;
        }
    }
    k = c_label >= 0 && err->msg[0] == '\0' ? 0 : -1;
    snd_tsv_close(r);
    return k;
}

static struct pred *pred_for(struct tables *t, const char *id, int aggregate, const char *path,
                             long line, struct snd_err *err)
{
    int added = snd_strset_add(t->pred_ids, id);
    long i = snd_strset_index(t->pred_ids, id), k;
    struct pred *p;

    if (added < 0) {
        snd_fail(err, "%s: out of memory", path);
        return NULL;
    }
    if (added == 0 && !aggregate) {
        snd_fail(err, "%s:%ld: id '%.80s' appears twice (windows? give --aggregate)", path, line,
                 id);
        return NULL;
    }
    if (added == 1) {
        if (t->n_preds == t->cap_preds) {
            long cap = t->cap_preds ? 2 * t->cap_preds : 64;
            struct pred *v = realloc(t->preds, (size_t)cap * sizeof *v);
            if (v == NULL) {
                snd_fail(err, "%s: out of memory", path);
                return NULL;
            }
            t->preds = v;
            t->cap_preds = cap;
        }
        p = &t->preds[t->n_preds++];
        memset(p, 0, sizeof *p);
        p->sum = calloc((size_t)t->p_names.n + 1, sizeof *p->sum);
        p->max = calloc((size_t)t->p_names.n + 1, sizeof *p->max);
        if (p->sum == NULL || p->max == NULL) {
            snd_fail(err, "%s: out of memory", path);
            return NULL;
        }
        for (k = 0; k < t->p_names.n; k++)
            p->max[k] = -1.0;
    }
    return &t->preds[i];
}

/* Map each p: column of this file to the index of its class among the first file's. */
static int map_p_columns(struct tables *t, struct snd_tsv_reader *r, const char *path, int *map,
                         struct snd_err *err)
{
    int c, n = snd_tsv_ncols(r), found = 0;
    long k;

    for (c = 0; c < n; c++) {
        const char *name = snd_tsv_colname(r, c);
        map[c] = -1;
        if (strncmp(name, "p:", 2) != 0)
            continue;
        found++;
        for (k = 0; k < t->p_names.n && strcmp(t->p_names.v[k], name + 2) != 0; k++)
            ;
        if (k == t->p_names.n) {
            if (t->n_preds > 0)
                return snd_fail(err, "%s: column %s is not in the first predictions' columns", path,
                                name);
            if (strs_add(&t->p_names, name + 2) != 0)
                return snd_fail(err, "%s: out of memory", path);
        }
        map[c] = (int)k;
    }
    if (t->p_names.n > 0 && found != t->p_names.n)
        return snd_fail(err, "%s: has %d p: columns, the first predictions %ld", path, found,
                        t->p_names.n);
    return 0;
}

static int load_predictions(struct tables *t, const char *path, int aggregate, struct snd_err *err)
{
    struct snd_tsv_reader *r = snd_tsv_open(path, err);
    int c_id, c_label, c_prob, *map = NULL, c, k = -1;

    if (r == NULL)
        return -1;
    c_id = snd_tsv_require(r, "id", err);
    c_label = c_id < 0 ? -1 : snd_tsv_require(r, "label", err);
    c_prob = snd_tsv_col(r, "prob");
    map = malloc((size_t)snd_tsv_ncols(r) * sizeof *map);
    if (c_label < 0 || map == NULL || map_p_columns(t, r, path, map, err) != 0)
        goto out;
    while ((k = snd_tsv_next(r, err)) == 1) {
        struct pred *p = pred_for(t, snd_tsv_field(r, c_id), aggregate, path, snd_tsv_line(r), err);
        double v;
        if (p == NULL) {
            k = -1;
            break;
        }
        if (c_prob >= 0 && snd_tsv_field_prob(r, c_prob, &v, err) != 0) {
            k = -1;
            break;
        }
        for (c = 0; c < snd_tsv_ncols(r); c++) {
            if (map[c] < 0)
                continue;
            if (snd_tsv_field_prob(r, c, &v, err) != 0)
                break;
            p->sum[map[c]] += v;
            p->max[map[c]] = fmax(p->max[map[c]], v);
        }
        if (c < snd_tsv_ncols(r) || strs_add(&p->labels, snd_tsv_field(r, c_label)) != 0) {
            if (err->msg[0] == '\0' || c == snd_tsv_ncols(r))
                snd_fail(err, "%s: out of memory", path);
            k = -1;
            break;
        }
        p->rows++;
    }
out:
    free(map);
    snd_tsv_close(r);
    return k == 0 ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add each comma-separated name of field (each name whole, when not multilabel). */
static int add_names(struct snd_strset *set, const char *field, int split)
{
    char buf[1024];
    const char *p = field;

    if (!split)
        return snd_strset_add(set, field) < 0 ? -1 : 0;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len > 0 && len < sizeof buf) {
            memcpy(buf, p, len);
            buf[len] = '\0';
            if (snd_strset_add(set, buf) < 0)
                return -1;
        }
        p += len + (comma != NULL);
    }
    return 0;
}

static int class_index(const struct snd_eval *ev, const char *name)
{
    char *const *hit =
        bsearch(&name, ev->classes, (size_t)ev->n_classes, sizeof *ev->classes, cmp_str);

    return hit ? (int)(hit - ev->classes) : -1;
}

/* The classes: every label of the truth and the predictions, sorted (np.unique, as
 * scikit-learn orders them). A p: column must name one of them. */
static int collect_classes(struct snd_eval *ev, struct tables *t, struct snd_err *err)
{
    struct snd_strset *set = snd_strset_new();
    long i, k;
    int r = -1;

    if (set == NULL)
        return snd_fail(err, "out of memory");
    for (i = 0; i < t->truth_labels.n; i++)
        add_names(set, t->truth_labels.v[i], ev->multilabel);
    for (i = 0; i < t->n_preds; i++)
        for (k = 0; k < t->preds[i].labels.n; k++)
            add_names(set, t->preds[i].labels.v[k], ev->multilabel);
    for (i = 0; i < t->p_names.n; i++) {
        if (!snd_strset_has(set, t->p_names.v[i])) {
            snd_fail(err, "column p:%s names no class of the truth or the predictions",
                     t->p_names.v[i]);
            goto out;
        }
    }
    ev->n_classes = (int)snd_strset_count(set);
    if (ev->n_classes == 0) {
        snd_fail(err, "no class in the truth or the predictions");
        goto out;
    }
    ev->classes = calloc((size_t)ev->n_classes, sizeof *ev->classes);
    for (i = 0; ev->classes != NULL && i < ev->n_classes; i++)
        if ((ev->classes[i] = strdup(snd_strset_at(set, i))) == NULL)
            break;
    if (ev->classes == NULL || i < ev->n_classes) {
        snd_fail(err, "out of memory");
        goto out;
    }
    qsort(ev->classes, (size_t)ev->n_classes, sizeof *ev->classes, cmp_str);
    r = 0;
out:
    snd_strset_free(set);
    return r;
}

/* Mark each comma-separated name of field in row (n_classes wide). */
static void mark_names(const struct snd_eval *ev, const char *field, unsigned char *row)
{
    char buf[1024];
    const char *p = field;

    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len > 0 && len < sizeof buf) {
            int c;
            memcpy(buf, p, len);
            buf[len] = '\0';
            c = class_index(ev, buf);
            if (c >= 0)
                row[c] = 1;
        }
        p += len + (comma != NULL);
    }
}

/* A clip's tags from its rows' label columns: with one row its tags; with several, each
 * tag by the share of rows holding it: any row (max), or at least half (mean, vote). */
static void combine_tags(const struct snd_eval *ev, const struct pred *p,
                         enum snd_eval_aggregate agg, unsigned char *row)
{
    unsigned char *one = calloc((size_t)ev->n_classes, 1);
    long *count = calloc((size_t)ev->n_classes, sizeof *count), k;
    int c;

    for (k = 0; one != NULL && count != NULL && k < p->labels.n; k++) {
        memset(one, 0, (size_t)ev->n_classes);
        mark_names(ev, p->labels.v[k], one);
        for (c = 0; c < ev->n_classes; c++)
            count[c] += one[c];
    }
    for (c = 0; count != NULL && c < ev->n_classes; c++)
        row[c] = agg == SND_AGG_MAX ? count[c] > 0 : 2 * count[c] >= p->rows;
    free(one);
    free(count);
}

/* A clip's predicted class from its rows: the label (one row), the most frequent label
 * (vote; ties to the first class in sorted order), or the highest mean or maximum score. */
static int predicted_class(const struct snd_eval *ev, const struct pred *p, const double *scores,
                           enum snd_eval_aggregate agg)
{
    int c, best = 0;
    long k;

    if (p->rows == 1 || agg == SND_AGG_VOTE || scores == NULL) {
        long *votes = calloc((size_t)ev->n_classes, sizeof *votes);
        for (k = 0; votes != NULL && k < p->labels.n; k++) {
            c = class_index(ev, p->labels.v[k]);
            if (c >= 0)
                votes[c]++;
        }
        for (c = 1; votes != NULL && c < ev->n_classes; c++)
            if (votes[c] > votes[best])
                best = c;
        free(votes);
        return best;
    }
    for (c = 1; c < ev->n_classes; c++)
        if (scores[c] > scores[best])
            best = c;
    return best;
}

/* Scores of a clip by class: a row's p: values, or their mean or maximum over the rows. */
static void clip_scores(const struct snd_eval *ev, const struct tables *t, const struct pred *p,
                        enum snd_eval_aggregate agg, double *out)
{
    long k;

    for (k = 0; k < t->p_names.n; k++) {
        int c = class_index(ev, t->p_names.v[k]);
        out[c] = agg == SND_AGG_MAX ? p->max[k] : p->sum[k] / p->rows;
    }
}

/* Ids on one side only: counted, a few named. */
static long count_missing(const struct tables *t, char *msg, size_t cap)
{
    long no_pred = 0, no_truth = 0, i;
    size_t len = 0;

    msg[0] = '\0';
    for (i = 0; i < t->truth_labels.n; i++) {
        const char *id = snd_strset_at(t->truth_ids, i);
        if (snd_strset_has(t->pred_ids, id))
            continue;
        if (no_pred++ < MAX_NAMED)
            len += (size_t)snprintf(msg + len, len < cap ? cap - len : 0, "%s%s",
                                    no_pred > 1 ? ", " : "", id);
    }
    if (no_pred > 0)
        len +=
            (size_t)snprintf(msg + len, len < cap ? cap - len : 0, "%s: %ld without a prediction",
                             no_pred > MAX_NAMED ? ", ..." : "", no_pred);
    for (i = 0; i < t->n_preds; i++) {
        const char *id = snd_strset_at(t->pred_ids, i);
        if (snd_strset_has(t->truth_ids, id))
            continue;
        if (no_truth++ < MAX_NAMED)
            len += (size_t)snprintf(msg + len, len < cap ? cap - len : 0, "%s%s",
                                    no_truth == 1 ? (no_pred ? "; " : "") : ", ", id);
    }
    if (no_truth > 0)
        snprintf(msg + len, len < cap ? cap - len : 0, "%s: %ld without truth",
                 no_truth > MAX_NAMED ? ", ..." : "", no_truth);
    return no_pred + no_truth;
}

static int score(struct snd_eval *ev, const struct snd_eval_opts *o, struct tables *t,
                 struct snd_err *err)
{
    long n = 0, i, k, cap = t->truth_labels.n;
    int C = ev->n_classes, r;
    int *truth = malloc((size_t)(cap + 1) * sizeof *truth),
        *pred = malloc((size_t)(cap + 1) * sizeof *pred);
    unsigned char *ts = calloc((size_t)(cap + 1) * (size_t)C, 1),
                  *ps = calloc((size_t)(cap + 1) * (size_t)C, 1);
    double *scores = ev->have_scores ? calloc((size_t)(cap + 1) * (size_t)C, sizeof *scores) : NULL;

    if (!truth || !pred || !ts || !ps || (ev->have_scores && !scores)) {
        r = snd_fail(err, "out of memory");
        goto out;
    }
    for (i = 0; i < t->truth_labels.n; i++) {
        long j = snd_strset_index(t->pred_ids, snd_strset_at(t->truth_ids, i));
        const struct pred *p;
        if (j < 0)
            continue;
        p = &t->preds[j];
        if (scores != NULL)
            clip_scores(ev, t, p, o->aggregate, scores + n * C);
        if (ev->multilabel) {
            mark_names(ev, t->truth_labels.v[i], ts + n * C);
            if (o->threshold >= 0 && scores != NULL) {
                for (k = 0; k < C; k++)
                    ps[n * C + k] = scores[n * C + k] >= o->threshold;
            } else if (p->rows > 1 && scores != NULL && o->aggregate != SND_AGG_VOTE) {
                for (k = 0; k < C; k++)
                    ps[n * C + k] = scores[n * C + k] >= 0.5;
            } else {
                combine_tags(ev, p, o->aggregate, ps + n * C);
            }
        } else {
            truth[n] = class_index(ev, t->truth_labels.v[i]);
            pred[n] = predicted_class(ev, p, scores ? scores + n * C : NULL, o->aggregate);
        }
        n++;
    }
    if (n == 0) {
        r = snd_fail(err, "no id has both a prediction and a truth");
        goto out;
    }
    r = ev->multilabel ? snd_multilabel_compute(&ev->ml, ts, ps, n, C, scores, err)
                       : snd_multiclass_compute(&ev->mc, truth, pred, n, C, scores, o->top_k, err);
    if (r == 0 && ev->multilabel)
        ev->ml.threshold = o->threshold;
out:
    free(truth);
    free(pred);
    free(ts);
    free(ps);
    free(scores);
    return r;
}

static void tables_free(struct tables *t)
{
    long i;

    snd_strset_free(t->truth_ids);
    snd_strset_free(t->pred_ids);
    strs_free(&t->truth_labels);
    for (i = 0; i < t->n_preds; i++) {
        strs_free(&t->preds[i].labels);
        free(t->preds[i].sum);
        free(t->preds[i].max);
    }
    free(t->preds);
    strs_free(&t->p_names);
}

static int truth_is_multilabel(const struct tables *t)
{
    long i;

    for (i = 0; i < t->truth_labels.n; i++)
        if (t->truth_labels.v[i][0] == '\0' || strchr(t->truth_labels.v[i], ',') != NULL)
            return 1;
    return 0;
}

/* Events: rows of id, start, end, label, on either side. */
struct event_list {
    struct snd_event *v;
    long n, cap;
    struct strs labels; /* each event's label, until the classes are known */
};

static int load_events(struct event_list *l, struct snd_strset *files, const char *path,
                       struct snd_err *err)
{
    struct snd_tsv_reader *r = snd_tsv_open(path, err);
    int c_id, c_start = -1, c_end = -1, c_label = -1, k = -1;

    if (r == NULL)
        return -1;
    if ((c_id = snd_tsv_require(r, "id", err)) < 0 ||
        (c_start = snd_tsv_require(r, "start", err)) < 0 ||
        (c_end = snd_tsv_require(r, "end", err)) < 0 ||
        (c_label = snd_tsv_require(r, "label", err)) < 0)
        goto out;
    while ((k = snd_tsv_next(r, err)) == 1) {
        struct snd_event *e;
        if (l->n == l->cap) {
            long cap = l->cap ? 2 * l->cap : 256;
            struct snd_event *v = realloc(l->v, (size_t)cap * sizeof *v);
            if (v == NULL) {
                k = snd_fail(err, "%s: out of memory", path);
                break;
            }
            l->v = v;
            l->cap = cap;
        }
        e = &l->v[l->n];
        if (snd_tsv_field_span(r, c_start, c_end, &e->onset, &e->offset, err) != 0) {
            k = -1;
            break;
        }
        if (snd_strset_add(files, snd_tsv_field(r, c_id)) < 0 ||
            strs_add(&l->labels, snd_tsv_field(r, c_label)) != 0) {
            k = snd_fail(err, "%s: out of memory", path);
            break;
        }
        e->file = (int)snd_strset_index(files, snd_tsv_field(r, c_id));
        l->n++;
    }
out:
    snd_tsv_close(r);
    return k == 0 ? 0 : -1;
}

static int run_events(const struct snd_eval_opts *o, int n_paths, char **paths, struct snd_eval *ev,
                      struct snd_err *err)
{
    struct event_list ref = {0}, sys = {0};
    struct snd_strset *files = snd_strset_new(), *labels = snd_strset_new();
    long i;
    int k, r = -1;

    ev->events = 1;
    if (files == NULL || labels == NULL) {
        snd_fail(err, "out of memory");
        goto out;
    }
    if (load_events(&ref, files, o->truth_path, err) != 0)
        goto out;
    for (k = 0; k < n_paths; k++)
        if (load_events(&sys, files, paths[k], err) != 0)
            goto out;
    for (i = 0; i < ref.labels.n; i++)
        snd_strset_add(labels, ref.labels.v[i]);
    for (i = 0; i < sys.labels.n; i++)
        snd_strset_add(labels, sys.labels.v[i]);
    ev->n_classes = (int)snd_strset_count(labels);
    ev->classes = calloc((size_t)ev->n_classes + 1, sizeof *ev->classes);
    for (i = 0; ev->classes != NULL && i < ev->n_classes; i++)
        if ((ev->classes[i] = strdup(snd_strset_at(labels, i))) == NULL)
            break;
    if (ev->classes == NULL || i < ev->n_classes) {
        snd_fail(err, "out of memory");
        goto out;
    }
    qsort(ev->classes, (size_t)ev->n_classes, sizeof *ev->classes, cmp_str);
    for (i = 0; i < ref.n; i++)
        ref.v[i].label = class_index(ev, ref.labels.v[i]);
    for (i = 0; i < sys.n; i++)
        sys.v[i].label = class_index(ev, sys.labels.v[i]);
    ev->n_files = (int)snd_strset_count(files);
    r = snd_event_scores_compute(&ev->es, ref.v, ref.n, sys.v, sys.n, ev->n_files, ev->n_classes,
                                 &o->event, err);
out:
    free(ref.v);
    free(sys.v);
    strs_free(&ref.labels);
    strs_free(&sys.labels);
    snd_strset_free(files);
    snd_strset_free(labels);
    return r;
}

/* Windows against spans: the truth labels spans of a recording (id, start, end, label);
 * each prediction row is a window scored against the span holding its midpoint. */
struct windows {
    struct event_list spans; /* the truth's spans, read as events */
    struct strs w_labels;    /* each window's predicted label */
    struct strs w_truth;     /* and its span's label */
    double *w_scores;        /* n x p_names.n */
    long n, cap;
};

/* The label of the span of file holding time t (a span holds its start, not its end), or
 * NULL. */
static const char *span_label_at(const struct windows *w, long file, double t)
{
    long i;

    for (i = 0; i < w->spans.n; i++)
        if (w->spans.v[i].file == file && w->spans.v[i].onset <= t && t < w->spans.v[i].offset)
            return w->spans.labels.v[i];
    return NULL;
}

static int load_windows(struct windows *w, struct tables *t, struct snd_strset *files,
                        const char *path, long *outside, struct snd_err *err)
{
    struct snd_tsv_reader *r = snd_tsv_open(path, err);
    int c_id, c_start = -1, c_end = -1, c_label = -1, *map = NULL, c, k = -1;

    if (r == NULL)
        return -1;
    if ((c_id = snd_tsv_require(r, "id", err)) < 0 ||
        (c_start = snd_tsv_require(r, "start", err)) < 0 ||
        (c_end = snd_tsv_require(r, "end", err)) < 0 ||
        (c_label = snd_tsv_require(r, "label", err)) < 0)
        goto out;
    map = malloc((size_t)snd_tsv_ncols(r) * sizeof *map);
    if (map == NULL || map_p_columns(t, r, path, map, err) != 0)
        goto out;
    t->n_preds = 1; /* later files must have the first's p: columns */
    while ((k = snd_tsv_next(r, err)) == 1) {
        double a, b, v;
        long file = snd_strset_index(files, snd_tsv_field(r, c_id));
        const char *truth_label;
        if (snd_tsv_field_span(r, c_start, c_end, &a, &b, err) != 0) {
            k = -1;
            break;
        }
        truth_label = file >= 0 ? span_label_at(w, file, (a + b) / 2) : NULL;
        if (truth_label == NULL) {
            ++*outside;
            continue;
        }
        if (w->n == w->cap) {
            long cap = w->cap ? 2 * w->cap : 256;
            double *v2 =
                realloc(w->w_scores, (size_t)cap * (size_t)(t->p_names.n + 1) * sizeof *v2);
            if (v2 == NULL) {
                k = snd_fail(err, "%s: out of memory", path);
                break;
            }
            w->w_scores = v2;
            w->cap = cap;
        }
        for (c = 0; c < snd_tsv_ncols(r); c++) {
            if (map[c] < 0)
                continue;
            if (snd_tsv_field_prob(r, c, &v, err) != 0)
                break;
            w->w_scores[w->n * t->p_names.n + map[c]] = v;
        }
        if (c < snd_tsv_ncols(r)) {
            k = -1;
            break;
        }
        if (strs_add(&w->w_labels, snd_tsv_field(r, c_label)) != 0 ||
            strs_add(&w->w_truth, truth_label) != 0) {
            k = snd_fail(err, "%s: out of memory", path);
            break;
        }
        w->n++;
    }
out:
    free(map);
    snd_tsv_close(r);
    return k == 0 ? 0 : -1;
}

/* Score windows as items: classes from the spans' and windows' labels. */
static int run_windows(const struct snd_eval_opts *o, int n_paths, char **paths,
                       struct snd_eval *ev, struct snd_err *err)
{
    struct windows w = {0};
    struct tables t = {0};
    struct snd_strset *files = snd_strset_new();
    long outside = 0, i, k;
    int f, C, r = -1;
    int *truth = NULL, *pred = NULL;
    unsigned char *ts = NULL, *ps = NULL;
    double *scores = NULL;

    ev->windows = 1;
    if (o->aggregate != SND_AGG_NONE) {
        snd_fail(err,
                 "%s: a truth of spans scores each window; --aggregate needs a truth of "
                 "clips (id, label)",
                 o->truth_path);
        goto out;
    }
    if (files == NULL || load_events(&w.spans, files, o->truth_path, err) != 0)
        goto out;
    for (f = 0; f < n_paths; f++)
        if (load_windows(&w, &t, files, paths[f], &outside, err) != 0)
            goto out;
    ev->n_missing = outside;
    if (outside > 0 && !o->allow_missing) {
        snd_fail(err,
                 "%ld windows lie in no span of the truth (give --allow-missing to score "
                 "the rest)",
                 outside);
        goto out;
    }
    /* The classes, as for clips: the spans' and the windows' labels. */
    t.truth_labels = w.w_truth;
    t.n_preds = 0;
    ev->multilabel = o->multi_label >= 0 ? o->multi_label : truth_is_multilabel(&t);
    {
        struct pred one = {0};
        one.labels = w.w_labels;
        one.rows = 1;
        t.preds = &one;
        t.n_preds = 1;
        r = collect_classes(ev, &t, err);
        t.preds = NULL;
        t.n_preds = 0;
        t.truth_labels = (struct strs){0};
        if (r != 0)
            goto out;
        r = -1;
    }
    C = ev->n_classes;
    ev->have_scores = t.p_names.n > 0;
    if (ev->have_scores && t.p_names.n != C) {
        snd_fail(err, "%s: the p: columns must name every class", paths[0]);
        goto out;
    }
    truth = malloc((size_t)(w.n + 1) * sizeof *truth);
    pred = malloc((size_t)(w.n + 1) * sizeof *pred);
    ts = calloc((size_t)(w.n + 1) * (size_t)C, 1);
    ps = calloc((size_t)(w.n + 1) * (size_t)C, 1);
    scores = ev->have_scores ? calloc((size_t)(w.n + 1) * (size_t)C, sizeof *scores) : NULL;
    if (!truth || !pred || !ts || !ps || (ev->have_scores && !scores)) {
        snd_fail(err, "out of memory");
        goto out;
    }
    for (i = 0; i < w.n; i++) {
        for (k = 0; scores != NULL && k < t.p_names.n; k++)
            scores[i * C + class_index(ev, t.p_names.v[k])] = w.w_scores[i * t.p_names.n + k];
        if (ev->multilabel) {
            mark_names(ev, w.w_truth.v[i], ts + i * C);
            if (o->threshold >= 0 && scores != NULL)
                for (k = 0; k < C; k++)
                    ps[i * C + k] = scores[i * C + k] >= o->threshold;
            else
                mark_names(ev, w.w_labels.v[i], ps + i * C);
        } else {
            truth[i] = class_index(ev, w.w_truth.v[i]);
            pred[i] = class_index(ev, w.w_labels.v[i]);
        }
    }
    if (w.n == 0) {
        snd_fail(err, "no window lies in a span of the truth");
        goto out;
    }
    r = ev->multilabel
            ? snd_multilabel_compute(&ev->ml, ts, ps, w.n, C, scores, err)
            : snd_multiclass_compute(&ev->mc, truth, pred, w.n, C, scores, o->top_k, err);
out:
    free(w.spans.v);
    strs_free(&w.spans.labels);
    strs_free(&w.w_labels);
    strs_free(&w.w_truth);
    free(w.w_scores);
    strs_free(&t.p_names);
    snd_strset_free(files);
    free(truth);
    free(pred);
    free(ts);
    free(ps);
    free(scores);
    return r;
}

/* Whether the truth labels spans (start and end columns) rather than whole clips. */
static int truth_has_spans(const char *path)
{
    struct snd_err ignored = {0};
    struct snd_tsv_reader *r;
    int spans;

    if (path == NULL || strcmp(path, "-") == 0 || (r = snd_tsv_open(path, &ignored)) == NULL)
        return 0;
    spans = snd_tsv_col(r, "start") >= 0 && snd_tsv_col(r, "end") >= 0;
    snd_tsv_close(r);
    return spans;
}

int snd_eval_run(const struct snd_eval_opts *o, int n_paths, char **paths, struct snd_eval *ev,
                 struct snd_err *err)
{
    static char *const stdin_only[] = {"-"};
    struct tables t = {0};
    char missing[512];
    int i, r = -1;

    memset(ev, 0, sizeof *ev);
    if (n_paths == 0) {
        n_paths = 1;
        paths = (char **)stdin_only;
    }
    if (o->events || truth_has_spans(o->truth_path)) {
        r = o->events ? run_events(o, n_paths, paths, ev, err)
                      : run_windows(o, n_paths, paths, ev, err);
        if (r != 0)
            snd_eval_free(ev);
        return r;
    }
    t.truth_ids = snd_strset_new();
    t.pred_ids = snd_strset_new();
    if (t.truth_ids == NULL || t.pred_ids == NULL) {
        snd_fail(err, "out of memory");
        goto out;
    }
    if (load_truth(&t, o->truth_path, err) != 0)
        goto out;
    for (i = 0; i < n_paths; i++)
        if (load_predictions(&t, paths[i], o->aggregate != SND_AGG_NONE, err) != 0)
            goto out;
    ev->multilabel = o->multi_label >= 0 ? o->multi_label : truth_is_multilabel(&t);
    if (collect_classes(ev, &t, err) != 0)
        goto out;
    ev->have_scores = t.p_names.n > 0;
    if (ev->have_scores && t.p_names.n != ev->n_classes) {
        for (i = 0; i < ev->n_classes; i++) {
            long k;
            for (k = 0; k < t.p_names.n && strcmp(t.p_names.v[k], ev->classes[i]) != 0; k++)
                ;
            if (k == t.p_names.n) {
                snd_fail(err, "%s: no p:%s column, and scores need one per class", paths[0],
                         ev->classes[i]);
                goto out;
            }
        }
    }
    ev->n_missing = count_missing(&t, missing, sizeof missing);
    if (ev->n_missing > 0 && !o->allow_missing) {
        snd_fail(err, "%s (give --allow-missing to score the rest)", missing);
        goto out;
    }
    r = score(ev, o, &t, err);
out:
    tables_free(&t);
    if (r != 0)
        snd_eval_free(ev);
    return r;
}

void snd_eval_free(struct snd_eval *ev)
{
    int c;

    for (c = 0; ev->classes != NULL && c < ev->n_classes; c++)
        free(ev->classes[c]);
    free(ev->classes);
    snd_multiclass_free(&ev->mc);
    snd_multilabel_free(&ev->ml);
    snd_event_scores_free(&ev->es);
    memset(ev, 0, sizeof *ev);
}

/* Metrics by name, for --min: each a getter over the evaluation. */
static int lookup(const struct snd_eval *ev, const char *name, double *v)
{
    const struct snd_multiclass *m = &ev->mc;
    const struct snd_multilabel *l = &ev->ml;
    const char *colon = strchr(name, ':');
    int c;

    if (ev->events) {
        const struct snd_event_scores *e = &ev->es;
        if (colon != NULL) {
            c = class_index(ev, colon + 1);
            if (c < 0 || strncmp(name, "event_f1:", 9) != 0)
                return -1;
            *v = e->per_class[c].f1;
            return 0;
        }
        *v = !strcmp(name, "event_f1")            ? e->f1
             : !strcmp(name, "event_precision")   ? e->precision
             : !strcmp(name, "event_recall")      ? e->recall
             : !strcmp(name, "segment_f1")        ? e->seg_f1
             : !strcmp(name, "segment_precision") ? e->seg_precision
             : !strcmp(name, "segment_recall")    ? e->seg_recall
                                                  : NAN;
        return isnan(*v) ? -2 : 0;
    }
    if (colon != NULL) {
        char what[32];
        size_t len = (size_t)(colon - name);
        if (len >= sizeof what || (c = class_index(ev, colon + 1)) < 0)
            return -1;
        memcpy(what, name, len);
        what[len] = '\0';
        if (ev->multilabel) {
            const struct snd_tag_scores *s = &l->per_tag[c];
            *v = !strcmp(what, "precision") ? s->precision
                 : !strcmp(what, "recall")  ? s->recall
                 : !strcmp(what, "f1")      ? s->f1
                 : !strcmp(what, "roc_auc") ? s->roc_auc
                 : !strcmp(what, "pr_auc")  ? s->pr_auc
                                            : NAN;
        } else {
            const struct snd_class_scores *s = &m->per_class[c];
            *v = !strcmp(what, "precision") ? s->precision
                 : !strcmp(what, "recall")  ? s->recall
                 : !strcmp(what, "f1")      ? s->f1
                                            : NAN;
        }
        return isnan(*v) ? -2 : 0;
    }
    if (ev->multilabel) {
        const struct {
            const char *name;
            double v;
        } t[] = {{"roc_auc_macro", l->roc_auc_macro},
                 {"roc_auc_micro", l->roc_auc_micro},
                 {"pr_auc_macro", l->pr_auc_macro},
                 {"pr_auc_micro", l->pr_auc_micro},
                 {"subset_accuracy", l->subset_accuracy},
                 {"f1_micro", l->f1_micro},
                 {"f1_macro", l->f1_macro},
                 {"precision_micro", l->precision_micro},
                 {"recall_micro", l->recall_micro},
                 {"hamming_loss", l->hamming_loss}};
        for (c = 0; c < (int)(sizeof t / sizeof t[0]); c++)
            if (strcmp(name, t[c].name) == 0)
                return isnan(*v = t[c].v) ? -2 : 0;
        return -1;
    }
    {
        const struct {
            const char *name;
            double v;
        } t[] = {{"accuracy", m->accuracy},
                 {"error_rate", 1.0 - m->accuracy},
                 {"balanced_accuracy", m->balanced_accuracy},
                 {"precision_macro", m->macro_p},
                 {"recall_macro", m->macro_r},
                 {"f1_macro", m->macro_f1},
                 {"f1_micro", m->micro_f1},
                 {"precision_weighted", m->weighted_p},
                 {"recall_weighted", m->weighted_r},
                 {"f1_weighted", m->weighted_f1},
                 {"top_k_accuracy", m->top_k_accuracy},
                 {"roc_auc_ovr_macro", m->roc_auc_ovr_macro}};
        for (c = 0; c < (int)(sizeof t / sizeof t[0]); c++)
            if (strcmp(name, t[c].name) == 0)
                return isnan(*v = t[c].v) ? -2 : 0;
    }
    return -1;
}

int snd_eval_metric(const struct snd_eval *ev, const char *name, double *value)
{
    return lookup(ev, name, value);
}

void snd_eval_metric_names(const struct snd_eval *ev, char *buf, size_t cap)
{
    if (ev->events) {
        snprintf(buf, cap,
                 "event_f1, event_precision, event_recall, segment_f1, "
                 "segment_precision, segment_recall, and event_f1:CLASS");
        return;
    }
    snprintf(buf, cap, "%s",
             ev->multilabel ? "roc_auc_macro, roc_auc_micro, pr_auc_macro, pr_auc_micro, "
                              "subset_accuracy, f1_micro, f1_macro, precision_micro, "
                              "recall_micro, and f1:TAG, precision:TAG, recall:TAG, "
                              "roc_auc:TAG, pr_auc:TAG"
                            : "accuracy, balanced_accuracy, precision_macro, recall_macro, "
                              "f1_macro, f1_micro, precision_weighted, recall_weighted, "
                              "f1_weighted, top_k_accuracy, roc_auc_ovr_macro, and f1:CLASS, "
                              "precision:CLASS, recall:CLASS");
}

/* Output. */

static int finish_output(FILE *f, struct snd_err *err)
{
    if (fflush(f) != 0 || ferror(f))
        return snd_fail_errno(err, errno ? errno : EIO, "stdout");
    return 0;
}

/* One "key": number member of an object, a comma after it unless last. */
static void json_key_num(FILE *f, const char *indent, const char *key, double v, int comma)
{
    fprintf(f, "%s\"%s\": ", indent, key);
    snd_json_number(f, v);
    fputs(comma ? ",\n" : "\n", f);
}

static void json_multiclass(FILE *f, const struct snd_eval *ev)
{
    const struct snd_multiclass *m = &ev->mc;
    char key[64];
    int c, k;

    json_key_num(f, "  ", "accuracy", m->accuracy, 1);
    json_key_num(f, "  ", "error_rate", 1.0 - m->accuracy, 1);
    json_key_num(f, "  ", "balanced_accuracy", m->balanced_accuracy, 1);
    fputs("  \"per_class\": {\n", f);
    for (c = 0; c < ev->n_classes; c++) {
        const struct snd_class_scores *s = &m->per_class[c];
        fputs("    ", f);
        snd_json_string(f, ev->classes[c]);
        fputs(": {\n", f);
        json_key_num(f, "      ", "precision", s->precision, 1);
        json_key_num(f, "      ", "recall", s->recall, 1);
        json_key_num(f, "      ", "f1", s->f1, 1);
        fprintf(f, "      \"support\": %ld\n    }%s\n", s->support,
                c + 1 < ev->n_classes ? "," : "");
    }
    fputs("  },\n", f);
    fprintf(f, "  \"macro\": {\"precision\": %.17g, \"recall\": %.17g, \"f1\": %.17g},\n",
            m->macro_p, m->macro_r, m->macro_f1);
    fprintf(f, "  \"micro\": {\"precision\": %.17g, \"recall\": %.17g, \"f1\": %.17g},\n",
            m->micro_p, m->micro_r, m->micro_f1);
    fprintf(f, "  \"weighted\": {\"precision\": %.17g, \"recall\": %.17g, \"f1\": %.17g},\n",
            m->weighted_p, m->weighted_r, m->weighted_f1);
    fputs("  \"confusion_matrix_rows_truth_cols_pred\": [", f);
    for (c = 0; c < ev->n_classes; c++) {
        fputs(c ? ",\n    [" : "\n    [", f);
        for (k = 0; k < ev->n_classes; k++)
            fprintf(f, "%s%ld", k ? ", " : "", m->confusion[c * ev->n_classes + k]);
        fputc(']', f);
    }
    fputs("\n  ],\n", f);
    snprintf(key, sizeof key, "top_%d_accuracy", m->top_k);
    json_key_num(f, "  ", key, m->top_k_accuracy, 1);
    json_key_num(f, "  ", "log_loss", m->log_loss, 1);
    json_key_num(f, "  ", "roc_auc_ovr_macro", m->roc_auc_ovr_macro, 0);
}

static void json_multilabel(FILE *f, const struct snd_eval *ev)
{
    const struct snd_multilabel *m = &ev->ml;
    int t;

    json_key_num(f, "  ", "roc_auc_macro", m->roc_auc_macro, 1);
    json_key_num(f, "  ", "roc_auc_micro", m->roc_auc_micro, 1);
    json_key_num(f, "  ", "pr_auc_macro", m->pr_auc_macro, 1);
    json_key_num(f, "  ", "pr_auc_micro", m->pr_auc_micro, 1);
    fputs("  \"per_tag\": {\n", f);
    for (t = 0; t < ev->n_classes; t++) {
        const struct snd_tag_scores *s = &m->per_tag[t];
        fputs("    ", f);
        snd_json_string(f, ev->classes[t]);
        fputs(": {\n", f);
        json_key_num(f, "      ", "roc_auc", s->roc_auc, 1);
        json_key_num(f, "      ", "pr_auc", s->pr_auc, 1);
        json_key_num(f, "      ", "precision", s->precision, 1);
        json_key_num(f, "      ", "recall", s->recall, 1);
        json_key_num(f, "      ", "f1", s->f1, 1);
        fprintf(f, "      \"support\": %ld\n    }%s\n", s->support,
                t + 1 < ev->n_classes ? "," : "");
    }
    fputs("  },\n", f);
    json_key_num(f, "  ", "subset_accuracy", m->subset_accuracy, 1);
    json_key_num(f, "  ", "hamming_loss", m->hamming_loss, 1);
    json_key_num(f, "  ", "f1_micro", m->f1_micro, 1);
    json_key_num(f, "  ", "f1_macro", m->f1_macro, 1);
    json_key_num(f, "  ", "precision_micro", m->precision_micro, 1);
    json_key_num(f, "  ", "recall_micro", m->recall_micro, 0);
}

static int json_events(FILE *f, const struct snd_eval *ev, struct snd_err *err)
{
    const struct snd_event_scores *e = &ev->es;
    int c;

    fprintf(f, "{\n  \"task\": \"events\",\n  \"files\": %d,\n  \"event_based\": {\n", ev->n_files);
    fprintf(f, "    \"n_ref\": %ld,\n    \"n_sys\": %ld,\n    \"tp\": %ld,\n", e->n_ref, e->n_sys,
            e->tp);
    json_key_num(f, "    ", "precision", e->precision, 1);
    json_key_num(f, "    ", "recall", e->recall, 1);
    json_key_num(f, "    ", "f1", e->f1, 1);
    fputs("    \"per_class\": {\n", f);
    for (c = 0; c < ev->n_classes; c++) {
        const struct snd_event_class *k = &e->per_class[c];
        fputs("      ", f);
        snd_json_string(f, ev->classes[c]);
        fprintf(f,
                ": {\"n_ref\": %ld, \"n_sys\": %ld, \"tp\": %ld, \"precision\": %.17g, "
                "\"recall\": %.17g, \"f1\": %.17g}%s\n",
                k->n_ref, k->n_sys, k->tp, k->precision, k->recall, k->f1,
                c + 1 < ev->n_classes ? "," : "");
    }
    fputs("    }\n  },\n  \"segment_based\": {\n", f);
    json_key_num(f, "    ", "precision", e->seg_precision, 1);
    json_key_num(f, "    ", "recall", e->seg_recall, 1);
    json_key_num(f, "    ", "f1", e->seg_f1, 0);
    fputs("  }\n}\n", f);
    return finish_output(f, err);
}

int snd_eval_write_json(FILE *f, const struct snd_eval *ev, struct snd_err *err)
{
    int c;

    errno = 0;
    if (ev->events)
        return json_events(f, ev, err);
    fprintf(f, "{\n  \"task\": \"%s\",\n  \"%s\": [", ev->multilabel ? "multilabel" : "multiclass",
            ev->multilabel ? "tags" : "classes");
    for (c = 0; c < ev->n_classes; c++) {
        fputs(c ? ", " : "", f);
        snd_json_string(f, ev->classes[c]);
    }
    fprintf(f, "],\n  \"unit\": \"%s\",\n  \"n\": %ld,\n  \"missing\": %ld,\n",
            ev->windows ? "windows" : "clips", ev->multilabel ? ev->ml.n : ev->mc.n, ev->n_missing);
    if (ev->multilabel)
        json_multilabel(f, ev);
    else
        json_multiclass(f, ev);
    fputs("}\n", f);
    return finish_output(f, err);
}

int snd_eval_write_tsv(FILE *f, const struct snd_eval *ev, struct snd_err *err)
{
    static const char *const mc_names[] = {
        "error_rate",        "precision_weighted", "recall_weighted", "accuracy",
        "balanced_accuracy", "precision_macro",    "recall_macro",    "f1_macro",
        "f1_micro",          "f1_weighted",        "top_k_accuracy",  "roc_auc_ovr_macro"};
    static const char *const ml_names[] = {
        "roc_auc_macro", "roc_auc_micro", "pr_auc_macro",    "pr_auc_micro", "subset_accuracy",
        "f1_micro",      "f1_macro",      "precision_micro", "recall_micro", "hamming_loss"};
    static const char *const per[] = {"precision", "recall", "f1", "roc_auc", "pr_auc"};
    const char *const *names = ev->multilabel ? ml_names : mc_names;
    int n_names = ev->multilabel ? (int)(sizeof ml_names / sizeof *ml_names)
                                 : (int)(sizeof mc_names / sizeof *mc_names);
    char name[1100];
    double v;
    int i, c, k;

    errno = 0;
    fputs("metric\tclass\tvalue\n", f);
    if (ev->events) {
        static const char *const ev_names[] = {"event_f1",   "event_precision",   "event_recall",
                                               "segment_f1", "segment_precision", "segment_recall"};
        for (i = 0; i < 6; i++)
            if (lookup(ev, ev_names[i], &v) == 0)
                fprintf(f, "%s\t\t%.17g\n", ev_names[i], v);
        for (c = 0; c < ev->n_classes; c++)
            fprintf(f, "event_f1\t%s\t%.17g\n", ev->classes[c], ev->es.per_class[c].f1);
        return finish_output(f, err);
    }
    for (i = 0; i < n_names; i++)
        if (lookup(ev, names[i], &v) == 0)
            fprintf(f, "%s\t\t%.17g\n", names[i], v);
    if (!ev->multilabel && !isnan(ev->mc.log_loss))
        fprintf(f, "log_loss\t\t%.17g\n", ev->mc.log_loss);
    for (c = 0; c < ev->n_classes; c++) {
        for (k = 0; k < (ev->multilabel ? 5 : 3); k++) {
            snprintf(name, sizeof name, "%s:%s", per[k], ev->classes[c]);
            if (lookup(ev, name, &v) == 0)
                fprintf(f, "%s\t%s\t%.17g\n", per[k], ev->classes[c], v);
        }
    }
    return finish_output(f, err);
}

struct ranked {
    int c;
    double f1;
};

static int by_f1(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;

    return x->f1 < y->f1 ? -1 : x->f1 > y->f1 ? 1 : x->c - y->c;
}

/* Classes ordered worst F1 first: where a person should look. */
static struct ranked *rank_classes(const struct snd_eval *ev)
{
    struct ranked *r = malloc((size_t)ev->n_classes * sizeof *r);
    int c;

    for (c = 0; r != NULL && c < ev->n_classes; c++) {
        r[c].c = c;
        r[c].f1 = ev->events       ? ev->es.per_class[c].f1
                  : ev->multilabel ? ev->ml.per_tag[c].f1
                                   : ev->mc.per_class[c].f1;
    }
    if (r != NULL)
        qsort(r, (size_t)ev->n_classes, sizeof *r, by_f1);
    return r;
}

static int name_width(const struct snd_eval *ev)
{
    int c, w = 5;

    for (c = 0; c < ev->n_classes; c++)
        if ((int)strlen(ev->classes[c]) > w)
            w = (int)strlen(ev->classes[c]);
    return w > 24 ? 24 : w;
}

int snd_eval_write_table(FILE *f, const struct snd_eval *ev, struct snd_err *err)
{
    struct ranked *r = rank_classes(ev);
    int w = name_width(ev), i, k;

    errno = 0;
    if (r == NULL)
        return snd_fail(err, "out of memory");
    if (ev->events) {
        const struct snd_event_scores *e = &ev->es;
        fprintf(f, "%d files, %ld reference events, %ld detected\n", ev->n_files, e->n_ref,
                e->n_sys);
        fprintf(f, "event-based   F1 %.4f   precision %.4f   recall %.4f   (%ld matched)\n", e->f1,
                e->precision, e->recall, e->tp);
        fprintf(f, "segment-based F1 %.4f   precision %.4f   recall %.4f\n", e->seg_f1,
                e->seg_precision, e->seg_recall);
        fprintf(f, "\n%-*s  ref  detected  matched      f1\n", w, "class");
        for (i = 0; i < ev->n_classes; i++) {
            const struct snd_event_class *s = &e->per_class[r[i].c];
            fprintf(f, "%-*.*s  %3ld  %8ld  %7ld  %.4f\n", w, w, ev->classes[r[i].c], s->n_ref,
                    s->n_sys, s->tp, s->f1);
        }
        free(r);
        return finish_output(f, err);
    }
    if (!ev->multilabel) {
        const struct snd_multiclass *m = &ev->mc;
        fprintf(f, "%ld %s, %d classes%s\n", m->n, ev->windows ? "windows" : "clips", ev->n_classes,
                ev->n_missing ? " (some ids left out: --allow-missing)" : "");
        fprintf(f, "accuracy %.4f   balanced accuracy %.4f   macro F1 %.4f   weighted F1 %.4f\n",
                m->accuracy, m->balanced_accuracy, m->macro_f1, m->weighted_f1);
        if (!isnan(m->top_k_accuracy))
            fprintf(f, "top-%d accuracy %.4f   log loss %.4f   ROC AUC (one vs rest, macro) %.4f\n",
                    m->top_k, m->top_k_accuracy, m->log_loss, m->roc_auc_ovr_macro);
        fprintf(f, "\n%-*s  precision  recall     f1  support\n", w, "class");
        for (i = 0; i < ev->n_classes; i++) {
            const struct snd_class_scores *s = &m->per_class[r[i].c];
            fprintf(f, "%-*.*s  %9.4f  %6.4f  %5.4f  %7ld\n", w, w, ev->classes[r[i].c],
                    s->precision, s->recall, s->f1, s->support);
        }
        fprintf(f, "\nconfusion (rows: truth, columns: predicted)\n%-*s", w, "");
        for (k = 0; k < ev->n_classes; k++)
            fprintf(f, " %7.7s", ev->classes[k]);
        fputc('\n', f);
        for (i = 0; i < ev->n_classes; i++) {
            fprintf(f, "%-*.*s", w, w, ev->classes[i]);
            for (k = 0; k < ev->n_classes; k++)
                fprintf(f, " %7ld", m->confusion[i * ev->n_classes + k]);
            fputc('\n', f);
        }
    } else {
        const struct snd_multilabel *m = &ev->ml;
        fprintf(f, "%ld %s, %d tags%s\n", m->n, ev->windows ? "windows" : "clips", ev->n_classes,
                ev->n_missing ? " (some ids left out: --allow-missing)" : "");
        if (!isnan(m->roc_auc_macro))
            fprintf(f, "ROC AUC macro %.4f micro %.4f   PR AUC macro %.4f micro %.4f\n",
                    m->roc_auc_macro, m->roc_auc_micro, m->pr_auc_macro, m->pr_auc_micro);
        fprintf(f, "subset accuracy %.4f   Hamming loss %.4f   F1 micro %.4f macro %.4f\n",
                m->subset_accuracy, m->hamming_loss, m->f1_micro, m->f1_macro);
        fprintf(f, "\n%-*s  precision  recall     f1  ROC AUC  PR AUC  support\n", w, "tag");
        for (i = 0; i < ev->n_classes; i++) {
            const struct snd_tag_scores *s = &m->per_tag[r[i].c];
            fprintf(f, "%-*.*s  %9.4f  %6.4f  %5.4f  %7.4f  %6.4f  %7ld\n", w, w,
                    ev->classes[r[i].c], s->precision, s->recall, s->f1, s->roc_auc, s->pr_auc,
                    s->support);
        }
    }
    free(r);
    return finish_output(f, err);
}
