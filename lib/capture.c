/* capture: ALSA capture of interleaved PCM, one period at a time, with overruns
 * recovered and reported to the caller rather than hidden. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <alsa/asoundlib.h>

#include "capture.h"

/* Periods per ALSA buffer: room for the reader to be three periods late before the
 * device overruns, while each period still leaves as soon as it is captured. */
#define PERIODS_PER_BUFFER 4

struct snd_capture {
    snd_pcm_t *pcm;
    char *device;
    int channels;
    size_t frame_bytes;
    long period_frames;
};

/* ALSA prints its own diagnostics ("ALSA lib pcm.c:...: Unknown PCM nodev") on stderr
 * unless a handler is set; ours drops them, so that a tool's one-line errors stay one
 * line and name the device. */
static void quiet_alsa(const char *file, int line, const char *function, int errnum,
                       const char *fmt, ...)
{
    (void)file;
    (void)line;
    (void)function;
    (void)errnum;
    (void)fmt;
}

static snd_pcm_format_t alsa_format(enum snd_encoding enc)
{
    switch (enc) {
    case SND_ENC_S32:
        return SND_PCM_FORMAT_S32_LE;
    case SND_ENC_F32:
        return SND_PCM_FORMAT_FLOAT_LE;
    case SND_ENC_S16:
        break;
    }
    return SND_PCM_FORMAT_S16_LE;
}

/* Report a rate the device cannot give exactly, with the nearest one it can. */
static int fail_rate(snd_pcm_t *pcm, const snd_pcm_hw_params_t *hw, const char *device, int rate_hz,
                     struct snd_err *err)
{
    snd_pcm_hw_params_t *probe;
    unsigned int near = (unsigned int)rate_hz;
    int dir = 0;

    snd_pcm_hw_params_alloca(&probe);
    snd_pcm_hw_params_copy(probe, hw);
    if (snd_pcm_hw_params_set_rate_near(pcm, probe, &near, &dir) < 0)
        return snd_fail(err, "%s: cannot capture at %d Hz", device, rate_hz);
    return snd_fail(err,
                    "%s: cannot capture at %d Hz (the nearest it offers is %u Hz; use -r %u, "
                    "or a plug: device to resample)",
                    device, rate_hz, near, near);
}

static int fail_channels(const snd_pcm_hw_params_t *hw, const char *device, int channels,
                         struct snd_err *err)
{
    unsigned int lo = 0, hi = 0;

    if (snd_pcm_hw_params_get_channels_min(hw, &lo) < 0 ||
        snd_pcm_hw_params_get_channels_max(hw, &hi) < 0)
        return snd_fail(err, "%s: cannot capture %d channels", device, channels);
    return snd_fail(err, "%s: cannot capture %d channels (it offers %u to %u)", device, channels,
                    lo, hi);
}

/* Set up hw params: interleaved read/write access, the exact format, channels and rate,
 * a period of about period_frames and a buffer of PERIODS_PER_BUFFER periods. */
static int set_hw_params(struct snd_capture *c, const struct snd_pcm_fmt *fmt, long period_frames,
                         struct snd_err *err)
{
    snd_pcm_hw_params_t *hw;
    snd_pcm_uframes_t period = (snd_pcm_uframes_t)period_frames;
    snd_pcm_uframes_t buffer = period * PERIODS_PER_BUFFER;
    snd_pcm_format_t format = alsa_format(fmt->enc);
    int dir = 0, r;

    snd_pcm_hw_params_alloca(&hw);
    r = snd_pcm_hw_params_any(c->pcm, hw);
    if (r < 0)
        return snd_fail(err, "%s: cannot read its capabilities: %s", c->device, snd_strerror(r));
    if (snd_pcm_hw_params_set_access(c->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED) < 0)
        return snd_fail(err, "%s: cannot read interleaved samples from it", c->device);
    if (snd_pcm_hw_params_set_format(c->pcm, hw, format) < 0)
        return snd_fail(err, "%s: cannot capture %s samples (%s); try a plug: device", c->device,
                        snd_pcm_encoding_name(fmt->enc), snd_pcm_format_name(format));
    if (snd_pcm_hw_params_set_channels(c->pcm, hw, (unsigned int)fmt->channels) < 0)
        return fail_channels(hw, c->device, fmt->channels, err);
    if (snd_pcm_hw_params_set_rate(c->pcm, hw, (unsigned int)fmt->rate_hz, 0) < 0)
        return fail_rate(c->pcm, hw, c->device, fmt->rate_hz, err);
    /* The device may round the period and buffer; only their order of size matters, as
     * the reader asks for period_frames at a time whatever the device chose. */
    snd_pcm_hw_params_set_period_size_near(c->pcm, hw, &period, &dir);
    snd_pcm_hw_params_set_buffer_size_near(c->pcm, hw, &buffer);
    r = snd_pcm_hw_params(c->pcm, hw);
    if (r < 0)
        return snd_fail(err, "%s: cannot set it up: %s", c->device, snd_strerror(r));
    return 0;
}

