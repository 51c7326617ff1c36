/* metrics: scikit-learn's definitions, written out. Rates with a zero denominator are 0,
 * as scikit-learn's zero_division default gives (after its warning). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

struct scored {
    double score;
    unsigned char pos;
};

/* Highest score first; ties in any order (they are taken as one group). */
static int by_score_desc(const void *a, const void *b)
{
    double x = ((const struct scored *)a)->score, y = ((const struct scored *)b)->score;

    return x < y ? 1 : x > y ? -1 : 0;
}

static struct scored *sorted_scores(const double *score, const unsigned char *pos, long n,
                                    long stride, long *n_pos)
{
    struct scored *s = malloc((size_t)(n > 0 ? n : 1) * sizeof *s);
    long i;

    if (s == NULL)
        return NULL;
    *n_pos = 0;
    for (i = 0; i < n; i++) {
        s[i].score = score[i * stride];
        s[i].pos = pos[i * stride] != 0;
        *n_pos += s[i].pos;
    }
    qsort(s, (size_t)n, sizeof *s, by_score_desc);
    return s;
}

int snd_roc_auc(const double *score, const unsigned char *pos, long n, long stride, double *auc)
{
    long n_pos, tp = 0, fp = 0, i, j;
    struct scored *s = sorted_scores(score, pos, n, stride, &n_pos);
    double area = 0.0;

    if (s == NULL || n_pos == 0 || n_pos == n) {
        free(s);
        return -1;
    }
    /* Each group of tied scores is one step of the curve: its negatives, times the
     * positives above it plus half of its own (the trapezoid). */
    for (i = 0; i < n; i = j) {
        long gp = 0, gn = 0;
        for (j = i; j < n && s[j].score == s[i].score; j++)
            s[j].pos ? gp++ : gn++;
        area += (double)gn * ((double)tp + gp / 2.0);
        tp += gp;
        fp += gn;
    }
    free(s);
    *auc = area / ((double)n_pos * (double)(n - n_pos));
    return 0;
}

int snd_average_precision(const double *score, const unsigned char *pos, long n, long stride,
                          double *ap)
{
    long n_pos, tp = 0, seen = 0, i, j;
    struct scored *s = sorted_scores(score, pos, n, stride, &n_pos);
    double sum = 0.0, prev_recall = 0.0;

    if (s == NULL || n_pos == 0) {
        free(s);
        return -1;
    }
    for (i = 0; i < n; i = j) {
        double recall;
        for (j = i; j < n && s[j].score == s[i].score; j++) {
            tp += s[j].pos;
            seen++;
        }
        recall = (double)tp / n_pos;
        sum += (recall - prev_recall) * ((double)tp / seen);
        prev_recall = recall;
    }
    free(s);
    *ap = sum;
    return 0;
}

static double ratio(long a, long b)
{
    return b > 0 ? (double)a / (double)b : 0.0;
}

/* scikit-learn's F1 from precision and recall: 0 when both are 0. */
static double f1_of(double p, double r)
{
    return p + r > 0.0 ? 2.0 * p * r / (p + r) : 0.0;
}

/* Top-k as sklearn.metrics.top_k_accuracy_score: classes ranked by a stable ascending
 * sort of the scores, reversed, so that among tied scores the higher class index ranks
 * first. */
static double top_k_accuracy(const int *truth, long n, int n_classes, const double *scores, int k)
{
    long hits = 0, i;
    int c;

    for (i = 0; i < n; i++) {
        const double *row = scores + i * n_classes;
        double t = row[truth[i]];
        int above = 0;
        /* The true class's rank: classes scored higher, and tied classes after it (those
         * with a higher index come first once the stable sort is reversed). */
        for (c = 0; c < n_classes; c++)
            above += row[c] > t || (row[c] == t && c > truth[i]);
        hits += above < k;
    }
    return (double)hits / n;
}

/* Log loss as scikit-learn 1.2: probabilities clipped to [eps, 1 - eps] and each row
 * renormalised to sum 1. */
