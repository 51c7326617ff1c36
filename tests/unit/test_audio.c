/* test_audio: reading and writing audio files, and refusing bad ones. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

#include "audio.h"
#include "harness.h"

/* Write n samples of x to path at rate in encoding enc. */
static int write_file(const char *path, const float *x, long n, int rate, enum snd_encoding enc)
{
    struct snd_err err = {0};
    struct snd_pcm_fmt fmt = {rate, 1, enc};
    struct snd_audio_out *o = snd_audio_create(path, &fmt, &err);

    if (o == NULL || snd_audio_write(o, x, n, &err) != 0 || snd_audio_finish(o, &err) != 0) {
        printf("    %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* Read all of path at rate into out (cap samples); returns the count or -1 with err. */
static long read_file(const char *path, int rate, float *out, long cap, struct snd_err *err)
{
    struct snd_pcm_fmt fmt = {rate, 1, SND_ENC_S16};
    struct snd_audio_in *a = snd_audio_open(path, &fmt, err);
    long n = 0, k;

    if (a == NULL)
        return -1;
    while ((k = snd_audio_read(a, out + n, cap - n, err)) > 0)
        n += k;
    snd_audio_close(a);
    return k < 0 ? -1 : n;
}

/* Samples that s16 represents exactly, so that containers must give them back as is. */
static void s16_ramp(float *x, long n)
{
    long i;

    for (i = 0; i < n; i++)
        x[i] = (float)((i * 97 % 65536) - 32768) / 32768.0f;
}

static void containers_round_trip(void)
{
    static const char *const names[] = {"a.wav", "a.flac", "a.aiff", "a.au", "a.caf", "a.raw"};
    static float x[5000], y[6000];
    struct snd_err err = {0};
    size_t i;

    s16_ramp(x, 5000);
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        long n;
        CHECK(write_file(path_in(names[i]), x, 5000, 16000, SND_ENC_S16) == 0);
        n = read_file(path_in(names[i]), 16000, y, 6000, &err);
        if (n != 5000 || memcmp(x, y, sizeof x) != 0)
            printf("    %s: %ld samples back: %s\n", names[i], n, n < 0 ? err.msg : "");
        CHECK(n == 5000);
        CHECK(memcmp(x, y, sizeof x) == 0);
    }
    clear_dir();
}

static void float_and_24_bit_files(void)
{
    static float x[1000], y[1200];
    struct snd_err err = {0};
    long i;

    for (i = 0; i < 1000; i++)
        x[i] = (float)sin(i * 0.01) * 0.7f;
    CHECK(write_file(path_in("f.wav"), x, 1000, 16000, SND_ENC_F32) == 0);
    CHECK(read_file(path_in("f.wav"), 16000, y, 1200, &err) == 1000);
    CHECK(memcmp(x, y, sizeof x) == 0);
    CHECK(write_file(path_in("f.flac"), x, 1000, 16000, SND_ENC_S32) == 0); /* 24-bit */
    CHECK(read_file(path_in("f.flac"), 16000, y, 1200, &err) == 1000);
    for (i = 0; i < 1000; i++)
        CHECK_NEAR(y[i], x[i], 1.0 / (1 << 23));
    clear_dir();
}

static void files_resampled_to_working_rate(void)
{
    static float x[8000], y[20000];
    struct snd_err err = {0};
    long i, n;

    for (i = 0; i < 8000; i++)
        x[i] = (float)(0.5 * sin(2 * M_PI * 500.0 * i / 8000.0));
    CHECK(write_file(path_in("8k.wav"), x, 8000, 8000, SND_ENC_F32) == 0);
    n = read_file(path_in("8k.wav"), 16000, y, 20000, &err);
    CHECK(labs(n - 16000) <= 1);
    for (i = 4000; i < 12000; i += 501) /* away from the edges */
        CHECK_NEAR(y[i], 0.5 * sin(2 * M_PI * 500.0 * i / 16000.0), 1e-3);
    clear_dir();
}

static void raw_channels_mixed_down(void)
{
    static const unsigned char stereo[8] = {0x00, 0x40, 0x00, 0xE0, 0x00, 0x20, 0x00, 0x20};
    float y[8];
    struct snd_err err = {0};
    struct snd_pcm_fmt fmt = {16000, 2, SND_ENC_S16};
    FILE *f = fopen(path_in("st.raw"), "wb");
    struct snd_audio_in *a;

    fwrite(stereo, 1, sizeof stereo, f);
    fclose(f);
    a = snd_audio_open(path_in("st.raw"), &fmt, &err);
    CHECK(a != NULL);
    CHECK(snd_audio_read(a, y, 8, &err) == 2);
    CHECK_NEAR(y[0], (0.5 - 0.25) / 2, 0); /* 0x4000 = 0.5, 0xE000 = -0.25 */
    CHECK_NEAR(y[1], 0.25, 0);
    CHECK(snd_audio_read(a, y, 8, &err) == 0);
    snd_audio_close(a);
    clear_dir();
}

/* Interleaved stereo written as raw PCM and as WAV reads back as its mono mix. */
static void stereo_written_and_mixed_down(void)
{
    static const char *const names[] = {"st.wav", "st.raw"};
    float lr[8] = {0.5f, -0.25f, 0.25f, 0.25f, -1.0f, 0.0f, 0.125f, 0.375f}, y[8];
    struct snd_err err = {0};
    struct snd_pcm_fmt stereo = {16000, 2, SND_ENC_S16};
    size_t i;

    for (i = 0; i < 2; i++) {
        struct snd_audio_out *o = snd_audio_create(path_in(names[i]), &stereo, &err);
        struct snd_audio_in *a;
        CHECK(o != NULL && snd_audio_write(o, lr, 4, &err) == 0 && snd_audio_finish(o, &err) == 0);
        a = snd_audio_open(path_in(names[i]), &stereo, &err);
        CHECK(a != NULL);
        CHECK(snd_audio_read(a, y, 8, &err) == 4);
        CHECK_NEAR(y[0], 0.125, 0);
        CHECK_NEAR(y[1], 0.25, 0);
        CHECK_NEAR(y[2], -0.5, 0);
        CHECK_NEAR(y[3], 0.25, 0);
        snd_audio_close(a);
    }
    CHECK(snd_audio_create(path_in("x.wav"), &(struct snd_pcm_fmt){16000, 0, SND_ENC_S16}, &err) ==
          NULL);
    clear_dir();
}

static void odd_raw_length_refused(void)
{
    float y[8];
    struct snd_err err = {0};
    FILE *f = fopen(path_in("odd.raw"), "wb");

    fwrite("\x01\x02\x03", 1, 3, f);
    fclose(f);
    CHECK(read_file(path_in("odd.raw"), 16000, y, 8, &err) == -1);
    CHECK(strstr(err.msg, "odd.raw: truncated stream: 1 stray byte at") != NULL);
    clear_dir();
}

static void bad_files_refused(void)
{
    static float x[4000], y[8];
    struct snd_err err = {0};
    FILE *f;
    long size;

    CHECK(read_file(path_in("none.wav"), 16000, y, 8, &err) == -1);
    CHECK(strstr(err.msg, "none.wav: No such file or directory") != NULL);
    CHECK(read_file(harness_dir(), 16000, y, 8, &err) == -1);
    CHECK(strstr(err.msg, "is a directory") != NULL);
    fclose(fopen(path_in("empty.wav"), "w"));
    CHECK(read_file(path_in("empty.wav"), 16000, y, 8, &err) == -1);
    CHECK(strstr(err.msg, "empty.wav: empty file") != NULL);
    f = fopen(path_in("text.wav"), "w");
    fputs("this is not a sound\n", f);
    fclose(f);
    CHECK(read_file(path_in("text.wav"), 16000, y, 8, &err) == -1);
    CHECK(strstr(err.msg, "text.wav: not a readable audio file") != NULL);
    /* A WAV cut in its data chunk. */
    CHECK(write_file(path_in("cut.wav"), x, 4000, 16000, SND_ENC_S16) == 0);
    size = 44 + 3000;
    CHECK(truncate(path_in("cut.wav"), size) == 0);
    CHECK(read_file(path_in("cut.wav"), 16000, y, 8, &err) == -1);
    CHECK(strstr(err.msg, "cut.wav: truncated WAV") != NULL);
    /* A FLAC cut short. */
    CHECK(write_file(path_in("cut.flac"), x, 4000, 16000, SND_ENC_S16) == 0);
    CHECK(truncate(path_in("cut.flac"), 60) == 0);
    CHECK(read_file(path_in("cut.flac"), 16000, y, 8, &err) == -1);
    clear_dir();
}

/* snd_audio_write_pcm() passes captured integers through as they are: raw PCM byte for
 * byte, s16 and s32 into files without a round trip through floats (which keep only 24
 * bits), stereo interleaved. */
static void pcm_bytes_written_exactly(void)
{
    static const char *const names[] = {"p.wav", "p.flac", "p.raw"};
    static const enum snd_encoding encs[] = {SND_ENC_S32, SND_ENC_S16, SND_ENC_S32};
    struct snd_err err = {0};
    unsigned char bytes[4 * 2 * 300], back[4 * 2 * 300];
    int ints[2 * 300];
    short shorts[2 * 300];
    size_t i, k;

    for (k = 0; k < sizeof names / sizeof names[0]; k++) {
        struct snd_pcm_fmt fmt = {16000, 2, encs[k]};
        size_t width = snd_pcm_sample_bytes(encs[k]), n_bytes = width * 2 * 300;
        struct snd_audio_out *o;

        for (i = 0; i < n_bytes; i++)
            bytes[i] = (unsigned char)(i * 37 + 11); /* low bits set in every sample */
        o = snd_audio_create(path_in(names[k]), &fmt, &err);
        CHECK(o != NULL);
        if (o == NULL)
            continue;
        CHECK(snd_audio_write_pcm(o, bytes, 100, &err) == 0);
        CHECK(snd_audio_write_pcm(o, bytes + width * 2 * 100, 200, &err) == 0);
        CHECK(snd_audio_finish(o, &err) == 0);
        if (k == 2) {
            FILE *f = fopen(path_in(names[k]), "rb");
            CHECK(f != NULL && fread(back, 1, sizeof back, f) == n_bytes);
            CHECK(memcmp(bytes, back, n_bytes) == 0);
            if (f != NULL)
                fclose(f);
        } else {
            SF_INFO info = {0};
            SNDFILE *sf = sf_open(path_in(names[k]), SFM_READ, &info);
            CHECK(sf != NULL && info.channels == 2 && info.frames == 300);
            if (sf == NULL)
                continue;
            if (encs[k] == SND_ENC_S16) {
                CHECK(sf_readf_short(sf, shorts, 300) == 300);
                for (i = 0; i < 600; i++)
                    CHECK((unsigned short)shorts[i] == (bytes[2 * i] | bytes[2 * i + 1] << 8));
            } else {
                CHECK(sf_readf_int(sf, ints, 300) == 300);
                for (i = 0; i < 600; i++)
                    CHECK((unsigned)ints[i] ==
                          ((unsigned)bytes[4 * i] | (unsigned)bytes[4 * i + 1] << 8 |
                           (unsigned)bytes[4 * i + 2] << 16 | (unsigned)bytes[4 * i + 3] << 24));
            }
            sf_close(sf);
        }
    }
    clear_dir();
}

static void unfinished_output_leaves_nothing(void)
{
    static float x[100];
    struct snd_err err = {0};
    struct snd_pcm_fmt fmt = SND_PCM_FMT_DEFAULT;
    struct snd_audio_out *o = snd_audio_create(path_in("half.wav"), &fmt, &err);

    CHECK(o != NULL);
    CHECK(snd_audio_write(o, x, 100, &err) == 0);
    CHECK(access(path_in("half.wav"), F_OK) != 0); /* not there until finished */
    snd_audio_discard(o);
    CHECK(entries_in_dir() == 0);
    CHECK(snd_audio_create(path_in("x.mp4"), &fmt, &err) == NULL);
    CHECK(strstr(err.msg, "unknown audio file extension") != NULL);
    CHECK(snd_audio_create("/nonexistent-dir/a.wav", &fmt, &err) == NULL);
    CHECK(entries_in_dir() == 0);
}

int main(void)
{
    RUN(containers_round_trip);
    RUN(float_and_24_bit_files);
    RUN(files_resampled_to_working_rate);
    RUN(raw_channels_mixed_down);
    RUN(stereo_written_and_mixed_down);
    RUN(odd_raw_length_refused);
    RUN(bad_files_refused);
    RUN(pcm_bytes_written_exactly);
    RUN(unfinished_output_leaves_nothing);
    clear_dir();
    harness_dir_remove();
    return HARNESS_STATUS();
}
