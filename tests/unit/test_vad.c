/* test_vad: the sound/silence decision on signals whose answer is known. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vad.h"

#define RATE 16000
#define MAX_FRAMES 4096

struct decisions {
    int n;
    int sound[MAX_FRAMES];
    int keep[MAX_FRAMES];
    float level[MAX_FRAMES];
    long long start[MAX_FRAMES];
    long long samples;
};

static int collect(void *ctx, const struct snd_vad_frame *f, struct snd_err *err)
{
    struct decisions *d = ctx;

    (void)err;
    if (d->n < MAX_FRAMES) {
        d->sound[d->n] = f->sound;
        d->keep[d->n] = f->keep;
        d->level[d->n] = f->level_dbfs;
        d->start[d->n] = f->start;
    }
    d->n++;
    d->samples += f->n;
    return 0;
}

/* Run x through a detector with options o, fed in pieces of the given size. */
static void decide(const float *x, long n, const struct snd_vad_opts *o, long piece,
                   struct decisions *d)
{
    struct snd_err err = {0};
    struct snd_vad *v = snd_vad_new(o, RATE, &err);
    long i;

    memset(d, 0, sizeof *d);
    CHECK(v != NULL);
    if (v == NULL)
        return;
    for (i = 0; i < n; i += piece)
        CHECK(snd_vad_feed(v, x + i, n - i < piece ? n - i : piece, collect, d, &err) == 0);
    CHECK(snd_vad_finish(v, collect, d, &err) == 0);
    snd_vad_free(v);
}

/* A 400 Hz sine (four whole periods per 10 ms frame, so a frame's RMS is exact) of
 * amplitude amp from t0 to t1 seconds. */
static void tone(float *x, double t0, double t1, double amp)
{
    long i;

    for (i = (long)(t0 * RATE); i < (long)(t1 * RATE); i++)
        x[i] = (float)(amp * sin(2 * M_PI * 400.0 * i / RATE));
}

static int first(const int *v, int n, int want)
{
    int i;

    for (i = 0; i < n; i++)
        if (v[i] == want)
            return i;
    return -1;
}

static int last(const int *v, int n, int want)
{
    int i;

    for (i = n - 1; i >= 0; i--)
        if (v[i] == want)
            return i;
    return -1;
}

static int count(const int *v, int n, int want)
{
    int i, c = 0;

    for (i = 0; i < n; i++)
        c += v[i] == want;
    return c;
}

static void burst_found_within_a_frame(void)
{
    static float x[2 * RATE];
    static struct decisions d;
    struct snd_vad_opts o = SND_VAD_OPTS_DEFAULT;

    memset(x, 0, sizeof x);
    tone(x, 0.5, 1.2, 0.1); /* -23 dBFS */
    decide(x, 2 * RATE, &o, 4096, &d);
    CHECK(d.n == 200);
    CHECK(d.samples == 2 * RATE);
    CHECK(first(d.sound, d.n, 1) == 50);
    CHECK(last(d.sound, d.n, 1) == 119);
    CHECK(count(d.sound, d.n, 1) == 70);
    CHECK_NEAR(d.level[80], 20 * log10(0.1 / sqrt(2)), 0.001);
    CHECK(d.level[10] == -120.0f);
    /* Padding of 100 ms = 10 frames either side. */
    CHECK(first(d.keep, d.n, 1) == 40);
    CHECK(last(d.keep, d.n, 1) == 129);
}

static void click_does_not_break_silence(void)
{
    static float x[RATE];
    static struct decisions d;
    struct snd_vad_opts o = SND_VAD_OPTS_DEFAULT;

    memset(x, 0, sizeof x);
    tone(x, 0.4, 0.42, 0.9); /* 20 ms, shorter than the 50 ms minimum */
    decide(x, RATE, &o, 1000, &d);
    CHECK(count(d.sound, d.n, 1) == 0);
    CHECK(count(d.keep, d.n, 1) == 0);
}

