/* eval: predictions against truth (snd-eval): join the tables by id, check them, compute
 * the metrics (metrics.h), and show them for people (a table) or programs (JSON, TSV). */
#ifndef SND_EVAL_H
#define SND_EVAL_H

#include <stdio.h>

#include "err.h"
#include "events.h"
#include "metrics.h"

enum snd_eval_aggregate { SND_AGG_NONE, SND_AGG_MEAN, SND_AGG_MAX, SND_AGG_VOTE };

struct snd_eval_opts {
    const char *truth_path;
    int multi_label;  /* 1 multi-label, 0 multiclass, -1: from the truth's labels */
    double threshold; /* multi-label decisions from p: columns; < 0: the label column */
    int top_k;
    int allow_missing;                 /* score the ids both sides have, rather than refuse */
    enum snd_eval_aggregate aggregate; /* rows of one id (windows): combine them */
    int events;                        /* score events (id, start, end, label) as sed_eval */
    struct snd_event_opts event;
};

#define SND_EVAL_OPTS_DEFAULT                                                                      \
    {                                                                                              \
        NULL, -1, -1.0, 2, 0, SND_AGG_NONE, 0, SND_EVENT_OPTS_DEFAULT                              \
    }

struct snd_eval {
    int multilabel;
    int n_classes;
    char **classes;  /* sorted, owned */
    int have_scores; /* the predictions had a p: column for every class */
    long n_missing;  /* ids on one side only, left out under allow_missing */
    struct snd_multiclass mc;
    struct snd_multilabel ml;
    int windows; /* the items are windows scored against spans, not clips */
    int events;
    struct snd_event_scores es;
    int n_files;
};

/* Read the truth and the prediction tables ("-": stdin), join and score them. Refused
 * with a message naming the file and line: a missing column, a number that is not one or
 * lies outside [0, 1], a p: column naming no known class, an id twice (unless
 * aggregating), ids on one side only (counted, a few named; unless allow_missing).
 * Returns 0 and fills *ev (release with snd_eval_free()), or -1 with err. */
int snd_eval_run(const struct snd_eval_opts *o, int n_paths, char **paths, struct snd_eval *ev,
                 struct snd_err *err);
void snd_eval_free(struct snd_eval *ev);

/* The value of a named metric, as --min names it ("accuracy", "f1_macro", "roc_auc_macro",
 * "f1:CLASS", ...). Returns 0; -1 when the name is unknown; -2 when the metric has no value
 * here (top-k accuracy without p: columns, the AUC of a tag no clip lacks). */
int snd_eval_metric(const struct snd_eval *ev, const char *name, double *value);

/* The names snd_eval_metric() knows for this evaluation, comma-separated, for messages. */
void snd_eval_metric_names(const struct snd_eval *ev, char *buf, size_t cap);

/* Write the results: JSON (keys as scikit-learn's names), TSV (metric, class, value), or a
 * table for people (the confusion matrix with class names; worst classes first). Return
 * 0, or -1 with err (errnum EPIPE when the reader has gone). */
int snd_eval_write_json(FILE *f, const struct snd_eval *ev, struct snd_err *err);
int snd_eval_write_tsv(FILE *f, const struct snd_eval *ev, struct snd_err *err);
int snd_eval_write_table(FILE *f, const struct snd_eval *ev, struct snd_err *err);

#endif
