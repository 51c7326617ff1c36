/* metrics: classification metrics as scikit-learn 1.2 defines them, ties included, on
 * plain arrays (snd-eval joins the tables and fills them). */
#ifndef SND_METRICS_H
#define SND_METRICS_H

#include "err.h"

/* Area under the ROC curve of scores against binary truth (pos[i] != 0), n items: the
 * trapezoid over distinct score thresholds, so tied scores count a half, as
 * sklearn.metrics.roc_auc_score. Returns 0 and sets *auc, or -1 when only one class is
 * present (the area is undefined). */
int snd_roc_auc(const double *score, const unsigned char *pos, long n, long stride, double *auc);

/* Average precision, sklearn.metrics.average_precision_score: the sum over distinct
 * thresholds, highest first, of (R_t - R_{t-1}) P_t, with no interpolation. Returns 0, or
 * -1 when there is no positive. stride as for snd_roc_auc: score[i * stride]. */
int snd_average_precision(const double *score, const unsigned char *pos, long n, long stride,
                          double *ap);

/* Per-class counts and scores of a multiclass problem. */
struct snd_class_scores {
    double precision, recall, f1;
    long support, tp, fp, fn;
};

struct snd_multiclass {
    int n_classes;
    long n;
    double accuracy, balanced_accuracy;
    struct snd_class_scores *per_class; /* n_classes, owned */
    double macro_p, macro_r, macro_f1;
    double micro_p, micro_r, micro_f1;
    double weighted_p, weighted_r, weighted_f1;
    long *confusion; /* n_classes x n_classes, rows truth, columns predicted; owned */
    /* From the scores, when given (otherwise NAN): */
    double top_k_accuracy;
    int top_k;
    double log_loss;
    double roc_auc_ovr_macro;
};

/* Multiclass metrics of n items: truth[i] and pred[i] are class indices in
 * [0, n_classes); scores (n x n_classes, row-major) may be NULL. top_k is the k of top-k
 * accuracy. Returns 0 and fills *m (release with snd_multiclass_free()), or -1 with err. */
int snd_multiclass_compute(struct snd_multiclass *m, const int *truth, const int *pred, long n,
                           int n_classes, const double *scores, int top_k, struct snd_err *err);
void snd_multiclass_free(struct snd_multiclass *m);

struct snd_tag_scores {
    double roc_auc, pr_auc; /* NAN when the tag has one class only */
    double precision, recall, f1;
    long support;
};

struct snd_multilabel {
    int n_tags;
    long n;
    struct snd_tag_scores *per_tag;                                  /* owned */
    double roc_auc_macro, roc_auc_micro, pr_auc_macro, pr_auc_micro; /* NAN without scores */
    double threshold;
    double subset_accuracy, hamming_loss;
    double precision_micro, recall_micro, f1_micro, f1_macro;
};

/* Multi-label metrics of n items: truth and pred are n x n_tags 0/1 (pred: the decisions,
 * e.g. the tags at or above the threshold); scores (n x n_tags) may be NULL. Returns 0 and
 * fills *m (release with snd_multilabel_free()), or -1 with err. */
int snd_multilabel_compute(struct snd_multilabel *m, const unsigned char *truth,
                           const unsigned char *pred, long n, int n_tags, const double *scores,
                           struct snd_err *err);
void snd_multilabel_free(struct snd_multilabel *m);

#endif