static void short_pause_does_not_break_sound(void)
{
    static float x[2 * RATE];
    static struct decisions d;
    struct snd_vad_opts o = SND_VAD_OPTS_DEFAULT;

    memset(x, 0, sizeof x);
    tone(x, 0.2, 0.8, 0.1);
    tone(x, 0.9, 1.5, 0.1); /* a 100 ms pause, under the 200 ms minimum */
    decide(x, 2 * RATE, &o, 333, &d);
    CHECK(first(d.sound, d.n, 1) == 20);
    CHECK(last(d.sound, d.n, 1) == 149);
    CHECK(count(d.sound, d.n, 1) == 130);
}

static void hysteresis_holds_sound_through_a_dip(void)
{
    static float x[2 * RATE];
    static struct decisions d;
    struct snd_vad_opts o = SND_VAD_OPTS_DEFAULT;
    double amp_above = pow(10, -30.0 / 20) * sqrt(2), amp_dip = pow(10, -43.0 / 20) * sqrt(2);

    memset(x, 0, sizeof x);
    tone(x, 0.2, 0.6, amp_above);
    tone(x, 0.6, 1.2, amp_dip); /* -43 dBFS: under -40 but over -40 - 6 */
    decide(x, 2 * RATE, &o, 4096, &d);
    CHECK(last(d.sound, d.n, 1) == 119);
    o.hysteresis_db = 0;
    decide(x, 2 * RATE, &o, 4096, &d);
    CHECK(last(d.sound, d.n, 1) == 59);
}

static void pieces_do_not_change_decisions(void)
{
    static float x[3 * RATE];
    static struct decisions whole, bits;
    struct snd_vad_opts o = SND_VAD_OPTS_DEFAULT;
    long i;

    srand(7);
    for (i = 0; i < 3 * RATE; i++)
        x[i] = (float)(0.02 * (rand() / (double)RAND_MAX - 0.5));
    tone(x, 0.3, 0.9, 0.3);
    tone(x, 1.3, 1.33, 0.3);
    tone(x, 2.0, 2.95, 0.05);
    decide(x, 3 * RATE, &o, 3 * RATE, &whole);
    decide(x, 3 * RATE, &o, 7, &bits);
    CHECK(whole.n == bits.n);
    CHECK(memcmp(whole.sound, bits.sound, sizeof whole.sound) == 0);
    CHECK(memcmp(whole.keep, bits.keep, sizeof whole.keep) == 0);
}

static void short_last_frame_counted(void)
{
    static float x[RATE + 37];
    static struct decisions d;
    struct snd_vad_opts o = SND_VAD_OPTS_DEFAULT;

    memset(x, 0, sizeof x);
    tone(x, 0.0, 1.0 + 37.0 / RATE, 0.1);
    decide(x, RATE + 37, &o, 4096, &d);
    CHECK(d.n == 101);
    CHECK(d.samples == RATE + 37);
    CHECK(d.start[100] == RATE);
    CHECK(count(d.sound, d.n, 1) == 101); /* sound from the very first frame */
}

static void bad_options_refused(void)
{
    struct snd_err err = {0};
    struct snd_vad_opts o = SND_VAD_OPTS_DEFAULT;

    o.threshold_dbfs = 10;
    CHECK(snd_vad_new(&o, RATE, &err) == NULL);
    CHECK(strstr(err.msg, "threshold") != NULL);
    o.threshold_dbfs = -40;
    o.frame_sec = 1e-6;
    CHECK(snd_vad_new(&o, RATE, &err) == NULL);
    o.frame_sec = 0.01;
    o.pad_sec = NAN;
    CHECK(snd_vad_new(&o, RATE, &err) == NULL);
}

int main(void)
{
    RUN(burst_found_within_a_frame);
    RUN(click_does_not_break_silence);
    RUN(short_pause_does_not_break_sound);
    RUN(hysteresis_holds_sound_through_a_dip);
    RUN(pieces_do_not_change_decisions);
    RUN(short_last_frame_counted);
    RUN(bad_options_refused);
    return HARNESS_STATUS();
}
