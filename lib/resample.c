/* resample: streaming sample-rate conversion. Rational ratios L/M with a modest L (8 to
 * 16 kHz is 2/1, 44.1 to 16 kHz 160/441) use a polyphase windowed-sinc filter whose taps
 * are computed once per phase; other ratios use libsamplerate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <samplerate.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "resample.h"

/* libsamplerate's medium sinc: ~97 dB stop band, pass band to ~90% of Nyquist. */
#define CONVERTER SRC_SINC_MEDIUM_QUALITY

/* The polyphase filter: ZERO_CROSSINGS on each side of the kernel's centre, a Kaiser
 * window of beta 8.6 (side lobes ~ -86 dB), pass band to ROLLOFF of the lower Nyquist.
 * Measured on a 1 kHz sine through 8k->16k->8k: >100 dB SNR (tests/unit/test_pcm.c). It
 * costs 32 multiply-adds per output when upsampling, a tenth of libsamplerate's medium. */
#define ZERO_CROSSINGS 16
#define KAISER_BETA 8.6
#define ROLLOFF 0.92
#define MAX_PHASES 1024

struct snd_resampler {
    double ratio;
    SRC_STATE *src; /* libsamplerate, when the ratio is not one of ours */

    int L, M;    /* output rate / input rate = L / M, in lowest terms */
    int half;    /* input samples either side of an output's time */
    int taps;    /* 2 * half */
    float *coef; /* L phases x taps */
    float *buf;  /* input history from absolute index base */
    long buf_len, buf_cap;
    long long base;
    long long k;    /* the next output */
    long long k_n;  /* its time k * M / L as a whole input index k_n ... */
    int k_p;        /* ... and a phase k_p / L, kept up to date without dividing */
    long long n_in; /* inputs taken */
    int padded;     /* silence appended after the end of the input */
};

