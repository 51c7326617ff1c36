/* featstream: the frame stream, features on a pipe (snd-formats(5)):
 *
 *   magic    8 bytes   89 53 4E 44 46 0D 0A 1A ("\x89SNDF\r\n\x1a", PNG's trick: a
 *                      stripped high bit or a converted line ending shows at once)
 *   version  u32       1
 *   length   u32       bytes of the parameter text that follows
 *   text     length    the feature parameters, "name=value\n" each (featparams.h)
 *   records, each a one-byte tag then its fields, integers and floats little-endian:
 *     'C' u32 id_len, id_len bytes of UTF-8 id, f64 start   a clip begins
 *     'F' u32 n, n x n_mels f32                               frames of the clip
 *     'E' u64 n_frames                                        the clip ends (its frame count)
 *     'Z' u64 n_clips                                         the stream ends
 *
 * A reader checks every count, so a stream cut at any byte is an error, never a short
 * clip taken for whole. Used through features.h. */
#ifndef SND_FEATSTREAM_H
#define SND_FEATSTREAM_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "featparams.h"

#define SND_FS_MAGIC "\x89SNDF\r\n\x1a"
#define SND_FS_VERSION 1
/* Limits a reader enforces, so corrupt counts cannot ask for absurd memory. */
#define SND_FS_MAX_HEADER 4096
#define SND_FS_MAX_ID 65536

struct snd_fs_writer;
struct snd_fs_reader;

/* Start a stream on f (kept by the caller), named name in messages: writes the header.
 * Records are flushed as written when f is a pipe. Returns NULL with err. */
struct snd_fs_writer *snd_fs_writer_new(FILE *f, const char *name, const struct snd_feat_params *p,
                                        struct snd_err *err);
int snd_fs_begin_clip(struct snd_fs_writer *w, const char *id, double start_sec,
                      struct snd_err *err);
int snd_fs_write_frames(struct snd_fs_writer *w, const float *frames, long n, struct snd_err *err);
int snd_fs_end_clip(struct snd_fs_writer *w, struct snd_err *err);
/* Write the end record, flush and free w. Returns 0, or -1 with err. */
int snd_fs_writer_finish(struct snd_fs_writer *w, struct snd_err *err);
void snd_fs_writer_free(struct snd_fs_writer *w); /* without the end record; NULL is fine */

/* Read a stream from f (kept by the caller) whose first magic_len bytes (0 or 8) were
 * already read and found to be the magic. Reads and checks the header. Returns NULL with
 * err naming name. */
struct snd_fs_reader *snd_fs_reader_new(FILE *f, const char *name, size_t magic_len,
                                        struct snd_err *err);
const struct snd_feat_params *snd_fs_params(const struct snd_fs_reader *r);
/* The next clip: 1 with *id (borrowed until the next call) and *start_sec, 0 at the end
 * of the stream, -1 with err. */
int snd_fs_next_clip(struct snd_fs_reader *r, const char **id, double *start_sec,
                     struct snd_err *err);
/* Up to max frames of the current clip into out: the count, 0 at the clip's end, -1 with
 * err. */
long snd_fs_read_frames(struct snd_fs_reader *r, float *out, long max, struct snd_err *err);
void snd_fs_reader_free(struct snd_fs_reader *r); /* NULL is fine */

#endif
