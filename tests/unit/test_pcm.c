/* test_pcm: raw sample conversion and the streaming resampler. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "pcm.h"
#include "resample.h"

/* Decode then encode must give the same bytes for any s16 and f32 input, and for s32
 * samples whose value fits a float's 24-bit mantissa. */
static void round_trip(enum snd_encoding enc, const unsigned char *bytes, size_t n_samples)
{
    size_t nb = n_samples * snd_pcm_sample_bytes(enc);
    float *x = malloc(n_samples * sizeof *x);
    unsigned char *back = malloc(nb);

    snd_pcm_decode(x, bytes, n_samples, enc);
    snd_pcm_encode(back, x, n_samples, enc);
    CHECK(memcmp(bytes, back, nb) == 0);
    free(x);
    free(back);
}

static void s16_round_trip_every_value(void)
{
    unsigned char b[65536 * 2];
    int v;

    for (v = 0; v < 65536; v++) {
        b[2 * v] = (unsigned char)v;
        b[2 * v + 1] = (unsigned char)(v >> 8);
    }
    round_trip(SND_ENC_S16, b, 65536);
}

static void s32_round_trip_24_bit_values(void)
{
    unsigned char b[4 * 1000];
    int i;

    srand(1);
    for (i = 0; i < 1000; i++) {
        uint32_t v = (uint32_t)(rand() & 0xFFFFFF) << 8;
        if (i == 0)
            v = 0x80000000u; /* the most negative value */
        if (i == 1)
            v = 0x7FFFFF00u;
        memcpy(b + 4 * i, (unsigned char[4]){v, v >> 8, v >> 16, v >> 24}, 4);
    }
    round_trip(SND_ENC_S32, b, 1000);
}

static void f32_round_trip(void)
{
    float x[5] = {0.0f, -1.0f, 0.999f, 1e-30f, -0.25f};
    unsigned char b[20];

    snd_pcm_encode(b, x, 5, SND_ENC_F32);
    round_trip(SND_ENC_F32, b, 5);
    CHECK(b[0] == 0 && b[7] == 0xBF); /* little-endian -1.0f = 00 00 80 BF */
}

static void encode_clips_and_rounds(void)
{
    float x[6] = {1.0f, -1.0f, 2.0f, -3.0f, 0.5f / 32768.0f, -1.5f / 32768.0f};
    short s[6];
    int i32[2];

    snd_pcm_to_s16(s, x, 6);
    CHECK(s[0] == 32767 && s[1] == -32768 && s[2] == 32767 && s[3] == -32768);
    CHECK(s[4] == 0 && s[5] == -2); /* round half to even, as lrint */
    snd_pcm_to_s32(i32, x, 2);
    CHECK(i32[0] == 2147483647 && i32[1] == -2147483647 - 1);
}

static void nonfinite_found(void)
{
    float x[4] = {0.0f, 1.0f, NAN, 0.0f};

    CHECK(snd_pcm_first_nonfinite(x, 4) == 2);
    CHECK(snd_pcm_first_nonfinite(x, 2) == 2);
    x[2] = INFINITY;
    CHECK(snd_pcm_first_nonfinite(x, 4) == 2);
}

/* Resample all of in through rs in small, uneven pieces, as a stream arrives. */
static long resample_stream(struct snd_resampler *rs, const float *in, long n, float *out, long cap)
{
    struct snd_err err = {0};
    long pos = 0, o = 0, piece = 1, got;

    for (;;) {
        long used = 0, give = n - pos < piece ? n - pos : piece;
        int eof = pos + give == n;
        got = snd_resampler_run(rs, in + pos, give, &used, out + o, cap - o, eof, &err);
        CHECK(got >= 0);
        if (got < 0)
            return o;
        pos += used;
        o += got;
        piece = piece * 3 % 997 + 1;
        if (eof && got == 0 && used == give)
            return o;
    }
}

/* Sine-fit SNR of y against A sin(2 pi f t + phase), fitted by least squares. */
static double sine_snr_db(const float *y, long n, double f_norm, double *amp)
{
    double ss = 0, sc = 0, cc = 0, ys = 0, yc = 0, a, b, err = 0, sig = 0;
    long i;

    for (i = 0; i < n; i++) {
        double s = sin(2 * M_PI * f_norm * i), c = cos(2 * M_PI * f_norm * i);
        ss += s * s, sc += s * c, cc += c * c, ys += y[i] * s, yc += y[i] * c;
    }
    a = (ys * cc - yc * sc) / (ss * cc - sc * sc);
    b = (yc * ss - ys * sc) / (ss * cc - sc * sc);
    for (i = 0; i < n; i++) {
        double fit = a * sin(2 * M_PI * f_norm * i) + b * cos(2 * M_PI * f_norm * i);
        err += (y[i] - fit) * (y[i] - fit);
        sig += fit * fit;
    }
    *amp = sqrt(a * a + b * b);
    return 10 * log10(sig / err);
}

