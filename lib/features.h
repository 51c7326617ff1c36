/* features: spectrogram clips in and out, in either of their two forms: an HDF5 feature
 * file at rest (featfile.h) or a frame stream on a pipe (featstream.h). Readers tell the
 * forms apart by their first bytes, so every tool accepts both. */
#ifndef SND_FEATURES_H
#define SND_FEATURES_H

#include "err.h"
#include "featparams.h"

struct snd_feat_writer;
struct snd_feat_reader;

/* Write features of parameters p to path: an HDF5 file (append: add to an existing one
 * of the same parameters), or with path NULL or "-" a frame stream on stdout. A file
 * appears only at snd_feat_finish(). Returns NULL with err. */
struct snd_feat_writer *snd_feat_create(const char *path, const struct snd_feat_params *p,
                                        int append, struct snd_err *err);

/* A clip: begin it with its id and start (seconds into its source), write its frames
 * (n rows of n_mels floats) as they come, end it. Each returns 0, or -1 with err;
 * err->errnum is EPIPE when a stream's reader has gone. */
int snd_feat_begin_clip(struct snd_feat_writer *w, const char *id, double start_sec,
                        struct snd_err *err);
int snd_feat_write_frames(struct snd_feat_writer *w, const float *frames, long n,
                          struct snd_err *err);
int snd_feat_end_clip(struct snd_feat_writer *w, struct snd_err *err);

/* Drop the clip being written, when its source failed part-way. A file forgets it; a
 * stream cannot take back frames already sent, so it is failed instead (-1 with err) and
 * its reader will see a truncated stream, never a short clip taken for whole. */
int snd_feat_abort_clip(struct snd_feat_writer *w, struct snd_err *err);

/* Whether w writes a frame stream (rather than a file). */
int snd_feat_is_stream(const struct snd_feat_writer *w);

/* Complete the output (a stream's end record, a file's table and rename) and free w.
 * Returns 0, or -1 with err, in which case no file is left. */
int snd_feat_finish(struct snd_feat_writer *w, struct snd_err *err);

/* Free w without completing it: no file appears. NULL is fine. */
void snd_feat_discard(struct snd_feat_writer *w);

/* Open features at path ("-" or NULL: stdin), HDF5 or frame stream. An HDF5 file on
 * stdin is first copied to a temporary file, since HDF5 cannot read a pipe. Returns NULL
 * with err naming the file. The caller owns the result; release it with snd_feat_close(). */
struct snd_feat_reader *snd_feat_open(const char *path, struct snd_err *err);

/* The features' parameters and the name used in messages (borrowed from r). */
const struct snd_feat_params *snd_feat_reader_params(const struct snd_feat_reader *r);
const char *snd_feat_reader_name(const struct snd_feat_reader *r);

/* The next clip: 1 with *id (borrowed until the next call), *start_sec, and *n_frames
 * (-1 on a stream, where a clip's length is known only at its end); 0 after the last;
 * -1 with err. Frames left unread in the previous clip are skipped. */
int snd_feat_next_clip(struct snd_feat_reader *r, const char **id, double *start_sec,
                       long long *n_frames, struct snd_err *err);

/* Up to max frames of the current clip into out (max x n_mels floats): the count, 0 at
 * the clip's end, -1 with err (a truncated or corrupt file or stream). */
long snd_feat_read_frames(struct snd_feat_reader *r, float *out, long max, struct snd_err *err);

void snd_feat_close(struct snd_feat_reader *r); /* NULL is fine */

/* The feature parameters stored in any snd HDF5 file, feature file or model (for
 * snd-melspec --like). Returns 0, or -1 with err. */
int snd_feat_load_params(const char *path, struct snd_feat_params *p, struct snd_err *err);

#endif
