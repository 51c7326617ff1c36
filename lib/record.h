/* record: capture from a sound device into raw PCM on stdout or an audio file, period by
 * period, until a duration is reached or the caller's stop flag is set. */
#ifndef SND_RECORD_H
#define SND_RECORD_H

#include <signal.h>

#include "err.h"
#include "pcm.h"

/* Called after each overrun the device recovered from: at_sec is the stream time
 * (frames captured so far over the rate) where samples went missing, count the
 * overruns so far in this run. The device name is borrowed for the call. */
typedef void (*snd_record_overrun_fn)(void *ctx, const char *device, double at_sec, long count);

struct snd_record_opts {
    const char *device;               /* ALSA PCM name; NULL: "default" */
    struct snd_pcm_fmt fmt;           /* rate, channels and encoding captured and written */
    double duration_sec;              /* stop after this many seconds of frames; 0: never */
    double period_sec;                /* frames are read and written this many at a time */
    const char *output;               /* NULL or "-": raw PCM on stdout; else a file */
    int strict;                       /* an overrun ends the run as a failure */
    volatile sig_atomic_t *stop;      /* checked between periods; NULL: never set */
    snd_record_overrun_fn on_overrun; /* NULL: overruns are only counted */
    void *ctx;                        /* passed to on_overrun */
};

/* 16 kHz mono s16 from the default device, 50 ms periods, to stdout, until stopped. */
#define SND_RECORD_PERIOD_SEC_DEFAULT 0.05
#define SND_RECORD_OPTS_DEFAULT                                                                    \
    {                                                                                              \
        NULL, SND_PCM_FMT_DEFAULT, 0.0, SND_RECORD_PERIOD_SEC_DEFAULT, NULL, 0, NULL, NULL, NULL   \
    }

/* What a run did, filled whether it succeeded or not. */
struct snd_record_stats {
    long long frames;   /* frames written */
    long overruns;      /* overruns (and suspends) recovered from */
    long period_frames; /* frames per read */
    int kept;           /* a run that failed on the device still finished its file */
};

/* Check what can be checked before opening anything: an output extension the writer
 * knows, a duration and a period of at least one frame. Returns 0, or -1 with err. */
int snd_record_check_opts(const struct snd_record_opts *o, struct snd_err *err);

/* Capture from o->device into o->output until o->duration_sec of frames (exactly
 * round(duration * rate) frames: the last period is cut) or until *o->stop is set by a
 * signal, whose interruption of the device's read ends the period early. A file output
 * is written to a temporary and appears, finished with a valid header, when the run
 * ends: also when the device failed or an overrun was fatal (o->strict), so what was
 * captured is kept. Returns 0, or -1 with err naming the device or the output; a closed
 * stdout gives err->errnum == EPIPE. */
int snd_record_run(const struct snd_record_opts *o, struct snd_record_stats *st,
                   struct snd_err *err);

#endif
