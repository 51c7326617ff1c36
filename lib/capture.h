/* capture: reading raw PCM from a sound device through ALSA's PCM API. The header is
 * ALSA-free: only lib/capture.c includes <alsa/asoundlib.h>, whose names share our
 * snd_ prefix. */
#ifndef SND_CAPTURE_H
#define SND_CAPTURE_H

#include "err.h"
#include "pcm.h"

/* An open capture device. */
struct snd_capture;

/* What snd_capture_read() returns when the device overran (samples were lost) and the
 * stream has been restarted: the caller counts and reports it, then reads on. */
#define SND_CAPTURE_OVERRUN (-2)

/* What snd_capture_read() returns when a signal interrupted it before any frame came:
 * the caller checks its stop flag and reads on. */
#define SND_CAPTURE_INTERRUPTED (-3)

/* Open the ALSA PCM named device (NULL: "default") for capture of interleaved
 * little-endian samples in fmt (S16_LE, S32_LE or FLOAT_LE) at exactly fmt->rate_hz and
 * fmt->channels, handed out in periods of about period_sec. A rate, channel count or
 * encoding the device cannot give is refused with a message saying what it offers, never
 * converted behind the caller's back (a "plug:" device converts, if that is wanted).
 * ALSA's own diagnostics on stderr are silenced for the whole process: errors come back
 * in err. Returns NULL with err naming the device on failure. The caller owns the
 * result; release it with snd_capture_close(). */
struct snd_capture *snd_capture_open(const char *device, const struct snd_pcm_fmt *fmt,
                                     double period_sec, struct snd_err *err);

/* The frames in one period as the caller should read them: period_sec at the rate,
 * at least 1. Cannot fail. */
long snd_capture_period_frames(const struct snd_capture *c);

/* The device's name as given to snd_capture_open() ("default" for NULL). Borrowed until
 * snd_capture_close(). */
const char *snd_capture_device(const struct snd_capture *c);

/* Read up to max_frames frames into buf (max_frames * channels samples of the encoding
 * asked for), blocking until they have come. Returns the frames read (> 0; fewer than
 * max_frames only when a signal came in between), SND_CAPTURE_OVERRUN once the stream
 * was restarted after an overrun or a suspend, SND_CAPTURE_INTERRUPTED when a signal
 * came before any frame, or -1 with err naming the device when it failed for good (it
 * vanished, or cannot be restarted). The part of buf past what was read is zeroed, so a
 * plugin that returns frames it did not fill (ALSA's file plugin at the end of its
 * infile) gives silence rather than the previous period again. */
long snd_capture_read(struct snd_capture *c, void *buf, long max_frames, struct snd_err *err);

/* Stop capturing and close the device, and free ALSA's cached configuration (the next
 * open reads it again). NULL is fine. */
void snd_capture_close(struct snd_capture *c);

/* Called by snd_capture_list() for each device: its name (what snd_capture_open()
 * takes) and a one-line description, or "" when ALSA has none. Both are borrowed for the
 * call only. */
typedef void (*snd_capture_list_fn)(void *ctx, const char *name, const char *description);

/* Call fn for every PCM device ALSA's configuration names (its device name hints) that
 * can capture, in ALSA's order. Returns the number listed, or -1 with err. */
int snd_capture_list(snd_capture_list_fn fn, void *ctx, struct snd_err *err);

#endif
