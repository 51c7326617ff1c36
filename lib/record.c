/* record: the capture loop of snd-record, from lib/capture to lib/audio's writer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "capture.h"
#include "record.h"

static long long duration_frames(const struct snd_record_opts *o)
{
    return o->duration_sec > 0 ? llround(o->duration_sec * o->fmt.rate_hz) : 0;
}

int snd_record_check_opts(const struct snd_record_opts *o, struct snd_err *err)
{
    if (o->output != NULL && snd_audio_check_out_path(o->output, err) != 0)
        return -1;
    if (o->duration_sec > 0 && duration_frames(o) < 1)
        return snd_fail(err, "--duration: %g s is less than one frame at %d Hz", o->duration_sec,
                        o->fmt.rate_hz);
    if (o->period_sec * o->fmt.rate_hz < 0.5)
        return snd_fail(err, "--period: %g s is less than one frame at %d Hz", o->period_sec,
                        o->fmt.rate_hz);
    return 0;
}

static int stopped(const struct snd_record_opts *o)
{
    return o->stop != NULL && *o->stop;
}

/* The loop itself: returns 0 when the duration was reached or a stop was asked for,
 * -1 with err otherwise; *device_failed tells a device's failure (what was captured is
 * kept) from the output's (nothing is). */
static int capture_loop(const struct snd_record_opts *o, struct snd_capture *c,
                        struct snd_audio_out *out, unsigned char *buf, struct snd_record_stats *st,
                        int *device_failed, struct snd_err *err)
{
    long long total = duration_frames(o);
    long period = snd_capture_period_frames(c), want, n;

    while (!stopped(o) && (total == 0 || st->frames < total)) {
        want = period;
        if (total > 0 && total - st->frames < want)
            want = (long)(total - st->frames);
        n = snd_capture_read(c, buf, want, err);
        if (n == SND_CAPTURE_INTERRUPTED)
            continue;
        if (n == SND_CAPTURE_OVERRUN) {
            double at_sec = (double)st->frames / o->fmt.rate_hz;
            st->overruns++;
            if (o->on_overrun != NULL)
                o->on_overrun(o->ctx, snd_capture_device(c), at_sec, st->overruns);
            if (o->strict) {
                *device_failed = 1;
                return snd_fail(err, "%s: overrun at %.2f s, fatal with --strict",
                                snd_capture_device(c), at_sec);
            }
            continue;
        }
        if (n < 0) {
            *device_failed = 1;
            return -1;
        }
        if (snd_audio_write_pcm(out, buf, n, err) != 0)
            return -1;
        st->frames += n;
    }
    return 0;
}

int snd_record_run(const struct snd_record_opts *o, struct snd_record_stats *st,
                   struct snd_err *err)
{
    struct snd_capture *c;
    struct snd_audio_out *out;
    struct snd_err finish_err = {0};
    unsigned char *buf;
    int device_failed = 0, r;

    memset(st, 0, sizeof *st);
    if (snd_record_check_opts(o, err) != 0)
        return -1;
    /* The device first: one that cannot be opened leaves no empty file behind. */
    c = snd_capture_open(o->device, &o->fmt, o->period_sec, err);
    if (c == NULL)
        return -1;
    st->period_frames = snd_capture_period_frames(c);
    buf = malloc((size_t)st->period_frames * (size_t)o->fmt.channels *
                 snd_pcm_sample_bytes(o->fmt.enc));
    if (buf == NULL) {
        snd_fail(err, "%s: out of memory", snd_capture_device(c));
        snd_capture_close(c);
        return -1;
    }
    out = snd_audio_create(o->output, &o->fmt, err);
    if (out == NULL) {
        free(buf);
        snd_capture_close(c);
        return -1;
    }
    r = capture_loop(o, c, out, buf, st, &device_failed, err);
    free(buf);
    snd_capture_close(c);
    if (r != 0 && !device_failed) {
        snd_audio_discard(out);
        return -1;
    }
    /* A run that ended on the device's failure still finishes its file: whatever was
     * captured is kept, and the device's error is the one to report. */
    if (snd_audio_finish(out, r == 0 ? err : &finish_err) != 0)
        return -1;
    st->kept = r != 0 && o->output != NULL && strcmp(o->output, "-") != 0;
    return r;
}
