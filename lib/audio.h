/* audio: mono float audio in and out, whatever the source: raw PCM on stdin or in a .raw
 * file, any container libsndfile reads, or a WAV/FLAC/Ogg stream arriving on stdin. */
#ifndef SND_AUDIO_H
#define SND_AUDIO_H

#include "err.h"
#include "pcm.h"

struct snd_audio_in;
struct snd_audio_out;

/* Open path for reading ("-" or NULL: stdin). Raw PCM (stdin without a container header,
 * or a file named *.raw or *.pcm) is read in the format raw; containers are decoded by
 * libsndfile. Either way the audio comes out mixed down to mono at raw->rate_hz, the
 * working rate, resampled with bounded memory when the source rate differs.
 * Returns NULL with err naming the file on failure. The caller owns the result; release
 * it with snd_audio_close(). */
struct snd_audio_in *snd_audio_open(const char *path, const struct snd_pcm_fmt *raw,
                                    struct snd_err *err);

/* Read up to max samples into out. On a pipe this returns what has arrived rather than
 * waiting to fill out, so live pipelines stay live. Returns the count (> 0), 0 at the
 * end, or -1 with err: an unreadable source, a truncated file or stream (a partial
 * sample, a data chunk shorter than its header says), a NaN or infinite sample. */
long snd_audio_read(struct snd_audio_in *a, float *out, long max, struct snd_err *err);

/* The name to print and index for this source: its path, or "stdin". Borrowed until
 * snd_audio_close(). */
const char *snd_audio_name(const struct snd_audio_in *a);

/* Whether the source is a live stream (a pipe or terminal on stdin), whose reader should
 * use what arrives at once rather than wait to gather more. */
int snd_audio_is_live(const struct snd_audio_in *a);

/* Up to max samples: as many as the source gives, up to max, when it is a file; what has
 * arrived when it is live, so a live stream is never held back. Returns the count, 0 at
 * the end, -1 with err. */
long snd_audio_read_block(struct snd_audio_in *a, float *out, long max, struct snd_err *err);

void snd_audio_close(struct snd_audio_in *a); /* NULL is fine */

/* Check that path names an output the writer knows: "-", or a file whose extension picks
 * a container (.wav .flac .ogg .oga .aif .aiff .au .caf .w64) or raw PCM (.raw .pcm).
 * Returns 0, or -1 with err. */
int snd_audio_check_out_path(const char *path, struct snd_err *err);

/* Create an output of fmt->channels interleaved channels at fmt->rate_hz ("-" or NULL:
 * raw PCM on stdout in fmt->enc; a file: the container its extension names, with samples
 * of fmt->enc where the container allows, 24-bit for FLAC's s32). A file is written to a
 * temporary and appears only at snd_audio_finish(). Returns NULL with err on failure;
 * release the result with snd_audio_finish() or snd_audio_discard(). */
struct snd_audio_out *snd_audio_create(const char *path, const struct snd_pcm_fmt *fmt,
                                       struct snd_err *err);

/* Write n frames of interleaved samples (n * channels floats). Returns 0, or -1 with err
 * (err->errnum is EPIPE when stdout's reader has gone). */
int snd_audio_write(struct snd_audio_out *o, const float *x, long n, struct snd_err *err);

/* Write n frames of interleaved little-endian samples in the output's own encoding
 * (fmt->enc of snd_audio_create()), as captured: raw PCM goes out byte for byte, and
 * files get the integers themselves, so s16 and s32 samples are not rounded through
 * floats. Returns 0, or -1 with err (err->errnum is EPIPE when stdout's reader has
 * gone). */
int snd_audio_write_pcm(struct snd_audio_out *o, const void *pcm, long n, struct snd_err *err);

/* The format of what the toolkit's tools write: fmt's rate and encoding, one channel
 * (every tool works on the mono mix). */
struct snd_pcm_fmt snd_audio_mono(const struct snd_pcm_fmt *fmt);

/* Finish and free o: a file is completed and renamed into place. Returns 0, or -1 with
 * err, in which case no file is left behind. */
int snd_audio_finish(struct snd_audio_out *o, struct snd_err *err);

/* Free o, removing a file's temporary: nothing appears. NULL is fine. */
void snd_audio_discard(struct snd_audio_out *o);

#endif
