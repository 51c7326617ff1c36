/* featfile: HDF5 feature files, DESIGN.md's ragged layout, readable in three lines of h5py:
 *
 *   /mel      float32 [total_frames, n_mels]  chunked; clip i = rows offsets[i]..offsets[i+1]
 *   /offsets  int64   [n_clips + 1]
 *   /id       string  [n_clips]               UTF-8, variable length
 *   /start    float64 [n_clips]               seconds from the start of its source
 *   attributes on /: format = "snd-features", version, and every feature parameter.
 *
 * Used through features.h. */
#ifndef SND_FEATFILE_H
#define SND_FEATFILE_H

#include "err.h"
#include "featparams.h"

#define SND_FF_FORMAT "snd-features"
#define SND_FF_VERSION 1

struct snd_ff_writer;
struct snd_ff_reader;

/* Create path (append: add to an existing feature file of the same parameters). The
 * file is written to a temporary, a copy of the original when appending, that replaces
 * path only at snd_ff_writer_finish(). Returns NULL with err. */
struct snd_ff_writer *snd_ff_writer_new(const char *path, const struct snd_feat_params *p,
                                        int append, struct snd_err *err);
int snd_ff_begin_clip(struct snd_ff_writer *w, const char *id, double start_sec,
                      struct snd_err *err);
int snd_ff_write_frames(struct snd_ff_writer *w, const float *frames, long n, struct snd_err *err);
int snd_ff_end_clip(struct snd_ff_writer *w, struct snd_err *err);
/* Drop the clip being written, frames and all, as if it had never begun. */
void snd_ff_abort_clip(struct snd_ff_writer *w);
/* Write the clip table, close, and rename into place. Returns 0, or -1 with err (then
 * nothing is left). Frees w. */
int snd_ff_writer_finish(struct snd_ff_writer *w, struct snd_err *err);
void snd_ff_writer_free(struct snd_ff_writer *w); /* abandon: nothing appears; NULL ok */

/* Open a feature file, checking before reading any frame that it is one: the format
 * attribute and version, the parameters, each dataset's type, rank and shape, and the
 * offsets (starting at 0, never decreasing, ending at the row count). name is printed in
 * messages. Returns NULL with err. */
struct snd_ff_reader *snd_ff_reader_new(const char *path, const char *name, struct snd_err *err);
const struct snd_feat_params *snd_ff_params(const struct snd_ff_reader *r);
long long snd_ff_n_clips(const struct snd_ff_reader *r);
/* The next clip: 1 with *id (borrowed until the next call), *start_sec and *n_frames,
 * 0 after the last, -1 with err. */
int snd_ff_next_clip(struct snd_ff_reader *r, const char **id, double *start_sec,
                     long long *n_frames, struct snd_err *err);
/* Up to max frames of the current clip: the count, 0 at its end, -1 with err. */
long snd_ff_read_frames(struct snd_ff_reader *r, float *out, long max, struct snd_err *err);
void snd_ff_reader_free(struct snd_ff_reader *r); /* NULL is fine */

/* Read the feature parameters stored on the root of any snd HDF5 file (a feature file or
 * a model). Returns 0, or -1 with err. */
int snd_ff_load_params(const char *path, struct snd_feat_params *p, struct snd_err *err);

#endif
