/* pcm: raw interleaved little-endian samples, the toolkit's audio on pipes. */
#ifndef SND_PCM_H
#define SND_PCM_H

#include <stddef.h>

#include "err.h"

enum snd_encoding { SND_ENC_S16, SND_ENC_S32, SND_ENC_F32 };

/* The shape of a raw PCM stream: no header says it, so every tool takes -r, -c, -e. */
struct snd_pcm_fmt {
    int rate_hz;
    int channels;
    enum snd_encoding enc;
};

/* The toolkit's defaults (DESIGN.md): 16 kHz, mono, signed 16-bit. */
#define SND_PCM_FMT_DEFAULT                                                                        \
    {                                                                                              \
        16000, 1, SND_ENC_S16                                                                      \
    }

/* Highest rate and channel count a tool accepts: beyond them an option is a typo. */
#define SND_PCM_MAX_RATE_HZ 768000
#define SND_PCM_MAX_CHANNELS 64

/* Parse "s16", "s32" or "f32". Returns 0, or -1 with err. */
int snd_pcm_parse_encoding(const char *s, enum snd_encoding *enc, struct snd_err *err);

/* The encoding's name as snd_pcm_parse_encoding() reads it. Cannot fail. */
const char *snd_pcm_encoding_name(enum snd_encoding enc);

/* Bytes in one sample of enc: 2 or 4. */
size_t snd_pcm_sample_bytes(enum snd_encoding enc);

/* Decode n little-endian samples into floats in [-1, 1): integers are divided by 2^15 or
 * 2^31, floats are copied. Non-finite floats are copied too; callers that cannot use
 * them check with snd_pcm_first_nonfinite(). */
void snd_pcm_decode(float *out, const unsigned char *in, size_t n, enum snd_encoding enc);

/* Encode n floats as little-endian samples. Integers are scaled by 2^15 or 2^31, rounded
 * to nearest and clipped to their range, so decode then encode gives the same bytes. */
void snd_pcm_encode(unsigned char *out, const float *in, size_t n, enum snd_encoding enc);

/* Convert n floats to native integers with the scaling, rounding and clipping of
 * snd_pcm_encode(): for writers (libsndfile) that take integers. */
void snd_pcm_to_s16(short *out, const float *in, size_t n);
void snd_pcm_to_s32(int *out, const float *in, size_t n);

/* Index of the first NaN or infinity in x[0..n), or n when every value is finite. */
size_t snd_pcm_first_nonfinite(const float *x, size_t n);

#endif