struct snd_capture *snd_capture_open(const char *device, const struct snd_pcm_fmt *fmt,
                                     double period_sec, struct snd_err *err)
{
    struct snd_capture *c;
    double frames = floor(period_sec * fmt->rate_hz + 0.5);
    int r;

    snd_lib_error_set_handler(quiet_alsa);
    if (device == NULL)
        device = "default";
    c = calloc(1, sizeof *c);
    if (c == NULL || (c->device = strdup(device)) == NULL) {
        free(c);
        snd_fail(err, "%s: out of memory", device);
        return NULL;
    }
    c->channels = fmt->channels;
    c->frame_bytes = snd_pcm_sample_bytes(fmt->enc) * (size_t)fmt->channels;
    c->period_frames = frames < 1 ? 1 : frames > 1 << 24 ? 1 << 24 : (long)frames;
    r = snd_pcm_open(&c->pcm, device, SND_PCM_STREAM_CAPTURE, 0);
    if (r < 0) {
        snd_fail(err, "%s: cannot open capture device: %s", device, snd_strerror(r));
        c->pcm = NULL;
        snd_capture_close(c);
        return NULL;
    }
    if (set_hw_params(c, fmt, c->period_frames, err) != 0) {
        snd_capture_close(c);
        return NULL;
    }
    r = snd_pcm_prepare(c->pcm);
    if (r < 0) {
        snd_fail(err, "%s: cannot prepare it for capture: %s", device, snd_strerror(r));
        snd_capture_close(c);
        return NULL;
    }
    return c;
}

long snd_capture_period_frames(const struct snd_capture *c)
{
    return c->period_frames;
}

const char *snd_capture_device(const struct snd_capture *c)
{
    return c->device;
}

long snd_capture_read(struct snd_capture *c, void *buf, long max_frames, struct snd_err *err)
{
    snd_pcm_sframes_t n;
    int r;

    memset(buf, 0, (size_t)max_frames * c->frame_bytes);
    n = snd_pcm_readi(c->pcm, buf, (snd_pcm_uframes_t)max_frames);
    if (n > 0)
        return (long)n;
    if (n == 0 || n == -EINTR || n == -EAGAIN)
        return SND_CAPTURE_INTERRUPTED;
    if (n == -EPIPE || n == -ESTRPIPE) {
        /* An overrun (-EPIPE), or a suspend (-ESTRPIPE) that lost what came meanwhile:
         * restart the stream; snd_pcm_recover() resumes or prepares as each needs. */
        r = snd_pcm_recover(c->pcm, (int)n, 1);
        if (r < 0)
            return snd_fail(err, "%s: cannot restart capture after %s: %s", c->device,
                            n == -EPIPE ? "an overrun" : "a suspend", snd_strerror(r));
        return SND_CAPTURE_OVERRUN;
    }
    return snd_fail(err, "%s: capture failed: %s", c->device, snd_strerror((int)n));
}

void snd_capture_close(struct snd_capture *c)
{
    if (c == NULL)
        return;
    if (c->pcm != NULL) {
        snd_pcm_drop(c->pcm);
        snd_pcm_close(c->pcm);
    }
    /* snd_pcm_open() parsed ALSA's configuration into a cache it keeps for the process;
     * with no device left open it can go, and leak checkers see nothing left behind. */
    snd_config_update_free_global();
    free(c->device);
    free(c);
}

/* One line per device: ALSA's descriptions hold newlines ("HDA Intel PCH\nALC892
 * Analog"); they become " - ". Tabs become spaces, so the list stays two columns. */
static void one_line(char *s)
{
    char *p;

    for (p = s; *p != '\0'; p++)
        if (*p == '\t')
            *p = ' ';
    while ((p = strchr(s, '\n')) != NULL) {
        memmove(p + 3, p + 1, strlen(p + 1) + 1);
        memcpy(p, " - ", 3);
    }
}

int snd_capture_list(snd_capture_list_fn fn, void *ctx, struct snd_err *err)
{
    void **hints, **h;
    int r, n = 0;

    snd_lib_error_set_handler(quiet_alsa);
    r = snd_device_name_hint(-1, "pcm", &hints);
    if (r < 0)
        return snd_fail(err, "cannot list the sound devices: %s", snd_strerror(r));
    for (h = hints; *h != NULL; h++) {
        char *name = snd_device_name_get_hint(*h, "NAME");
        char *desc = snd_device_name_get_hint(*h, "DESC");
        char *ioid = snd_device_name_get_hint(*h, "IOID");
        char *line = NULL;

        /* IOID is "Input", "Output", or absent for devices that do both. */
        if (name != NULL && (ioid == NULL || strcmp(ioid, "Output") != 0)) {
            size_t len = desc ? strlen(desc) : 0;
            /* Each newline can grow to three characters. */
            line = malloc(3 * len + 1);
            if (line == NULL) {
                free(name);
                free(desc);
                free(ioid);
                snd_device_name_free_hint(hints);
                return snd_fail(err, "cannot list the sound devices: out of memory");
            }
            strcpy(line, desc ? desc : "");
            one_line(line);
            fn(ctx, name, line);
            n++;
        }
        free(line);
        free(name);
        free(desc);
        free(ioid);
    }
    snd_device_name_free_hint(hints);
    snd_config_update_free_global();
    return n;
}
