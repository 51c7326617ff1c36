/* train: labels, examples, windows and epochs. Every random choice of an epoch comes from
 * a generator seeded by (seed, epoch), so a resumed run replays the epochs it missed
 * exactly as an uninterrupted one would have run them. */
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "features.h"
#include "h5util.h"
#include "half.h"
#include "mel.h"
#include "metrics.h"
#include "rng.h"
#include "strset.h"
#include "tsv.h"

/* ---- labels ------------------------------------------------------------------------- */

struct label_row {
    double start, end; /* -1: the whole clip */
    long first_tag;    /* into tags[] */
    int n_tags;
    long next; /* the next row of the same id, or -1 */
};

struct snd_labels {
    int multi;
    struct snd_strset *ids;
    long *first_row; /* per id */
    struct label_row *rows;
    long n_rows;
    int *tags; /* class indices */
    long n_tags;
    char **classes;
    int n_classes;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the class indices (in the order names first appear) of one label field. */
static int parse_tags(struct snd_labels *l, struct snd_strset *names, const char *field, long *cap,
                      const char *where, long line, struct snd_err *err)
{
    char *copy = strdup(field), *save = NULL;
    int n = 0;
    if (copy == NULL)
        return snd_fail(err, "%s: out of memory", where);
    if (!l->multi && (field[0] == '\0' || strchr(field, ',') != NULL)) {
        free(copy);
        return field[0] == '\0'
                   ? snd_fail(err, "%s:%ld: empty label", where, line)
                   : snd_fail(err, "%s:%ld: label \"%s\" has a comma (tags need --multi-label)",
                              where, line, field);
    }
    for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save), n++) {
        if (l->n_tags == *cap) {
            *cap = *cap * 2 + 16;
            int *grown = realloc(l->tags, (size_t)*cap * sizeof *grown);
            if (grown == NULL)
                return free(copy), snd_fail(err, "%s: out of memory", where);
            l->tags = grown;
        }
        if (snd_strset_add(names, t) < 0)
            return free(copy), snd_fail(err, "%s: out of memory", where);
        l->tags[l->n_tags++] = (int)snd_strset_index(names, t);
    }
    free(copy);
    if (l->multi && n == 0 && field[0] != '\0')
        return snd_fail(err, "%s:%ld: bad tags \"%s\"", where, line, field);
    return n;
}

static int read_span(struct snd_tsv_reader *r, int c_start, int c_end, struct label_row *row,
                     const char *path, struct snd_err *err)
{
    row->start = row->end = -1;
    if (c_start < 0)
        return 0;
    if (snd_tsv_field_span(r, c_start, c_end, &row->start, &row->end, err) != 0)
        return -1;
    if (row->end == row->start)
        return snd_fail(err, "%s:%ld: span %g..%g is empty", path, snd_tsv_line(r), row->start,
                        row->end);
    return 0;
}

/* Sort the class names and renumber every tag to its name's sorted rank. */
static int sort_classes(struct snd_labels *l, struct snd_strset *names)
{
    int n = (int)snd_strset_count(names);
    const char **sorted = malloc((size_t)n * sizeof *sorted + 1);
    int *rank = malloc((size_t)n * sizeof *rank + 1);
    if (sorted == NULL || rank == NULL)
        return free(sorted), free(rank), -1;
    for (int i = 0; i < n; i++)
        sorted[i] = snd_strset_at(names, i);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_str);
    for (int i = 0; i < n; i++)
        rank[snd_strset_index(names, sorted[i])] = i;
    for (long i = 0; i < l->n_tags; i++)
        l->tags[i] = rank[l->tags[i]];
    l->n_classes = n;
    size_t bytes = 0;
    for (int i = 0; i < n; i++)
        bytes += strlen(sorted[i]) + 1;
    l->classes = malloc((size_t)n * sizeof(char *) + bytes + 1);
    if (l->classes != NULL) {
        char *dst = (char *)(l->classes + n);
        for (int i = 0; i < n; i++) {
            l->classes[i] = strcpy(dst, sorted[i]);
            dst += strlen(sorted[i]) + 1;
        }
    }
    free(sorted), free(rank);
    return l->classes ? 0 : -1;
}

struct snd_labels *snd_labels_read(const char *path, int multi, struct snd_err *err)
{
    struct snd_labels *l = calloc(1, sizeof *l);
    struct snd_strset *names = snd_strset_new();
    struct snd_tsv_reader *r = NULL;
    long cap_rows = 0, cap_tags = 0, cap_ids = 0;
    int c_id, c_label, c_start, c_end, got;
    if (l == NULL || names == NULL || (l->ids = snd_strset_new()) == NULL) {
        snd_fail(err, "%s: out of memory", path);
        goto fail;
    }
    l->multi = multi;
    if ((r = snd_tsv_open(path, err)) == NULL || (c_id = snd_tsv_require(r, "id", err)) < 0 ||
        (c_label = snd_tsv_require(r, "label", err)) < 0)
        goto fail;
    c_start = snd_tsv_col(r, "start"), c_end = snd_tsv_col(r, "end");
    if ((c_start < 0) != (c_end < 0)) {
        snd_fail(err, "%s: a span needs both start and end columns", path);
        goto fail;
    }
    while ((got = snd_tsv_next(r, err)) == 1) {
        const char *id = snd_tsv_field(r, c_id);
        if (l->n_rows == cap_rows) {
            cap_rows = cap_rows * 2 + 64;
            struct label_row *grown = realloc(l->rows, (size_t)cap_rows * sizeof *grown);
            if (grown == NULL)
                break;
            l->rows = grown;
        }
        struct label_row *row = &l->rows[l->n_rows];
        if (snd_strset_add(l->ids, id) < 0)
            break;
        long id_index = snd_strset_index(l->ids, id);
        if (id_index >= cap_ids) {
            long old = cap_ids;
            cap_ids = cap_ids * 2 + 64;
            long *grown = realloc(l->first_row, (size_t)cap_ids * sizeof *grown);
            if (grown == NULL)
                break;
            l->first_row = grown;
            for (long i = old; i < cap_ids; i++)
                l->first_row[i] = -1;
        }
        row->first_tag = l->n_tags;
        int n =
            parse_tags(l, names, snd_tsv_field(r, c_label), &cap_tags, path, snd_tsv_line(r), err);
        if (n < 0 || read_span(r, c_start, c_end, row, path, err) != 0)
            goto fail;
        row->n_tags = n;
        /* Keep each id's rows in file order. */
        row->next = -1;
        long *link = &l->first_row[id_index];
        while (*link >= 0)
            link = &l->rows[*link].next;
        *link = l->n_rows++;
    }
    if (got == 1) {
        snd_fail(err, "%s: out of memory", path);
        goto fail;
    }
    if (got < 0)
        goto fail;
    if (snd_strset_count(names) == 0) {
        snd_fail(err, "%s: no labels", path);
        goto fail;
    }
    if (sort_classes(l, names) != 0) {
        snd_fail(err, "%s: out of memory", path);
        goto fail;
    }
    snd_tsv_close(r);
    snd_strset_free(names);
    return l;
fail:
    snd_tsv_close(r);
    snd_strset_free(names);
    snd_labels_free(l);
    return NULL;
}

void snd_labels_free(struct snd_labels *l)
{
    if (l == NULL)
        return;
    snd_strset_free(l->ids);
    free(l->first_row), free(l->rows), free(l->tags), free(l->classes);
    free(l);
}

int snd_labels_n_classes(const struct snd_labels *l)
{
    return l->n_classes;
}

const char *const *snd_labels_classes(const struct snd_labels *l)
{
    return (const char *const *)l->classes;
}

/* ---- examples ----------------------------------------------------------------------- */