/* A 1 kHz sine at 8 kHz, up to 16 kHz and back down: the frequency and the amplitude
 * survive, and the noise added is small (the SNR is printed for the closing note). */
static void resample_8k_16k_8k_keeps_a_sine(void)
{
    struct snd_err err = {0};
    const long n = 8000 * 2;
    float *x = malloc(n * sizeof *x), *up = malloc(3 * n * sizeof *up),
          *down = malloc(2 * n * sizeof *down);
    struct snd_resampler *r_up = snd_resampler_new(8000, 16000, &err);
    struct snd_resampler *r_down = snd_resampler_new(16000, 8000, &err);
    long n_up, n_down, i;
    double amp, snr_up, snr_down;

    for (i = 0; i < n; i++)
        x[i] = (float)(0.5 * sin(2 * M_PI * 1000.0 * i / 8000.0));
    n_up = resample_stream(r_up, x, n, up, 3 * n);
    n_down = resample_stream(r_down, up, n_up, down, 2 * n);
    CHECK(labs(n_up - 2 * n) <= 2);
    CHECK(labs(n_down - n) <= 2);
    /* Skip the filters' edges: half a second either side is plenty. */
    snr_up = sine_snr_db(up + 8000, 16000, 1000.0 / 16000.0, &amp);
    CHECK_NEAR(amp, 0.5, 0.005);
    snr_down = sine_snr_db(down + 4000, 8000, 1000.0 / 8000.0, &amp);
    CHECK_NEAR(amp, 0.5, 0.005);
    printf("    resampler SNR: 8k->16k %.1f dB, 8k->16k->8k %.1f dB\n", snr_up, snr_down);
    CHECK(snr_up > 80.0);
    CHECK(snr_down > 80.0);
    snd_resampler_free(r_up);
    snd_resampler_free(r_down);
    free(x);
    free(up);
    free(down);
}

/* The rates recordings come in, down to 16 kHz (and 16 to 8): a 1 kHz sine keeps its
 * amplitude and its SNR, and the length is the ratio's. */
static void common_rates_keep_a_sine(void)
{
    static const int rates[][2] = {
        {44100, 16000}, {48000, 16000}, {22050, 16000}, {16000, 8000}, {11025, 16000}};
    struct snd_err err = {0};
    size_t r;

    for (r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        int from = rates[r][0], to = rates[r][1];
        long n = 2L * from, n_out, i;
        float *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)(3 * n) * sizeof *y);
        struct snd_resampler *rs = snd_resampler_new(from, to, &err);
        double amp, snr;
        for (i = 0; i < n; i++)
            x[i] = (float)(0.5 * sin(2 * M_PI * 1000.0 * i / from));
        n_out = resample_stream(rs, x, n, y, 3 * n);
        CHECK(labs(n_out - 2L * to) <= 1);
        snr = sine_snr_db(y + to / 2, to, 1000.0 / to, &amp);
        printf("    %5d -> %5d Hz: SNR %.1f dB, amplitude %.5f\n", from, to, snr, amp);
        CHECK_NEAR(amp, 0.5, 0.005);
        CHECK(snr > 90.0);
        snd_resampler_free(rs);
        free(x);
        free(y);
    }
}

/* A tone above the new Nyquist frequency must not fold back into the band. */
static void downsampling_rejects_aliases(void)
{
    struct snd_err err = {0};
    long n = 96000, n_out, i;
    float *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    struct snd_resampler *rs = snd_resampler_new(48000, 16000, &err);
    double sum = 0.0, level_db;

    for (i = 0; i < n; i++)
        x[i] = (float)(0.5 * sin(2 * M_PI * 10000.0 * i / 48000.0));
    n_out = resample_stream(rs, x, n, y, n);
    for (i = 8000; i < n_out - 8000; i++)
        sum += (double)y[i] * y[i];
    level_db = 10 * log10(sum / (n_out - 16000) / 0.125); /* relative to the input's power */
    printf("    48 kHz -> 16 kHz, a 10 kHz tone: %.1f dB\n", level_db);
    CHECK(level_db < -80.0);
    snd_resampler_free(rs);
    free(x);
    free(y);
}

static void resampler_refuses_bad_rates(void)
{
    struct snd_err err = {0};

    CHECK(snd_resampler_new(0, 16000, &err) == NULL);
    CHECK(snd_resampler_new(16000, -1, &err) == NULL);
    CHECK(snd_resampler_new(1000, 768000, &err) == NULL); /* ratio past libsamplerate's 256 */
}

int main(void)
{
    RUN(s16_round_trip_every_value);
    RUN(s32_round_trip_24_bit_values);
    RUN(f32_round_trip);
    RUN(encode_clips_and_rounds);
    RUN(nonfinite_found);
    RUN(resample_8k_16k_8k_keeps_a_sine);
    RUN(common_rates_keep_a_sine);
    RUN(downsampling_rejects_aliases);
    RUN(resampler_refuses_bad_rates);
    return HARNESS_STATUS();
}
