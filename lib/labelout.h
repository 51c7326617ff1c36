/* labelout: labelled stretches of time (predictions, tags, events) written in the forms
 * people load them in: snd's TSV (id, start, end, label, prob and extra columns), an
 * Audacity label track (start, end, label; no header) or a Raven selection table. */
#ifndef SND_LABELOUT_H
#define SND_LABELOUT_H

#include <stdio.h>

#include "err.h"

enum snd_labelfmt { SND_LABELFMT_TSV, SND_LABELFMT_AUDACITY, SND_LABELFMT_RAVEN };

/* Parse "tsv", "audacity" or "raven". Returns 0, or -1 for another name. */
int snd_labelfmt_parse(const char *s, enum snd_labelfmt *fmt);

struct snd_labelout;

/* Start writing rows to f (kept by the caller), called name in messages. extra names
 * n_extra columns that follow prob in TSV (a Raven table keeps them too; an Audacity
 * track has no room for them). low_hz and high_hz are a Raven selection's band. Every
 * row is flushed when f is a pipe. Returns NULL with err. */
struct snd_labelout *snd_labelout_new(FILE *f, const char *name, enum snd_labelfmt fmt,
                                      const char *const *extra, int n_extra, double low_hz,
                                      double high_hz, struct snd_err *err);

/* One row; extra holds n_extra fields (NULL when there are none). Returns 0, or -1 with err
 * (err->errnum is EPIPE when the reader has gone). */
int snd_labelout_row(struct snd_labelout *o, const char *id, double start, double end,
                     const char *label, double prob, const char *const *extra, struct snd_err *err);

/* Flush and free. Returns 0, or -1 with err. NULL is fine. */
int snd_labelout_finish(struct snd_labelout *o, struct snd_err *err);

/* Format a probability for a table: six significant decimals ("0.973521", "1", "0"). buf
 * holds SND_TSV_TIME_LEN bytes. */
char *snd_labelout_fmt_prob(char *buf, double p);

#endif