static int grow_frames(struct snd_dataset *d, long more)
{
    long need = (d->n_frames + more) * d->feat.n_mels;
    if (need <= d->cap_frames)
        return 0;
    long cap = d->cap_frames * 2 > need ? d->cap_frames * 2 : need + 4096;
    void *grown = realloc(d->frames, (size_t)cap * (d->half ? sizeof(uint16_t) : sizeof(float)));
    if (grown == NULL)
        return -1;
    d->frames = grown, d->cap_frames = cap;
    return 0;
}

/* Frame t as floats: where it is held, or unpacked from halves into buf (n_mels floats). */
static const float *frame_of(const struct snd_dataset *d, long t, float *buf)
{
    long B = d->feat.n_mels;
    if (!d->half)
        return (const float *)d->frames + t * B;
    snd_half_unpack((const uint16_t *)d->frames + t * B, buf, B);
    return buf;
}

/* Up to `chunk` frames of the current clip into the dataset, through buf when they are to
 * be held as halves; the frames read, or -1 with err. */
static long read_frames(struct snd_dataset *d, struct snd_feat_reader *r, float *buf, long chunk,
                        const char *name, const char *id, struct snd_err *err)
{
    long B = d->feat.n_mels, at = d->n_frames * B;
    if (!d->half)
        return snd_feat_read_frames(r, (float *)d->frames + at, chunk, err);
    long n = snd_feat_read_frames(r, buf, chunk, err);
    if (n > 0 && snd_half_pack(buf, (uint16_t *)d->frames + at, n * B) > 0) {
        snd_fail(err, "%s: clip %s has log features beyond +-65504, too large to be levels", name,
                 id);
        return -1;
    }
    return n;
}

static int add_example(struct snd_dataset *d, const struct snd_labels *l,
                       const struct label_row *row, long first, long len, int val)
{
    if (d->n_ex == d->cap_ex) {
        long cap = d->cap_ex * 2 + 256;
        struct snd_example *ex = realloc(d->ex, (size_t)cap * sizeof *ex);
        if (ex != NULL)
            d->ex = ex;
        unsigned char *y = realloc(d->y, (size_t)cap * (size_t)d->n_classes);
        if (y != NULL)
            d->y = y;
        if (ex == NULL || y == NULL)
            return -1;
        d->cap_ex = cap;
    }
    struct snd_example *e = &d->ex[d->n_ex];
    unsigned char *y = d->y + d->n_ex * d->n_classes;
    memset(y, 0, (size_t)d->n_classes);
    e->first = first, e->len = len, e->clip = d->n_clips, e->val = val;
    e->cls = row->n_tags > 0 ? l->tags[row->first_tag] : -1;
    for (int k = 0; k < row->n_tags; k++)
        y[l->tags[row->first_tag + k]] = 1;
    d->n_ex++;
    return 0;
}

/* The examples of the clip just read: one per label row naming it. */
static int label_clip(struct snd_dataset *d, const struct snd_labels *l, const char *id, long first,
                      long len, int val, const char *path, struct snd_err *err)
{
    long index = snd_strset_index(l->ids, id);
    int whole = 0;
    for (long r = index >= 0 ? l->first_row[index] : -1; r >= 0; r = l->rows[r].next) {
        const struct label_row *row = &l->rows[r];
        long lo = 0, hi = len;
        if (row->start >= 0) {
            lo = snd_feat_frame_at(&d->feat, row->start);
            hi = snd_feat_frame_at(&d->feat, row->end);
            hi = hi > len ? len : hi;
            if (lo >= hi)
                return snd_fail(err, "%s: clip %s has %ld frames; its span %g..%g s is past them",
                                path, id, len, row->start, row->end);
        } else if (whole++ && !d->multi) {
            return snd_fail(err, "%s: clip %s has more than one label", path, id);
        }
        if (add_example(d, l, row, first + lo, hi - lo, val) != 0)
            return snd_fail(err, "%s: out of memory", path);
    }
    return 0;
}

#define READ_CHUNK 1024 /* frames read at a time */

int snd_dataset_add(struct snd_dataset *d, const struct snd_labels *labels, const char *path,
                    int val, int skip_unlabelled, long *skipped, struct snd_err *err)
{
    struct snd_feat_reader *r = snd_feat_open(path, err);
    const char *id, *name;
    double start;
    long long n_frames;
    int got, rc = -1;
    float *buf = NULL;
    if (r == NULL)
        return -1;
    name = snd_feat_reader_name(r);
    if (!d->have_feat) {
        d->feat = *snd_feat_reader_params(r);
        d->have_feat = 1;
        d->half = d->feat.log != SND_LOG_NONE;
        d->n_classes = labels->n_classes;
        d->multi = labels->multi;
    } else if (snd_feat_params_compare(snd_feat_reader_params(r), name, &d->feat,
                                       "the features before it", err) != 0) {
        goto done;
    }
    if (d->half && (buf = malloc((size_t)READ_CHUNK * d->feat.n_mels * sizeof *buf)) == NULL) {
        snd_fail(err, "%s: out of memory", name);
        goto done;
    }
    while ((got = snd_feat_next_clip(r, &id, &start, &n_frames, err)) == 1) {
        long first = d->n_frames, n;
        if (!snd_strset_has(labels->ids, id)) {
            if (!skip_unlabelled) {
                snd_fail(err, "%s: clip %s has no label in the labels (--skip-unlabelled skips it)",
                         name, id);
                goto done;
            }
            ++*skipped;
            continue;
        }
        do {
            if (grow_frames(d, READ_CHUNK) != 0) {
                snd_fail(err, "%s: out of memory", name);
                goto done;
            }
            n = read_frames(d, r, buf, READ_CHUNK, name, id, err);
            if (n < 0)
                goto done;
            d->n_frames += n;
        } while (n > 0);
        if (d->n_frames == first) {
            snd_fail(err, "%s: clip %s has no frames", name, id);
            goto done;
        }
        if (label_clip(d, labels, id, first, d->n_frames - first, val, name, err) != 0)
            goto done;
        d->n_clips++;
    }
    rc = got < 0 ? -1 : 0;
done:
    free(buf);
    snd_feat_close(r);
    return rc;
}

void snd_dataset_free(struct snd_dataset *d)
{
    free(d->frames), free(d->ex), free(d->y);
    memset(d, 0, sizeof *d);
}

static void shuffle_longs(long *v, long n, struct snd_rng *rng)
{
    for (long i = n - 1; i > 0; i--) {
        long j = (long)snd_rng_below(rng, (uint64_t)i + 1), t = v[i];
        v[i] = v[j], v[j] = t;
    }
}

long snd_dataset_split(struct snd_dataset *d, double f, long keep, uint64_t seed)
{
    struct snd_rng rng;
    long *clips = malloc((size_t)d->n_clips * sizeof *clips + 1), held_out = 0;
    int *clip_cls = malloc((size_t)d->n_clips * sizeof *clip_cls + 1);
    unsigned char *held = calloc((size_t)d->n_clips + 1, 1);
    if (clips == NULL || clip_cls == NULL || held == NULL || f <= 0)
        goto done;
    keep = keep > 1 ? keep : 1;
    snd_rng_seed(&rng, seed ^ 0x73706c6974ULL);
    for (int c = 0; c < d->n_clips; c++)
        clip_cls[c] = -2;
    for (long i = 0; i < d->n_ex; i++)
        if (clip_cls[d->ex[i].clip] == -2)
            clip_cls[d->ex[i].clip] = d->ex[i].cls;
    /* Each stratum (class of a clip's first example) gives up the same share, as long as
     * it keeps enough to learn from. */
    for (int k = -1; k < d->n_classes; k++) {
        long n = 0;
        for (int c = 0; c < d->n_clips; c++)
            if (clip_cls[c] == k)
                clips[n++] = c;
        shuffle_longs(clips, n, &rng);
        long take = lround(f * (double)n);
        take = take < n - keep ? take : n - keep;
        for (long i = 0; i < take; i++)
            held[clips[i]] = 1, held_out++;
    }
    for (long i = 0; i < d->n_ex; i++)
        d->ex[i].val = held[d->ex[i].clip];
done:
    free(clips), free(clip_cls), free(held);
    return held_out;
}