static double log_loss(const int *truth, long n, int n_classes, const double *scores)
{
    const double eps = 1e-15;
    double total = 0.0;
    long i;
    int c;

    for (i = 0; i < n; i++) {
        const double *row = scores + i * n_classes;
        double sum = 0.0, p = 0.0;
        for (c = 0; c < n_classes; c++) {
            double v = fmin(fmax(row[c], eps), 1.0 - eps);
            sum += v;
            if (c == truth[i])
                p = v;
        }
        total += -log(p / sum);
    }
    return total / n;
}

/* One-vs-rest ROC AUC, the mean over classes, after renormalising each row to sum 1 (as
 * scikit-learn does for multiclass scores). Classes absent from the truth are skipped. */
static double roc_auc_ovr(const int *truth, long n, int n_classes, const double *scores)
{
    double *norm = malloc((size_t)n * (size_t)n_classes * sizeof *norm), total = 0.0, auc;
    double *col = malloc((size_t)n * sizeof *col);
    unsigned char *pos = malloc((size_t)n);
    long i;
    int c, counted = 0;

    if (norm == NULL || col == NULL || pos == NULL) {
        free(norm);
        free(col);
        free(pos);
        return NAN;
    }
    for (i = 0; i < n; i++) {
        double sum = 0.0;
        for (c = 0; c < n_classes; c++)
            sum += scores[i * n_classes + c];
        for (c = 0; c < n_classes; c++)
            norm[i * n_classes + c] = sum > 0 ? scores[i * n_classes + c] / sum : 0.0;
    }
    for (c = 0; c < n_classes; c++) {
        /* The class's column, contiguous, beside its truth. */
        for (i = 0; i < n; i++) {
            col[i] = norm[i * n_classes + c];
            pos[i] = truth[i] == c;
        }
        if (snd_roc_auc(col, pos, n, 1, &auc) == 0) {
            total += auc;
            counted++;
        }
    }
    free(norm);
    free(col);
    free(pos);
    return counted > 0 ? total / counted : NAN;
}

int snd_multiclass_compute(struct snd_multiclass *m, const int *truth, const int *pred, long n,
                           int n_classes, const double *scores, int top_k, struct snd_err *err)
{
    long i, correct = 0, present = 0;
    double recall_sum = 0.0;
    int c;

    memset(m, 0, sizeof *m);
    if (n <= 0)
        return snd_fail(err, "no predictions to score");
    m->n = n;
    m->n_classes = n_classes;
    m->per_class = calloc((size_t)n_classes, sizeof *m->per_class);
    m->confusion = calloc((size_t)n_classes * (size_t)n_classes, sizeof *m->confusion);
    if (m->per_class == NULL || m->confusion == NULL) {
        snd_multiclass_free(m);
        return snd_fail(err, "out of memory");
    }
    for (i = 0; i < n; i++) {
        m->confusion[truth[i] * n_classes + pred[i]]++;
        correct += truth[i] == pred[i];
    }
    for (c = 0; c < n_classes; c++) {
        struct snd_class_scores *s = &m->per_class[c];
        int k;
        s->tp = m->confusion[c * n_classes + c];
        for (k = 0; k < n_classes; k++) {
            s->support += m->confusion[c * n_classes + k];
            if (k != c)
                s->fp += m->confusion[k * n_classes + c];
        }
        s->fn = s->support - s->tp;
        s->precision = ratio(s->tp, s->tp + s->fp);
        s->recall = ratio(s->tp, s->support);
        s->f1 = f1_of(s->precision, s->recall);
        m->macro_p += s->precision / n_classes;
        m->macro_r += s->recall / n_classes;
        m->macro_f1 += s->f1 / n_classes;
        m->weighted_p += s->precision * s->support / n;
        m->weighted_r += s->recall * s->support / n;
        m->weighted_f1 += s->f1 * s->support / n;
        if (s->support > 0) {
            recall_sum += s->recall;
            present++;
        }
    }
    m->accuracy = (double)correct / n;
    m->micro_p = m->micro_r = m->micro_f1 = m->accuracy;
    m->balanced_accuracy = present > 0 ? recall_sum / present : 0.0;
    m->top_k = top_k;
    m->top_k_accuracy = m->log_loss = m->roc_auc_ovr_macro = NAN;
    if (scores != NULL) {
        m->top_k_accuracy = top_k_accuracy(truth, n, n_classes, scores, top_k);
        m->log_loss = log_loss(truth, n, n_classes, scores);
        m->roc_auc_ovr_macro = roc_auc_ovr(truth, n, n_classes, scores);
    }
    return 0;
}