static long gcd(long a, long b)
{
    while (b != 0) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Modified Bessel function of the first kind, order 0, for the Kaiser window. */
static double bessel_i0(double x)
{
    double sum = 1.0, term = 1.0, k;

    for (k = 1.0; k < 50.0; k++) {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
        if (term < 1e-12 * sum)
            break;
    }
    return sum;
}

/* Taps of phase p: output time n + p/L, inputs n - half + 1 .. n + half. Each phase is
 * normalised to a gain of exactly 1 at DC. */
static int make_polyphase(struct snd_resampler *rs)
{
    double fc = 0.5 * ROLLOFF * (rs->L < rs->M ? (double)rs->L / rs->M : 1.0);
    double span = ZERO_CROSSINGS / (2.0 * fc), i0_beta = bessel_i0(KAISER_BETA);
    int p, j;

    rs->half = (int)ceil(span);
    rs->taps = 2 * rs->half;
    rs->coef = malloc((size_t)rs->L * (size_t)rs->taps * sizeof *rs->coef);
    rs->buf_cap = 8192 + rs->taps;
    rs->buf = malloc((size_t)rs->buf_cap * sizeof *rs->buf);
    if (rs->coef == NULL || rs->buf == NULL)
        return -1;
    for (p = 0; p < rs->L; p++) {
        double phase = (double)p / rs->L, sum = 0.0, g[2 * 4096];
        for (j = 0; j < rs->taps; j++) {
            double tau = phase - (j - rs->half + 1), v = 2.0 * fc, r = tau / span;
            if (tau != 0.0)
                v = sin(2.0 * M_PI * fc * tau) / (M_PI * tau);
            v *= fabs(r) < 1.0 ? bessel_i0(KAISER_BETA * sqrt(1.0 - r * r)) / i0_beta : 0.0;
            g[j] = v;
            sum += v;
        }
        for (j = 0; j < rs->taps; j++)
            rs->coef[(size_t)p * rs->taps + j] = (float)(g[j] / sum);
    }
    /* Inputs before the first are silence. */
    memset(rs->buf, 0, (size_t)(rs->half - 1) * sizeof *rs->buf);
    rs->buf_len = rs->half - 1;
    rs->base = -(rs->half - 1);
    return 0;
}

struct snd_resampler *snd_resampler_new(int from_hz, int to_hz, struct snd_err *err)
{
    struct snd_resampler *rs;
    long g;
    int e = 0;

    if (from_hz <= 0 || to_hz <= 0) {
        snd_fail(err, "cannot resample from %d Hz to %d Hz", from_hz, to_hz);
        return NULL;
    }
    rs = calloc(1, sizeof *rs);
    if (rs == NULL) {
        snd_fail(err, "out of memory");
        return NULL;
    }
    rs->ratio = (double)to_hz / from_hz;
    if (!src_is_valid_ratio(rs->ratio)) {
        free(rs);
        snd_fail(err, "cannot resample from %d Hz to %d Hz: ratio out of range", from_hz, to_hz);
        return NULL;
    }
    g = gcd(to_hz, from_hz);
    rs->L = (int)(to_hz / g);
    rs->M = (int)(from_hz / g);
    if (rs->L <= MAX_PHASES && (double)rs->M / rs->L <= 16.0) {
        if (make_polyphase(rs) != 0) {
            snd_resampler_free(rs);
            snd_fail(err, "out of memory");
            return NULL;
        }
        return rs;
    }
    rs->src = src_new(CONVERTER, 1, &e);
    if (rs->src == NULL) {
        free(rs);
        snd_fail(err, "resampler: %s", src_strerror(e));
        return NULL;
    }
    return rs;
}

#if defined(__SSE__)
/* SSE is part of every x86-64 CPU: four products per instruction, in a fixed order, so the
 * result is the same on every such machine. */
static float dot(const float *a, const float *b, int n)
{
    __m128 acc = _mm_setzero_ps();
    float lanes[4];
    int i;

    for (i = 0; i + 4 <= n; i += 4)
        acc = _mm_add_ps(acc, _mm_mul_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
    _mm_storeu_ps(lanes, acc);
    for (; i < n; i++)
        lanes[0] += a[i] * b[i];
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}
#else
static float dot(const float *a, const float *b, int n)
{
    /* The same four partial sums as the SSE version, so other machines agree with it. */
    float lanes[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    int i;

    for (i = 0; i + 4 <= n; i += 4) {
        lanes[0] += a[i] * b[i];
        lanes[1] += a[i + 1] * b[i + 1];
        lanes[2] += a[i + 2] * b[i + 2];
        lanes[3] += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++)
        lanes[0] += a[i] * b[i];
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}
#endif

/* Upsampling by a whole factor (M = 1, 8 to 16 kHz among them) computes, for each phase,
 * the outputs of BLOCK consecutive input positions together: each output is a plain
 * sequential sum over the taps, one lane of a vector each, so four independent chains of
 * additions are in flight and every output has the same bits however it was reached
 * (alone at the edges, or in a block), on every machine. */
#define BLOCK 16

static float fir_one(const float *c, const float *x, int taps)
{
    float s = 0.0f;
    for (int j = 0; j < taps; j++)
        s += c[j] * x[j];
    return s;
}

#if defined(__SSE__)
static void fir_block(const float *c, const float *x, int taps, float *y)
{
    __m128 s0 = _mm_setzero_ps(), s1 = _mm_setzero_ps(), s2 = _mm_setzero_ps(),
           s3 = _mm_setzero_ps();
    for (int j = 0; j < taps; j++) {
        __m128 cj = _mm_set1_ps(c[j]);
        s0 = _mm_add_ps(s0, _mm_mul_ps(cj, _mm_loadu_ps(x + j)));
        s1 = _mm_add_ps(s1, _mm_mul_ps(cj, _mm_loadu_ps(x + j + 4)));
        s2 = _mm_add_ps(s2, _mm_mul_ps(cj, _mm_loadu_ps(x + j + 8)));
        s3 = _mm_add_ps(s3, _mm_mul_ps(cj, _mm_loadu_ps(x + j + 12)));
    }
    _mm_storeu_ps(y, s0);
    _mm_storeu_ps(y + 4, s1);
    _mm_storeu_ps(y + 8, s2);
    _mm_storeu_ps(y + 12, s3);
}
#else
static void fir_block(const float *c, const float *x, int taps, float *y)
{
    for (int l = 0; l < BLOCK; l++)
        y[l] = fir_one(c, x + l, taps);
}
#endif

/* One output of the next, with the sum an upsampler uses. */
static float output_at(const struct snd_resampler *rs, long first)
{
    const float *c = rs->coef + (size_t)rs->k_p * rs->taps;
    return rs->M == 1 ? fir_one(c, rs->buf + first, rs->taps) : dot(c, rs->buf + first, rs->taps);
}

/* With M = 1 and at phase 0: the L outputs of each of BLOCK input positions at once, if
 * the input, the room in out and the end allow; returns how many were written. */
static long upsample_block(struct snd_resampler *rs, float *out, long room, long long end)
{
    long first = (long)(rs->k_n - rs->half + 1 - rs->base), n = (long)BLOCK * rs->L;
    float y[BLOCK];
    if (rs->M != 1 || rs->k_p != 0 || room < n || first + rs->taps + BLOCK - 1 > rs->buf_len ||
        (end >= 0 && rs->k + n > end))
        return 0;
    for (int p = 0; p < rs->L; p++) {
        fir_block(rs->coef + (size_t)p * rs->taps, rs->buf + first, rs->taps, y);
        for (int l = 0; l < BLOCK; l++)
            out[(long)l * rs->L + p] = y[l];
    }
    rs->k += n;
    rs->k_n += BLOCK;
    return n;
}

/* At the end of the input: silence after it, enough for every output that remains, and
 * the count of outputs round(n_in * L / M), as libsamplerate's drain gives. */
static long long pad_end(struct snd_resampler *rs)
{
    if (!rs->padded && rs->buf_len + rs->taps <= rs->buf_cap) {
        memset(rs->buf + rs->buf_len, 0, (size_t)rs->taps * sizeof *rs->buf);
        rs->buf_len += rs->taps;
        rs->padded = 1;
    }
    return llround((double)rs->n_in * rs->L / rs->M);
}

static long run_polyphase(struct snd_resampler *rs, const float *in, long n_in, long *used,
                          float *out, long out_cap, int eof)
{
    long take = rs->padded ? 0 : rs->buf_cap - rs->buf_len, o = 0, drop;
    long long end = -1;

    if (take > n_in)
        take = n_in;
    memcpy(rs->buf + rs->buf_len, in, (size_t)take * sizeof *in);
    rs->buf_len += take;
    rs->n_in += take;
    *used = take;
    if (eof && take == n_in)
        end = pad_end(rs);
    while (o < out_cap && (end < 0 || rs->k < end)) {
        long first = (long)(rs->k_n - rs->half + 1 - rs->base), n;
        if ((n = upsample_block(rs, out + o, out_cap - o, end)) > 0) {
            o += n;
            continue;
        }
        if (first + rs->taps > rs->buf_len)
            break;
        out[o++] = output_at(rs, first);
        rs->k++;
        rs->k_n += rs->M / rs->L;
        rs->k_p += rs->M % rs->L;
        if (rs->k_p >= rs->L) {
            rs->k_p -= rs->L;
            rs->k_n++;
        }
    }
    /* Keep the history the next output needs. */
    drop = (long)(rs->k_n - rs->half + 1 - rs->base);
    if (drop > 0) {
        if (drop > rs->buf_len)
            drop = rs->buf_len;
        rs->buf_len -= drop;
        memmove(rs->buf, rs->buf + drop, (size_t)rs->buf_len * sizeof *rs->buf);
        rs->base += drop;
    }
    return o;
}

long snd_resampler_run(struct snd_resampler *rs, const float *in, long n_in, long *used, float *out,
                       long out_cap, int eof, struct snd_err *err)
{
    SRC_DATA d = {0};
    int e;

    if (rs->src == NULL)
        return run_polyphase(rs, in, n_in, used, out, out_cap, eof);
    d.data_in = in;
    d.input_frames = n_in;
    d.data_out = out;
    d.output_frames = out_cap;
    d.end_of_input = eof;
    d.src_ratio = rs->ratio;
    e = src_process(rs->src, &d);
    if (e != 0)
        return snd_fail(err, "resampler: %s", src_strerror(e));
    *used = d.input_frames_used;
    return d.output_frames_gen;
}

void snd_resampler_free(struct snd_resampler *rs)
{
    if (rs == NULL)
        return;
    if (rs->src != NULL)
        src_delete(rs->src);
    free(rs->coef);
    free(rs->buf);
    free(rs);
}