long snd_dataset_count(const struct snd_dataset *d, int val)
{
    long n = 0;
    for (long i = 0; i < d->n_ex; i++)
        n += d->ex[i].val == val;
    return n;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

void snd_dataset_lengths(const struct snd_dataset *d, long *shortest, long *median, long *longest)
{
    long *len = malloc((size_t)d->n_ex * sizeof *len + 1), n = 0;
    *shortest = *median = *longest = 0;
    if (len == NULL)
        return;
    for (long i = 0; i < d->n_ex; i++)
        if (!d->ex[i].val)
            len[n++] = d->ex[i].len;
    if (n > 0) {
        qsort(len, (size_t)n, sizeof *len, cmp_long);
        *shortest = len[0], *median = len[(n - 1) / 2], *longest = len[n - 1];
    }
    free(len);
}

long snd_dataset_class_median(const struct snd_dataset *d)
{
    long *count = calloc((size_t)d->n_classes + 1, sizeof *count), median = 0;
    if (count == NULL || d->n_classes < 1) {
        free(count);
        return 0;
    }
    for (long i = 0; i < d->n_ex; i++)
        for (int k = 0; k < d->n_classes && !d->ex[i].val; k++)
            count[k] += d->y[(size_t)i * (size_t)d->n_classes + (size_t)k] != 0;
    qsort(count, (size_t)d->n_classes, sizeof *count, cmp_long);
    median = count[(d->n_classes - 1) / 2];
    free(count);
    return median;
}

double snd_dataset_auto_window(const struct snd_dataset *d)
{
    long shortest, median, longest;
    snd_dataset_lengths(d, &shortest, &median, &longest);
    double sec = snd_feat_seconds(&d->feat, median);
    sec = SND_WINDOW_STEP_SEC * round(sec / SND_WINDOW_STEP_SEC);
    return sec < SND_WINDOW_MIN_SEC ? SND_WINDOW_MIN_SEC : sec > SND_WINDOW_MAX_SEC ? SND_WINDOW_MAX_SEC : sec;
}

int snd_train_auto_epochs(long n_train, int batch)
{
    long per_epoch = (n_train + batch - 1) / (batch > 0 ? batch : 1);
    long epochs = per_epoch > 0 ? (SND_MIN_STEPS + per_epoch - 1) / per_epoch : 1;
    return epochs > SND_MIN_EPOCHS ? (int)(epochs < 100000 ? epochs : 100000) : SND_MIN_EPOCHS;
}

void snd_dataset_band_stats(const struct snd_dataset *d, float *mean, float *std)
{
    int B = d->feat.n_mels;
    double *s = calloc((size_t)B * 2, sizeof *s);
    float *buf = malloc((size_t)B * sizeof *buf);
    long count = 0;
    if (s == NULL || buf == NULL) {
        free(s), free(buf);
        return;
    }
    for (long i = 0; i < d->n_ex; i++) {
        const struct snd_example *e = &d->ex[i];
        if (e->val)
            continue;
        for (long t = e->first; t < e->first + e->len; t++) {
            const float *f = frame_of(d, t, buf);
            for (int b = 0; b < B; b++)
                s[b] += f[b];
        }
        count += e->len;
    }
    for (int b = 0; b < B; b++)
        mean[b] = count > 0 ? (float)(s[b] / (double)count) : 0.0f;
    for (long i = 0; i < d->n_ex; i++) {
        const struct snd_example *e = &d->ex[i];
        if (e->val)
            continue;
        for (long t = e->first; t < e->first + e->len; t++) {
            const float *f = frame_of(d, t, buf);
            for (int b = 0; b < B; b++) {
                double x = f[b] - mean[b];
                s[B + b] += x * x;
            }
        }
    }
    for (int b = 0; b < B; b++) {
        double sd = count > 1 ? sqrt(s[B + b] / (double)count) : 1.0;
        std[b] = sd > 1e-6 ? (float)sd : 1.0f;
    }
    free(s), free(buf);
}

/* ---- training ----------------------------------------------------------------------- */

/* Frames of background laid before and after a training example (--pad). */
struct snd_padding {
    long before, after;
};

struct snd_trainer {
    struct snd_model *model;
    struct snd_net *net;
    const struct snd_dataset *d;
    struct snd_train_conf conf;
    struct snd_opt *opt;
    long *train, *val, *order; /* example indices; order: this epoch's draw */
    long n_train, n_val;
    float *class_weight; /* balance weight: per class (multi-label: positive weight) */
    float *targets, *weights, *mix, *mix_targets, *mix_weights;
    float *rows;         /* two frames unpacked from halves */
    float *channel;      /* this example's offset per band, in feature units (gain and eq) */
    float *noise;        /* this example's background noise per band, in dB; NULL: none */
    double *noise_shape; /* per band: the gamma shape of a noise's power from frame to frame */
    double floor;        /* the features' value for no energy, which no channel changes */
    double per_db;       /* feature units per dB of level; 0: not a log feature, no channel */
    double *peak;        /* each example's loudest value in dB; NULL: neither noise nor trim */
    float **best;        /* every tensor at the best epoch */
    float **ema;         /* with conf.ema: the moving average of every tensor, and room to swap */
    float **swap;
    double best_metric, best_loss;
    int best_epoch, stale;
    long steps_per_epoch;
};

/* Class weights n / (k n_c) as scikit-learn's "balanced"; multi-label: negatives over
 * positives per tag, PyTorch's pos_weight. */
static void compute_class_weights(struct snd_trainer *t)
{
    const struct snd_dataset *d = t->d;
    int K = d->n_classes;
    for (int k = 0; k < K; k++) {
        long pos = 0;
        for (long i = 0; i < t->n_train; i++)
            pos += d->y[t->train[i] * K + k];
        if (d->multi)
            t->class_weight[k] = pos > 0 ? (float)(t->n_train - pos) / (float)pos : 1.0f;
        else
            t->class_weight[k] = pos > 0 ? (float)t->n_train / ((float)K * (float)pos) : 0.0f;
    }
}

/* What a change of level means in the features' units: dB features move by the dB,
 * natural-log ones by power ln(10) / 20 per dB; linear features have no such offset, and
 * there the channel augmentation is off. The floor is where the log clamped silence
 * (amin): a band with no energy stays silent whatever the gain. */
static void channel_units(struct snd_trainer *t, const struct snd_feat_params *p)
{
    t->per_db = 0, t->floor = -INFINITY;
    if (p->log == SND_LOG_DB)
        t->per_db = 1.0, t->floor = 20.0 / p->power * log10(p->amin);
    else if (p->log == SND_LOG_LN)
        t->per_db = p->power * M_LN10 / 20.0, t->floor = log(p->amin);
}

/* The loudest band of frame i of example e, in dB. */
static double frame_db(const struct snd_trainer *t, const struct snd_example *e, long i)
{
    int B = t->model->feat.n_mels;
    const float *f = frame_of(t->d, e->first + i, t->rows);
    float top = f[0];
    for (int b = 1; b < B; b++)
        top = f[b] > top ? f[b] : top;
    return top / t->per_db;
}

/* The loudest value of example e, in dB: what its noise's level and its trimming are
 * set against. */
static double peak_db(const struct snd_trainer *t, const struct snd_example *e)
{
    double peak = -INFINITY;
    for (long i = 0; i < e->len; i++) {
        double db = frame_db(t, e, i);
        peak = db > peak ? db : peak;
    }
    return peak;
}

/* Each example's peak, measured once: noise, padding and trimming read it at every draw.
 * Only when one of them is on, and the features are logarithmic. */
static int measure_peaks(struct snd_trainer *t)
{
    if (t->per_db == 0 || (t->conf.noise <= 0 && t->conf.trim <= 0 && t->conf.pad <= 0))
        return 0;
    if ((t->peak = malloc((size_t)(t->d->n_ex + 1) * sizeof *t->peak)) == NULL)
        return -1;
    for (long i = 0; i < t->d->n_ex; i++)
        t->peak[i] = peak_db(t, &t->d->ex[i]);
    return 0;
}

/* How much noise of a steady level fluctuates from frame to frame in each band, from the
 * features' own filterbank (snd_mel_noise_shape): a real room's hiss is grainy in a
 * spectrogram, a few dB up and down, more so in the narrow low bands; noise of a constant
 * value would be a mere floor a network learns to see through. Only with --noise or
 * --pad. */
static int measure_noise_shape(struct snd_trainer *t, struct snd_err *err)
{
    if (t->per_db == 0 || (t->conf.noise <= 0 && t->conf.pad <= 0))
        return 0;
    struct snd_mel *m = snd_mel_new(&t->d->feat, err);
    if (m == NULL)
        return -1;
    t->noise_shape = malloc((size_t)t->d->feat.n_mels * sizeof *t->noise_shape);
    if (t->noise_shape == NULL) {
        snd_mel_free(m);
        return snd_fail(err, "training: out of memory");
    }
    snd_mel_noise_shape(m, t->noise_shape);
    snd_mel_free(m);
    return 0;
}

/* The moving average starts at the initial weights. */
static int alloc_ema(struct snd_trainer *t)
{
    int n = snd_net_n_params(t->net);
    if ((t->ema = calloc((size_t)n, sizeof *t->ema)) == NULL ||
        (t->swap = calloc((size_t)n, sizeof *t->swap)) == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        struct snd_param *p = snd_net_param(t->net, i);
        if ((t->ema[i] = malloc((size_t)p->size * sizeof(float))) == NULL ||
            (t->swap[i] = malloc((size_t)p->size * sizeof(float))) == NULL)
            return -1;
        memcpy(t->ema[i], p->value, (size_t)p->size * sizeof(float));
    }
    return 0;
}

struct snd_trainer *snd_trainer_new(struct snd_model *model, const struct snd_dataset *d,
                                    const struct snd_train_conf *conf, struct snd_err *err)
{
    struct snd_trainer *t = calloc(1, sizeof *t);
    int B = conf->batch, K = d->n_classes, n_params = snd_net_n_params(model->net);
    size_t in = (size_t)model->window_frames * (size_t)d->feat.n_mels;
    if (t == NULL)
        goto oom;
    t->model = model, t->net = model->net, t->d = d, t->conf = *conf;
    t->n_train = snd_dataset_count(d, 0), t->n_val = snd_dataset_count(d, 1);
    t->train = malloc((size_t)(t->n_train + 1) * sizeof(long));
    t->val = malloc((size_t)(t->n_val + 1) * sizeof(long));
    t->order = malloc((size_t)(t->n_train + 1) * sizeof(long));
    t->class_weight = malloc((size_t)K * sizeof(float));
    t->targets = malloc((size_t)B * K * sizeof(float));
    t->mix_targets = malloc((size_t)B * K * sizeof(float));
    t->weights = malloc((size_t)B * sizeof(float));
    t->mix_weights = malloc((size_t)B * sizeof(float));
    t->mix = malloc((size_t)B * in * sizeof(float));
    t->rows = malloc(2 * (size_t)d->feat.n_mels * sizeof(float));
    t->channel = malloc((size_t)d->feat.n_mels * 2 * sizeof(float));
    t->best = calloc((size_t)n_params, sizeof *t->best);
    if (!t->train || !t->val || !t->order || !t->class_weight || !t->targets || !t->mix_targets ||
        !t->weights || !t->mix_weights || !t->mix || !t->rows || !t->channel || !t->best)
        goto oom;
    for (int i = 0; i < n_params; i++) {
        struct snd_param *p = snd_net_param(t->net, i);
        if ((t->best[i] = malloc((size_t)p->size * sizeof(float))) == NULL)
            goto oom;
        memcpy(t->best[i], p->value, (size_t)p->size * sizeof(float));
    }
    if (conf->ema > 0 && alloc_ema(t) != 0)
        goto oom;
    long a = 0, b = 0;
    for (long i = 0; i < d->n_ex; i++) {
        if (d->ex[i].val)
            t->val[b++] = i;
        else
            t->train[a++] = i;
    }
    if (t->n_train == 0) {
        snd_trainer_free(t);
        snd_fail(err, "no training examples left after the validation split");
        return NULL;
    }
    compute_class_weights(t);
    channel_units(t, &d->feat);
    if (measure_peaks(t) != 0)
        goto oom;
    if (measure_noise_shape(t, err) != 0) {
        snd_trainer_free(t);
        return NULL;
    }
    if ((t->opt = snd_opt_new(t->net, &conf->opt, err)) == NULL) {
        snd_trainer_free(t);
        return NULL;
    }
    t->steps_per_epoch = (t->n_train + B - 1) / B;
    t->best_epoch = -1;
    t->best_metric = -INFINITY, t->best_loss = INFINITY;
    return t;
oom:
    snd_trainer_free(t);
    snd_fail(err, "training: out of memory");
    return NULL;
}

void snd_trainer_free(struct snd_trainer *t)
{
    if (t == NULL)
        return;
    for (int i = 0; i < snd_net_n_params(t->net); i++) {
        if (t->best != NULL)
            free(t->best[i]);
        if (t->ema != NULL)
            free(t->ema[i]);
        if (t->swap != NULL)
            free(t->swap[i]);
    }
    free(t->best), free(t->ema), free(t->swap);
    snd_opt_free(t->opt);
    free(t->train), free(t->val), free(t->order), free(t->class_weight);
    free(t->targets), free(t->mix_targets), free(t->weights), free(t->mix_weights), free(t->mix);
    free(t->rows), free(t->channel), free(t->peak), free(t->noise_shape);
    free(t);
}

int snd_trainer_has_val(const struct snd_trainer *t)
{
    return t->n_val > 0;
}

long snd_trainer_n_train(const struct snd_trainer *t)
{
    return t->n_train;
}

int snd_trainer_stale(const struct snd_trainer *t)
{
    return t->stale;
}

int snd_trainer_best_epoch(const struct snd_trainer *t)
{
    return t->best_epoch;
}

/* A generator for one purpose of one epoch. */
static void epoch_rng(struct snd_rng *rng, const struct snd_trainer *t, int epoch, uint64_t what)
{
    snd_rng_seed(rng, t->conf.seed * 0x9e3779b97f4a7c15ULL + (uint64_t)epoch * 0x1000193ULL + what);
}

/* The epoch's training examples: a shuffle, or with balanced sampling a draw with
 * replacement in which every class is equally likely. */
static void draw_order(struct snd_trainer *t, struct snd_rng *rng)
{
    const struct snd_dataset *d = t->d;
    if (t->conf.balance != SND_BALANCE_SAMPLE || d->multi) {
        memcpy(t->order, t->train, (size_t)t->n_train * sizeof(long));
        shuffle_longs(t->order, t->n_train, rng);
        return;
    }
    /* Cumulative weights 1/n_c per example; draw by binary search. */
    double *cum = malloc((size_t)t->n_train * sizeof *cum), total = 0;
    if (cum == NULL) {
        memcpy(t->order, t->train, (size_t)t->n_train * sizeof(long));
        return;
    }
    for (long i = 0; i < t->n_train; i++) {
        total += t->class_weight[d->ex[t->train[i]].cls];
        cum[i] = total;
    }
    for (long i = 0; i < t->n_train; i++) {
        double u = snd_rng_uniform(rng) * total;
        long lo = 0, hi = t->n_train - 1;
        while (lo < hi) {
            long mid = (lo + hi) / 2;
            if (cum[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        t->order[i] = t->train[lo];
    }
    free(cum);
}

/* Where a window of W frames starts relative to an example of len frames: a crop offset
 * into a longer example, or minus the placement of a shorter one. Validation centres. */
static long window_offset(const struct snd_trainer *t, long len, int W, struct snd_rng *rng)
{
    long slack = len - W, centre = slack / 2, lo, hi;
    if (rng == NULL)
        return centre;
    lo = slack >= 0 ? 0 : slack, hi = slack >= 0 ? slack : 0;
    if (t->conf.shift >= 0) {
        lo = lo > centre - t->conf.shift ? lo : centre - t->conf.shift;
        hi = hi < centre + t->conf.shift ? hi : centre + t->conf.shift;
    }
    return lo + (long)snd_rng_below(rng, (uint64_t)(hi - lo + 1));
}

/* A smooth random curve over the B bands into out: the first three cosines over the bands
 * with weights within +- amp / 3 each, so that it stays within +- amp. */
static void smooth_curve(float *out, int B, double amp, double offset, struct snd_rng *rng)
{
    double c[3];
    for (int k = 0; k < 3; k++)
        c[k] = amp / 3 * (2 * snd_rng_uniform(rng) - 1);
    for (int b = 0; b < B; b++) {
        double u = M_PI * (b + 0.5) / B, v = offset;
        for (int k = 0; k < 3; k++)
            v += c[k] * cos((k + 1) * u);
        out[b] = (float)v;
    }
}

/* Example e as a tighter silence trimming would have left it: the frames at either end
 * quieter than a random level, t->conf.trim to t->conf.trim + 40 dB below its peak, cut
 * off. Clips trimmed by another recorder, or by a stricter threshold, lose the faint
 * edges of their words, the hiss of an s or the burst of a t. The loudest frame always
 * stays. Draws nothing when off, so runs without it stay what they were. */
static struct snd_example trimmed(const struct snd_trainer *t, long e, struct snd_rng *rng)
{
    struct snd_example cut = t->d->ex[e];
    if (t->conf.trim <= 0 || t->per_db == 0)
        return cut;
    double level = t->peak[e] - t->conf.trim - 40 * snd_rng_uniform(rng);
    while (cut.len > 1 && frame_db(t, &cut, 0) < level)
        cut.first++, cut.len--;
    while (cut.len > 1 && frame_db(t, &cut, cut.len - 1) < level)
        cut.len--;
    return cut;
}

/* The background --pad lays around examples when --noise is off: quiet noise at least
 * this many dB below the example's peak, as --noise 30 would draw it. */
#define PAD_NOISE_DB 30.0

/* A channel for training example e, into t->channel: a gain within +- gain dB, the same
 * in every band (speakers recorded at other levels), plus a smooth EQ within +- eq dB
 * (another microphone's tilt or hump); and into t->noise, background noise of a random
 * smooth colour whose level lies between noise and noise + 40 dB below the example's
 * peak (a room, a fan, a hum), its mean level per band: noise_db() scatters it. --pad
 * needs a background too: with --noise off, one PAD_NOISE_DB dB and more below the peak,
 * heard only where padding is. Draws nothing for what is off, so runs without them stay
 * what they were. Returns NULL when there is nothing to apply. */
static const float *draw_channel(struct snd_trainer *t, long e, struct snd_rng *rng)
{
    int B = t->model->feat.n_mels;
    if (t->per_db == 0 ||
        (t->conf.gain <= 0 && t->conf.eq <= 0 && t->conf.noise <= 0 && t->conf.pad <= 0))
        return NULL;
    double g = t->conf.gain > 0 ? t->conf.gain * (2 * snd_rng_uniform(rng) - 1) : 0;
    if (t->conf.eq > 0)
        smooth_curve(t->channel, B, t->conf.eq, g, rng);
    for (int b = 0; b < B && t->conf.eq <= 0; b++)
        t->channel[b] = (float)g;
    for (int b = 0; b < B; b++)
        t->channel[b] = (float)(t->channel[b] * t->per_db);
    t->noise = NULL;
    if (t->conf.noise > 0 || t->conf.pad > 0) {
        double least = t->conf.noise > 0 ? t->conf.noise : PAD_NOISE_DB;
        double below = least + 40 * snd_rng_uniform(rng);
        t->noise = t->channel + B;
        smooth_curve(t->noise, B, 15, t->peak[e] - below, rng);
    }
    return t->channel;
}

/* The background noise's level in band b of one frame, in dB: its mean level, with the
 * frame-to-frame scatter of a noise's power in that band. */
static double noise_db(const struct snd_trainer *t, int b, struct snd_rng *rng)
{
    double k = t->noise_shape[b];
    return t->noise[b] + 10 * log10(snd_rng_gamma(rng, k) / k);
}

/* A feature value of band b through channel chan (NULL: none), then standardised: the
 * noise adds its power, the channel its offset. Silence at the floor stays there (such a
 * band was never recorded, as above the Nyquist frequency of a resampled clip), and
 * nothing is pushed below it. rng draws the noise; NULL only without a channel. */
static float standardise(const struct snd_trainer *t, double v, const float *chan, int b,
                         struct snd_rng *rng)
{
    if (chan != NULL && v > t->floor) {
        if (t->noise != NULL && t->conf.noise > 0) {
            double n = noise_db(t, b, rng), db = v / t->per_db, hi = db > n ? db : n;
            db = hi + 10 * log10(1 + pow(10, -fabs(db - n) / 10));
            v = db * t->per_db;
        }
        v += chan[b];
        v = v > t->floor ? v : t->floor;
    }
    return (float)((v - t->model->mean[b]) / t->model->std[b]);
}

/* How much background --pad lays before and after a training example: up to t->conf.pad
 * frames at either end, drawn apart. A recorder that trims loosely, or not at all, leaves
 * a stretch of its room around each word, which a network that has only met words cut
 * to their edges misreads (a speaker's clips with 0.1 to 0.2 s of quiet around them lost
 * a tenth of their accuracy to it). Draws nothing when off. */
static struct snd_padding draw_padding(const struct snd_trainer *t, struct snd_rng *rng)
{
    struct snd_padding p = {0, 0};
    if (t->conf.pad <= 0 || t->noise == NULL)
        return p;
    p.before = (long)snd_rng_below(rng, (uint64_t)t->conf.pad + 1);
    p.after = (long)snd_rng_below(rng, (uint64_t)t->conf.pad + 1);
    return p;
}

/* One standardised frame of background alone into row: the example's noise through
 * channel chan. */
static void fill_background(const struct snd_trainer *t, float *row, const float *chan,
                            struct snd_rng *rng)
{
    const struct snd_model *m = t->model;
    for (int b = 0; b < m->feat.n_mels; b++) {
        double v = noise_db(t, b, rng) * t->per_db + chan[b];
        v = v > t->floor ? v : t->floor;
        row[b] = (float)((v - m->mean[b]) / m->std[b]);
    }
}

/* One standardised window of example e through channel chan (NULL: none) into x
 * (W x n_mels), with pad's background around it, and zero (the mean) beyond. */
static void fill_window(const struct snd_trainer *t, const struct snd_example *e,
                        struct snd_padding pad, float *x, const float *chan, struct snd_rng *rng)
{
    const struct snd_model *m = t->model;
    int W = m->window_frames, B = m->feat.n_mels;
    long off = window_offset(t, pad.before + e->len + pad.after, W, rng) - pad.before;
    for (int w = 0; w < W; w++) {
        long f = off + w;
        float *row = x + (long)w * B;
        if (f >= 0 && f < e->len) {
            const float *src = frame_of(t->d, e->first + f, t->rows);
            for (int b = 0; b < B; b++)
                row[b] = standardise(t, src[b], chan, b, rng);
        } else if (f >= -pad.before && f < e->len + pad.after) {
            fill_background(t, row, chan, rng);
        } else {
            memset(row, 0, (size_t)B * sizeof(float));
        }
    }
    long lo = -pad.before - off, hi = e->len + pad.after - off;
    lo = lo > 0 ? lo : 0, hi = hi < W ? hi : W;
    snd_model_centre(m, x + lo * B, hi - lo);
}

/* Linear interpolation of a frame's band at fractional position bp; 0 outside. */
static double band_at(const float *frame, int B, double bp)
{
    if (bp < 0 || bp > B - 1)
        return NAN;
    int j0 = (int)bp, j1 = j0 + 1 < B ? j0 + 1 : j0;
    double c = bp - j0;
    return frame[j0] + c * (frame[j1] - frame[j0]);
}

/* A training window with speed and pitch perturbed: the example is read at a random rate
 * within 1 +- stretch (a slower or faster talker) and shifted along the mel bands by up
 * to +- pitch bands (a higher or lower voice), both by linear interpolation, then
 * standardised; pad's background lies around it, the mean beyond, as in fill_window(). */
static void fill_window_warped(const struct snd_trainer *t, const struct snd_example *e,
                               struct snd_padding pad, float *x, const float *chan,
                               struct snd_rng *rng)
{
    const struct snd_model *m = t->model;
    int W = m->window_frames, B = m->feat.n_mels;
    double rate = 1 + t->conf.stretch * (2 * snd_rng_uniform(rng) - 1);
    double shift = t->conf.pitch * (2 * snd_rng_uniform(rng) - 1);
    long len = lround((double)e->len / rate);
    len = len > 0 ? len : 1;
    long off = window_offset(t, pad.before + len + pad.after, W, rng) - pad.before;
    int lo = W, hi = 0; /* the rows the example and its padding fill */
    for (int w = 0; w < W; w++) {
        long k = off + w;
        double pos = (double)k * rate;
        float *row = x + (long)w * B;
        if (pos < 0 || pos > e->len - 1) {
            /* Past the end, rounding can leave a row or so short of len: padding only
             * where there is some, so that runs without it stay what they were. */
            int padded = pos < 0 ? k >= -pad.before : pad.after > 0 && k < len + pad.after;
            if (!padded) {
                memset(row, 0, (size_t)B * sizeof(float));
                continue;
            }
            fill_background(t, row, chan, rng);
            lo = w < lo ? w : lo, hi = w + 1;
            continue;
        }
        lo = w < lo ? w : lo, hi = w + 1;
        long i0 = (long)pos, i1 = i0 + 1 < e->len ? i0 + 1 : i0;
        double a = pos - (double)i0;
        const float *f0 = frame_of(t->d, e->first + i0, t->rows),
                    *f1 = frame_of(t->d, e->first + i1, t->rows + B);
        for (int b = 0; b < B; b++) {
            double v0 = band_at(f0, B, b - shift), v1 = band_at(f1, B, b - shift);
            row[b] = isnan(v0) ? 0.0f : standardise(t, v0 + a * (v1 - v0), chan, b, rng);
        }
    }
    if (hi > lo)
        snd_model_centre(m, x + (long)lo * B, hi - lo);
}

/* SpecAugment: zero up to `masks` stripes of each kind. */
static void spec_augment(const struct snd_trainer *t, float *x, struct snd_rng *rng)
{
    int W = t->model->window_frames, B = t->model->feat.n_mels;
    for (int m = 0; m < t->conf.masks; m++) {
        if (t->conf.time_mask > 0) {
            int w = (int)snd_rng_below(rng, (uint64_t)t->conf.time_mask + 1);
            w = w < W ? w : W;
            int at = (int)snd_rng_below(rng, (uint64_t)(W - w + 1));
            memset(x + (long)at * B, 0, (size_t)w * B * sizeof(float));
        }
        if (t->conf.freq_mask > 0) {
            int w = (int)snd_rng_below(rng, (uint64_t)t->conf.freq_mask + 1);
            w = w < B ? w : B;
            int at = (int)snd_rng_below(rng, (uint64_t)(B - w + 1));
            for (int f = 0; f < W; f++)
                memset(x + (long)f * B + at, 0, (size_t)w * sizeof(float));
        }
    }
}

/* Targets and loss weight of example e in row n of the batch. */
static void fill_target(const struct snd_trainer *t, const struct snd_example *e, long ex, int n)
{
    int K = t->d->n_classes;
    for (int k = 0; k < K; k++)
        t->targets[n * K + k] = t->d->y[ex * K + k];
    t->weights[n] =
        t->conf.balance == SND_BALANCE_WEIGHT && !t->d->multi ? t->class_weight[e->cls] : 1.0f;
}

/* Mixup: mix the batch with a permutation of itself, inputs, targets and weights alike. */
static void mixup(struct snd_trainer *t, int batch, struct snd_rng *rng)
{
    size_t in = (size_t)t->model->window_frames * (size_t)t->model->feat.n_mels;
    int K = t->d->n_classes;
    float lam = (float)snd_rng_beta_sym(rng, t->conf.mixup);
    float *x = snd_net_input(t->net);
    long perm[1024];
    for (int i = 0; i < batch; i++)
        perm[i] = i;
    shuffle_longs(perm, batch, rng);
    memcpy(t->mix, x, (size_t)batch * in * sizeof(float));
    memcpy(t->mix_targets, t->targets, (size_t)batch * K * sizeof(float));
    memcpy(t->mix_weights, t->weights, (size_t)batch * sizeof(float));
    for (int n = 0; n < batch; n++) {
        const float *o = t->mix + perm[n] * in;
        for (size_t i = 0; i < in; i++)
            x[n * in + i] = lam * x[n * in + i] + (1 - lam) * o[i];
        for (int k = 0; k < K; k++)
            t->targets[n * K + k] =
                lam * t->targets[n * K + k] + (1 - lam) * t->mix_targets[perm[n] * K + k];
        t->weights[n] = lam * t->weights[n] + (1 - lam) * t->mix_weights[perm[n]];
    }
}

static int argmax(const float *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

/* Hits among a batch's outputs: the top class equals the top target (multiclass), or
 * tags right at 0.5 counted per tag (multi-label, as 1 - Hamming loss). */
static double batch_hits(const struct snd_trainer *t, const float *z, int batch)
{
    int K = t->d->n_classes;
    double hits = 0;
    for (int n = 0; n < batch; n++) {
        if (!t->d->multi) {
            hits += argmax(z + n * K, K) == argmax(t->targets + n * K, K);
            continue;
        }
        for (int k = 0; k < K; k++)
            hits += (z[n * K + k] > 0) == (t->targets[n * K + k] > 0.5f);
    }
    return t->d->multi ? hits / K : hits;
}

static double loss_of_batch(struct snd_trainer *t, int batch, int weighted)
{
    if (t->d->multi)
        return snd_net_loss_sigmoid(
            t->net, batch, t->targets,
            weighted && t->conf.balance == SND_BALANCE_WEIGHT ? t->class_weight : NULL);
    return snd_net_loss_softmax(t->net, batch, t->targets, weighted ? t->weights : NULL);
}

/* After a step: move the average of every tensor, batch-norm statistics included, toward
 * its new value. The decay ramps up as (1 + steps) / (10 + steps) so that the first
 * steps' weights, those of a network that knows nothing yet, soon wash out. */
static void update_ema(struct snd_trainer *t)
{
    double steps = (double)snd_opt_steps(t->opt), d = (1 + steps) / (10 + steps);
    float a = (float)(d < t->conf.ema ? d : t->conf.ema), b = 1 - a;
    for (int i = 0; i < snd_net_n_params(t->net); i++) {
        struct snd_param *p = snd_net_param(t->net, i);
        float *e = t->ema[i];
        for (long j = 0; j < p->size; j++)
            e[j] = a * e[j] + b * p->value[j];
    }
}

/* Swap the network's tensors with their moving averages (twice: back). */
static void swap_ema(struct snd_trainer *t)
{
    for (int i = 0; i < snd_net_n_params(t->net); i++) {
        struct snd_param *p = snd_net_param(t->net, i);
        size_t bytes = (size_t)p->size * sizeof(float);
        memcpy(t->swap[i], p->value, bytes);
        memcpy(p->value, t->ema[i], bytes);
        memcpy(t->ema[i], t->swap[i], bytes);
    }
}

static double train_epoch(struct snd_trainer *t, int epoch, double *metric,
                          void (*progress)(long, long, void *), void *ctx)
{
    struct snd_rng rng;
    size_t in = (size_t)t->model->window_frames * (size_t)t->model->feat.n_mels;
    long total_steps = t->steps_per_epoch * t->conf.epochs;
    long warmup = t->steps_per_epoch * t->conf.warmup;
    double loss_sum = 0, hits = 0;
    epoch_rng(&rng, t, epoch, 1);
    snd_net_seed_dropout(t->net, t->conf.seed * 31 + (uint64_t)epoch);
    draw_order(t, &rng);
    for (long s = 0; s < t->steps_per_epoch; s++) {
        long first = s * t->conf.batch;
        int batch = (int)(t->n_train - first < t->conf.batch ? t->n_train - first : t->conf.batch);
        float *x = snd_net_input(t->net);
        for (int n = 0; n < batch; n++) {
            long ex = t->order[first + n];
            const float *chan = draw_channel(t, ex, &rng);
            struct snd_example e = trimmed(t, ex, &rng);
            struct snd_padding pad = draw_padding(t, &rng);
            if (t->conf.stretch > 0 || t->conf.pitch > 0)
                fill_window_warped(t, &e, pad, x + n * in, chan, &rng);
            else
                fill_window(t, &e, pad, x + n * in, chan, &rng);
            spec_augment(t, x + n * in, &rng);
            fill_target(t, &t->d->ex[ex], ex, n);
        }
        if (t->conf.mixup > 0 && batch > 1)
            mixup(t, batch, &rng);
        long step = (long)epoch * t->steps_per_epoch + s;
        double lr = t->conf.cosine
                        ? snd_lr_schedule(t->conf.opt.lr, step, total_steps, warmup, 0.01)
                        : snd_lr_schedule(t->conf.opt.lr, step, total_steps, warmup, 1.0);
        const float *z = snd_net_forward(t->net, batch, SND_NET_TRAIN);
        loss_sum += loss_of_batch(t, batch, 1) * batch;
        hits += batch_hits(t, z, batch);
        snd_net_backward(t->net, batch);
        snd_opt_step(t->opt, lr);
        if (t->ema != NULL)
            update_ema(t);
        if (progress != NULL)
            progress(s + 1, t->steps_per_epoch, ctx);
    }
    *metric = hits / (double)t->n_train;
    return loss_sum / (double)t->n_train;
}

static double last_lr(const struct snd_trainer *t, int epoch)
{
    long total = t->steps_per_epoch * t->conf.epochs, warmup = t->steps_per_epoch * t->conf.warmup;
    long step = (long)(epoch + 1) * t->steps_per_epoch - 1;
    return snd_lr_schedule(t->conf.opt.lr, step, total, warmup, t->conf.cosine ? 0.01 : 1.0);
}

/* Macro average precision over the tags that have positives among the examples. */
static double macro_ap(const double *scores, const unsigned char *truth, long n, int K)
{
    double sum = 0;
    int counted = 0;
    for (int k = 0; k < K; k++) {
        double ap;
        if (snd_average_precision(scores + k, truth + k, n, K, &ap) == 0)
            sum += ap, counted++;
    }
    return counted ? sum / counted : NAN;
}

/* Run the network on the n windows in its input, and add their probabilities to the
 * sums of the validation examples slot[] names. */
static void score_windows(struct snd_trainer *t, int n, const long *slot, double *sum, double *p)
{
    int K = t->d->n_classes;
    const float *z = snd_net_forward(t->net, n, SND_NET_EVAL);
    for (int i = 0; i < n; i++) {
        snd_model_probs(t->model, z + (long)i * K, p);
        for (int k = 0; k < K; k++)
            sum[slot[i] * K + k] += p[k];
    }
}

/* The loss of one example's (mean) probabilities p against its truth y: cross-entropy
 * (multiclass), or the binary one averaged over the tags (multi-label). */
static double prob_loss(const struct snd_trainer *t, const double *p, const unsigned char *y)
{
    int K = t->d->n_classes;
    double loss = 0;
    for (int k = 0; k < K; k++) {
        double q = p[k] < 1e-12 ? 1e-12 : p[k] > 1 - 1e-12 ? 1 - 1e-12 : p[k];
        if (!t->d->multi)
            loss -= y[k] ? log(q) : 0;
        else
            loss -= (y[k] ? log(q) : log(1 - q)) / K;
    }
    return loss;
}

/* Each validation example is judged as snd-classify --aggregate mean judges a clip: by
 * its probabilities averaged over the windows that cover it, every half window. */
void snd_trainer_validate(struct snd_trainer *t, double *loss, double *metric, long *confusion)
{
    int K = t->d->n_classes, max = t->conf.batch, hop = snd_model_default_hop(t->model), n = 0;
    size_t in = (size_t)t->model->window_frames * (size_t)t->model->feat.n_mels;
    double *sum = calloc((size_t)(t->n_val + 1) * K, sizeof *sum);
    double *p = malloc((size_t)K * sizeof *p), loss_sum = 0, hits = 0;
    long *slot = malloc((size_t)max * sizeof *slot);
    unsigned char *truth = malloc((size_t)(t->n_val + 1) * K);
    if (confusion)
        memset(confusion, 0, (size_t)K * K * sizeof *confusion);
    *loss = *metric = NAN;
    if (sum == NULL || p == NULL || slot == NULL || truth == NULL || t->n_val == 0)
        goto done;
    for (long v = 0; v < t->n_val; v++) {
        const struct snd_example *e = &t->d->ex[t->val[v]];
        long windows = snd_model_n_windows(t->model, e->len, hop);
        for (long w = 0; w < windows; w++) {
            /* fill_window centres what it is given: a longer clip's window's worth of
             * frames from where the window starts, or the whole of a shorter one. */
            struct snd_example part = *e;
            if (e->len > t->model->window_frames) {
                part.first += snd_model_window_start(t->model, e->len, hop, w);
                part.len = t->model->window_frames;
            }
            fill_window(t, &part, (struct snd_padding){0, 0}, snd_net_input(t->net) + n * in, NULL,
                        NULL);
            slot[n++] = v;
            if (n == max)
                score_windows(t, n, slot, sum, p), n = 0;
        }
    }
    if (n > 0)
        score_windows(t, n, slot, sum, p);
    for (long v = 0; v < t->n_val; v++) {
        long ex = t->val[v];
        const unsigned char *y = t->d->y + ex * K;
        long windows = snd_model_n_windows(t->model, t->d->ex[ex].len, hop);
        double *mean = sum + v * K;
        for (int k = 0; k < K; k++) {
            mean[k] /= (double)windows;
            truth[v * K + k] = y[k];
        }
        loss_sum += prob_loss(t, mean, y);
        if (!t->d->multi) {
            int want = 0, got = 0;
            for (int k = 1; k < K; k++) {
                want = y[k] > y[want] ? k : want;
                got = mean[k] > mean[got] ? k : got;
            }
            hits += want == got;
            if (confusion)
                confusion[want * K + got]++;
        }
    }
    *loss = loss_sum / (double)t->n_val;
    *metric = t->d->multi ? macro_ap(sum, truth, t->n_val, K) : hits / (double)t->n_val;
done:
    free(sum), free(p), free(slot), free(truth);
}

static void snapshot_best(struct snd_trainer *t)
{
    for (int i = 0; i < snd_net_n_params(t->net); i++) {
        struct snd_param *p = snd_net_param(t->net, i);
        memcpy(t->best[i], p->value, (size_t)p->size * sizeof(float));
    }
}

void snd_trainer_restore_best(struct snd_trainer *t)
{
    for (int i = 0; i < snd_net_n_params(t->net); i++) {
        struct snd_param *p = snd_net_param(t->net, i);
        memcpy(p->value, t->best[i], (size_t)p->size * sizeof(float));
    }
}

int snd_trainer_epoch(struct snd_trainer *t, int epoch, struct snd_history_row *row,
                      void (*progress)(long done, long total, void *ctx), void *ctx)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    row->epoch = epoch + 1;
    row->train_loss = train_epoch(t, epoch, &row->train_metric, progress, ctx);
    /* With a moving average, it is what is validated and what the model keeps. */
    if (t->ema != NULL)
        swap_ema(t);
    snd_trainer_validate(t, &row->val_loss, &row->val_metric, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    row->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    row->lr = last_lr(t, epoch);
    /* Without validation the last epoch is the best; with it, the best metric, ties going
     * to the lower loss. */
    int better = t->n_val == 0 || isnan(row->val_metric) || row->val_metric > t->best_metric ||
                 (row->val_metric == t->best_metric && row->val_loss < t->best_loss);
    if (better) {
        t->best_metric = row->val_metric, t->best_loss = row->val_loss;
        t->best_epoch = epoch, t->stale = 0;
        snapshot_best(t);
    } else {
        t->stale++;
    }
    if (t->ema != NULL)
        swap_ema(t);
    return better;
}

/* ---- checkpoints -------------------------------------------------------------------- */

/* The tensors of a checkpoint group: what 0, the best weights (every network tensor);
 * 1 and 2, the optimiser's first and second moments; 3, the moving average of every
 * network tensor. Calls fn for each with its name, values and size until fn fails;
 * returns fn's failure or 0. */
static int each_tensor(struct snd_trainer *t, int what,
                       int (*fn)(hid_t g, const char *name, float *v, long size, void *ctx),
                       hid_t g, void *ctx)
{
    int r = 0;
    if (what == 0 || what == 3) {
        for (int i = 0; r == 0 && i < snd_net_n_params(t->net); i++) {
            struct snd_param *p = snd_net_param(t->net, i);
            r = fn(g, p->name, what == 0 ? t->best[i] : t->ema[i], p->size, ctx);
        }
        return r;
    }
    for (int i = 0; r == 0 && i < snd_opt_n_states(t->opt); i++) {
        long size;
        const char *name;
        float *v = snd_opt_state(t->opt, i, what - 1, &size, &name);
        if (v != NULL)
            r = fn(g, name, v, size, ctx);
    }
    return r;
}

static int write_tensor(hid_t g, const char *name, float *v, long size, void *ctx)
{
    hsize_t dim = (hsize_t)size;
    (void)ctx;
    return snd_h5_write_floats(g, name, v, 1, &dim);
}

struct read_ctx {
    const char *path;
    struct snd_err *err;
};

static int read_tensor(hid_t g, const char *name, float *v, long size, void *ctx)
{
    struct read_ctx *c = ctx;
    hsize_t dim = (hsize_t)size;
    return snd_h5_read_floats(g, name, v, 1, &dim, c->path, c->err);
}

static int write_tensor_group(hid_t parent, const char *name, struct snd_trainer *t, int what)
{
    hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int r = g < 0 ? -1 : each_tensor(t, what, write_tensor, g, NULL);
    if (g >= 0)
        H5Gclose(g);
    return r;
}

int snd_trainer_save_state(struct snd_trainer *t, hid_t file, int epoch, const char *fingerprint)
{
    hid_t g = H5Gcreate2(file, "checkpoint", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int r =
        g < 0 || snd_h5_attr_write_int(g, "epoch", epoch) != 0 ||
                snd_h5_attr_write_int(g, "steps", snd_opt_steps(t->opt)) != 0 ||
                snd_h5_attr_write_int(g, "best_epoch", t->best_epoch) != 0 ||
                snd_h5_attr_write_int(g, "stale", t->stale) != 0 ||
                snd_h5_attr_write_real(g, "best_metric", t->best_metric) != 0 ||
                snd_h5_attr_write_real(g, "best_loss", t->best_loss) != 0 ||
                snd_h5_attr_write_str(g, "fingerprint", fingerprint) != 0 ||
                write_tensor_group(g, "best", t, 0) != 0 ||
                write_tensor_group(g, "moment1", t, 1) != 0 ||
                (t->conf.opt.kind != SND_OPT_SGD && write_tensor_group(g, "moment2", t, 2) != 0) ||
                (t->ema != NULL && write_tensor_group(g, "ema", t, 3) != 0)
            ? -1
            : 0;
    if (g >= 0)
        H5Gclose(g);
    return r;
}

static int read_tensor_group(hid_t parent, const char *name, struct snd_trainer *t, int what,
                             const char *path, struct snd_err *err)
{
    struct read_ctx ctx = {path, err};
    hid_t g = H5Gopen2(parent, name, H5P_DEFAULT);
    int r = g < 0 ? snd_fail(err, "%s: checkpoint has no %s", path, name)
                  : each_tensor(t, what, read_tensor, g, &ctx);
    if (g >= 0)
        H5Gclose(g);
    return r;
}

int snd_trainer_load_state(struct snd_trainer *t, const char *path, const char *fingerprint,
                           int *epoch, struct snd_err *err)
{
    char stored[2048];
    long long e, steps, best_epoch, stale;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), g;
    int r;
    if (f < 0)
        return snd_fail(err, "%s: cannot open the checkpoint", path);
    g = H5Gopen2(f, "checkpoint", H5P_DEFAULT);
    r = g < 0 ? snd_fail(err, "%s: not a checkpoint", path) : 0;
    if (r == 0)
        r = snd_h5_attr_read_str(g, "fingerprint", stored, sizeof stored, path, err) ||
            snd_h5_attr_read_int(g, "epoch", &e, path, err) ||
            snd_h5_attr_read_int(g, "steps", &steps, path, err) ||
            snd_h5_attr_read_int(g, "best_epoch", &best_epoch, path, err) ||
            snd_h5_attr_read_int(g, "stale", &stale, path, err) ||
            snd_h5_attr_read_real(g, "best_metric", &t->best_metric, path, err) ||
            snd_h5_attr_read_real(g, "best_loss", &t->best_loss, path, err);
    if (r == 0 && strcmp(stored, fingerprint) != 0)
        r = snd_fail(err, "%s: made by a run with other data or options; cannot resume", path);
    if (r == 0)
        r = read_tensor_group(g, "best", t, 0, path, err) ||
            read_tensor_group(g, "moment1", t, 1, path, err) ||
            (t->conf.opt.kind != SND_OPT_SGD && read_tensor_group(g, "moment2", t, 2, path, err)) ||
            (t->ema != NULL && read_tensor_group(g, "ema", t, 3, path, err));
    if (r == 0) {
        *epoch = (int)e;
        snd_opt_set_steps(t->opt, (long)steps);
        t->best_epoch = (int)best_epoch;
        t->stale = (int)stale;
    }
    if (g >= 0)
        H5Gclose(g);
    H5Fclose(f);
    return r ? -1 : 0;
}
