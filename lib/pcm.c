/* pcm: conversion between raw little-endian samples and floats. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "pcm.h"

static const char *const encoding_names[] = {"s16", "s32", "f32"};

int snd_pcm_parse_encoding(const char *s, enum snd_encoding *enc, struct snd_err *err)
{
    int i;

    for (i = 0; i < 3; i++) {
        if (strcmp(s, encoding_names[i]) == 0) {
            *enc = (enum snd_encoding)i;
            return 0;
        }
    }
    return snd_fail(err, "unknown encoding '%s' (expected s16, s32 or f32)", s);
}

const char *snd_pcm_encoding_name(enum snd_encoding enc)
{
    return encoding_names[enc];
}

size_t snd_pcm_sample_bytes(enum snd_encoding enc)
{
    return enc == SND_ENC_S16 ? 2 : 4;
}

static uint32_t load_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

void snd_pcm_decode(float *out, const unsigned char *in, size_t n, enum snd_encoding enc)
{
    size_t i;

    switch (enc) {
    case SND_ENC_S16:
        for (i = 0; i < n; i++) {
            int16_t v = (int16_t)(uint16_t)(in[2 * i] | in[2 * i + 1] << 8);
            out[i] = (float)v * (1.0f / 32768.0f);
        }
        break;
    case SND_ENC_S32:
        for (i = 0; i < n; i++)
            out[i] = (float)((double)(int32_t)load_le32(in + 4 * i) * (1.0 / 2147483648.0));
        break;
    case SND_ENC_F32:
        for (i = 0; i < n; i++) {
            uint32_t bits = load_le32(in + 4 * i);
            memcpy(&out[i], &bits, sizeof bits);
        }
        break;
    }
}

/* Round to nearest and clip; NaN becomes 0 rather than undefined behaviour. */
static int64_t scale_clip(float x, double scale, int64_t lo, int64_t hi)
{
    double v = (double)x * scale;

    if (!(v == v))
        return 0;
    if (v <= (double)lo)
        return lo;
    if (v >= (double)hi)
        return hi;
    return (int64_t)lrint(v);
}

void snd_pcm_encode(unsigned char *out, const float *in, size_t n, enum snd_encoding enc)
{
    size_t i;

    switch (enc) {
    case SND_ENC_S16:
        for (i = 0; i < n; i++) {
            uint16_t v = (uint16_t)(int16_t)scale_clip(in[i], 32768.0, INT16_MIN, INT16_MAX);
            out[2 * i] = (unsigned char)v;
            out[2 * i + 1] = (unsigned char)(v >> 8);
        }
        break;
    case SND_ENC_S32:
        for (i = 0; i < n; i++)
            store_le32(out + 4 * i,
                       (uint32_t)(int32_t)scale_clip(in[i], 2147483648.0, INT32_MIN, INT32_MAX));
        break;
    case SND_ENC_F32:
        for (i = 0; i < n; i++) {
            uint32_t bits;
            memcpy(&bits, &in[i], sizeof bits);
            store_le32(out + 4 * i, bits);
        }
        break;
    }
}

void snd_pcm_to_s16(short *out, const float *in, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        out[i] = (short)scale_clip(in[i], 32768.0, INT16_MIN, INT16_MAX);
}

void snd_pcm_to_s32(int *out, const float *in, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        out[i] = (int)scale_clip(in[i], 2147483648.0, INT32_MIN, INT32_MAX);
}

size_t snd_pcm_first_nonfinite(const float *x, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return i;
    return n;
}
