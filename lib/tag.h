/* tag: predictions to decisions (snd-tag): the tags of each window above thresholds, or
 * events merged from windows by a streaming state machine, and the tables they go to. */
#ifndef SND_TAG_H
#define SND_TAG_H

#include <stdio.h>

#include "err.h"

/* A per-class threshold, as read from a thresholds table. */
struct snd_tag_threshold {
    char *label;
    double threshold;
    long line; /* of the table, for messages */
};

struct snd_tag_opts {
    double threshold; /* a class is tagged when its score is at or above it */
    int top_k;        /* > 0: only the k best classes of a window count */
    const struct snd_tag_threshold *thresholds; /* per class, overriding threshold */
    int n_thresholds;
    const char *thresholds_path; /* for messages */
    char *const *labels;         /* n_labels > 0: only these classes */
    int n_labels;
    int events;              /* merge windows into events */
    double on, off;          /* events: open at >= on, stay open at >= off; < 0: the threshold */
    int median;              /* events: odd number of windows of the median filter; 1: none */
    double min_duration_sec; /* events shorter than this are dropped */
    double min_gap_sec;      /* gaps shorter than this are bridged */
    double cooldown_sec;     /* quiet time of a label after a reported event */
};

#define SND_TAG_OPTS_DEFAULT                                                                       \
    {                                                                                              \
        0.5, 0, NULL, 0, NULL, NULL, 0, 0, -1.0, -1.0, 1, 0.0, 0.0, 0.0                            \
    }

/* The largest --median: the filter sorts this many values per class and window. */
#define SND_TAG_MAX_MEDIAN 101

/* A decision: a tag of one window, or an event. Strings are borrowed for the call. */
struct snd_tag_event {
    const char *id;
    const char *label;
    double start_sec, end_sec;
    double prob; /* the tag's score, or the highest score of the event's windows */
};

/* Called for each decision as soon as it is final. Returns 0, or -1 with err, which
 * stops the reading. */
typedef int (*snd_tag_emit_fn)(void *ctx, const struct snd_tag_event *ev, struct snd_err *err);

struct snd_tagger;

/* A tagger with options o (borrowed for its life) that hands decisions to emit. Returns
 * NULL with err when out of memory. Release it with snd_tagger_free(). */
struct snd_tagger *snd_tagger_new(const struct snd_tag_opts *o, snd_tag_emit_fn emit, void *ctx,
                                  struct snd_err *err);
void snd_tagger_free(struct snd_tagger *t); /* NULL is fine */

/* The index of class name, which is added when new. Returns -1 with err when out of
 * memory. */
int snd_tagger_class(struct snd_tagger *t, const char *name, struct snd_err *err);

/* Feed one window of id: times in seconds and the score of each class known so far
 * (p[i] for class i). A window of a new id first closes the events of the previous one.
 * Returns 0, or -1 with err (an emit failure; "NAME: ..." for bad times, NAME being the
 * source name given). */
int snd_tagger_row(struct snd_tagger *t, const char *id, double start_sec, double end_sec,
                   const double *p, struct snd_err *err);

/* End of input: decide every window held back and close every open event. The next row
 * starts afresh. Returns 0, or -1 with err from emit. */
int snd_tagger_flush(struct snd_tagger *t, struct snd_err *err);

/* Read a predictions table from f (kept by the caller), named name in messages, feeding
 * each row to t and flushing at its end. Columns: id, start, end, and a p:CLASS column
 * per class; without p: columns, label (tags separated by commas) and prob. Refused with
 * "NAME:LINE: ..." : a missing column, a p: or prob field that is empty, not a number or
 * outside [0, 1], an end before its start, a start before the previous start of the
 * same id; and a class of the thresholds or labels options that no p: column names.
 * An input without a single byte has no rows. On failure the events still open are
 * dropped. Returns 0, or -1 with err. */
int snd_tag_read(struct snd_tagger *t, FILE *f, const char *name, struct snd_err *err);

/* Read a thresholds table (columns label and threshold, in [0, 1]) from path. Refused
 * with "PATH:LINE: ...": a missing column, a bad number, a label twice. Returns 0 and
 * fills *out and *n (release with snd_tag_thresholds_free()), or -1 with err. */
int snd_tag_thresholds_load(const char *path, struct snd_tag_threshold **out, int *n,
                            struct snd_err *err);
void snd_tag_thresholds_free(struct snd_tag_threshold *v, int n);

#endif