void snd_multiclass_free(struct snd_multiclass *m)
{
    free(m->per_class);
    free(m->confusion);
    m->per_class = NULL;
    m->confusion = NULL;
}

int snd_multilabel_compute(struct snd_multilabel *m, const unsigned char *truth,
                           const unsigned char *pred, long n, int n_tags, const double *scores,
                           struct snd_err *err)
{
    long i, exact = 0, wrong = 0, tp = 0, fp = 0, fn = 0;
    double roc_sum = 0.0, pr_sum = 0.0;
    int t, roc_n = 0, pr_n = 0;

    memset(m, 0, sizeof *m);
    if (n <= 0)
        return snd_fail(err, "no predictions to score");
    m->n = n;
    m->n_tags = n_tags;
    m->per_tag = calloc((size_t)n_tags, sizeof *m->per_tag);
    if (m->per_tag == NULL)
        return snd_fail(err, "out of memory");
    for (i = 0; i < n; i++) {
        int same = 1;
        for (t = 0; t < n_tags; t++) {
            unsigned char y = truth[i * n_tags + t], p = pred[i * n_tags + t];
            same &= y == p;
            wrong += y != p;
        }
        exact += same;
    }
    for (t = 0; t < n_tags; t++) {
        struct snd_tag_scores *s = &m->per_tag[t];
        long ttp = 0, tfp = 0, tfn = 0;
        for (i = 0; i < n; i++) {
            unsigned char y = truth[i * n_tags + t], p = pred[i * n_tags + t];
            ttp += y && p;
            tfp += !y && p;
            tfn += y && !p;
        }
        s->support = ttp + tfn;
        s->precision = ratio(ttp, ttp + tfp);
        s->recall = ratio(ttp, ttp + tfn);
        s->f1 = f1_of(s->precision, s->recall);
        m->f1_macro += s->f1 / n_tags;
        tp += ttp, fp += tfp, fn += tfn;
        s->roc_auc = s->pr_auc = NAN;
        if (scores != NULL) {
            if (snd_roc_auc(scores + t, truth + t, n, n_tags, &s->roc_auc) == 0)
                roc_sum += s->roc_auc, roc_n++;
            else
                s->roc_auc = NAN;
            if (snd_average_precision(scores + t, truth + t, n, n_tags, &s->pr_auc) == 0)
                pr_sum += s->pr_auc, pr_n++;
            else
                s->pr_auc = NAN;
        }
    }
    m->subset_accuracy = (double)exact / n;
    m->hamming_loss = (double)wrong / ((double)n * n_tags);
    m->precision_micro = ratio(tp, tp + fp);
    m->recall_micro = ratio(tp, tp + fn);
    m->f1_micro = f1_of(m->precision_micro, m->recall_micro);
    m->roc_auc_macro = m->roc_auc_micro = m->pr_auc_macro = m->pr_auc_micro = NAN;
    if (scores != NULL) {
        m->roc_auc_macro = roc_n > 0 ? roc_sum / roc_n : NAN;
        m->pr_auc_macro = pr_n > 0 ? pr_sum / pr_n : NAN;
        if (snd_roc_auc(scores, truth, n * n_tags, 1, &m->roc_auc_micro) != 0)
            m->roc_auc_micro = NAN;
        if (snd_average_precision(scores, truth, n * n_tags, 1, &m->pr_auc_micro) != 0)
            m->pr_auc_micro = NAN;
    }
    return 0;
}

void snd_multilabel_free(struct snd_multilabel *m)
{
    free(m->per_tag);
    m->per_tag = NULL;
}
