/* winograd: the transforms of F(2x2, 3x3), with
 *
 *   B^T = | 1  0 -1  0 |    G = | 1    0    0  |    A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |        | 1/2  1/2  1/2 |          | 0  1 -1 -1 |
 *         | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
 *         | 0  1  0 -1 |        | 0    0    1  |
 *
 * Each 2-D transform is the 1-D one applied to the rows, then to the columns. */
#include "winograd.h"

#include <stdlib.h>
#include <string.h>

void snd_wino_init(struct snd_wino *g, int h, int w)
{
    g->h = h, g->w = w;
    g->th = (h + 1) / 2, g->tw = (w + 1) / 2;
    g->tiles = (long)g->th * g->tw;
}

/* 1-D transforms of 4 (or 3, or 2) values with stride s, in place into out[0..3*os]. */
static void bt4(const float *d, int s, float *out, int os)
{
    float d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s];
    out[0] = d0 - d2, out[os] = d1 + d2, out[2 * os] = d2 - d1, out[3 * os] = d1 - d3;
}

static void g3(const float *g, int s, float *out, int os)
{
    float g0 = g[0], g1 = g[s], g2 = g[2 * s];
    out[0] = g0, out[os] = 0.5f * (g0 + g1 + g2), out[2 * os] = 0.5f * (g0 - g1 + g2);
    out[3 * os] = g2;
}

static void at4(const float *m, int s, float *out, int os)
{
    float m0 = m[0], m1 = m[s], m2 = m[2 * s], m3 = m[3 * s];
    out[0] = m0 + m1 + m2, out[os] = m1 - m2 - m3;
}

static void a2(const float *y, int s, float *out, int os)
{
    float y0 = y[0], y1 = y[s];
    out[0] = y0, out[os] = y0 + y1, out[2 * os] = y0 - y1, out[3 * os] = -y1;
}

static void gt4(const float *u, int s, float *out, int os)
{
    float u0 = u[0], u1 = u[s], u2 = u[2 * s], u3 = u[3 * s];
    out[0] = u0 + 0.5f * (u1 + u2), out[os] = 0.5f * (u1 - u2), out[2 * os] = 0.5f * (u1 + u2) + u3;
}

void snd_wino_filters(const float *w, int k, int c, int flip, float *u)
{
    for (int o = 0; o < k; o++)
        for (int i = 0; i < c; i++) {
            const float *f = w + ((long)o * c + i) * 9;
            float g[9], t[12], r[16];
            for (int q = 0; q < 9; q++)
                g[q] = flip ? f[8 - q] : f[q]; /* 180 degrees: reversed in both axes */
            for (int col = 0; col < 3; col++)
                g3(g + col, 3, t + col, 3); /* G g: 4 x 3 */
            for (int row = 0; row < 4; row++)
                g3(t + 3 * row, 1, r + 4 * row, 1); /* (G g) G^T: 4 x 4 */
            long rows = flip ? c : k, cols = flip ? k : c;
            long at = flip ? (long)i * k + o : (long)o * c + i;
            for (int x = 0; x < 16; x++)
                u[x * rows * cols + at] = r[x];
        }
}

void snd_wino_input(const struct snd_wino *g, int channels, const float *x, float *v, long ld,
                    long t0)
{
    /* A copy of each channel with a border of zeros: one row and column before, two
     * after (the last tile may hang over by one), so tiles read without bounds checks. */
    int pw = 2 * g->tw + 2, ph = 2 * g->th + 2;
    float *pad = calloc((size_t)pw * ph, sizeof *pad);
    if (pad == NULL)
        abort();
    for (int c = 0; c < channels; c++) {
        const float *xc = x + (long)c * g->h * g->w;
        for (int r = 0; r < g->h; r++)
            memcpy(pad + (long)(r + 1) * pw + 1, xc + (long)r * g->w, (size_t)g->w * sizeof(float));
        float *vc = v + (long)c * ld + t0;
        long plane = (long)channels * ld;
        for (int ty = 0; ty < g->th; ty++)
            for (int tx = 0; tx < g->tw; tx++) {
                const float *d = pad + (long)(2 * ty) * pw + 2 * tx;
                float t[16], r[16];
                for (int col = 0; col < 4; col++)
                    bt4(d + col, pw, t + col, 4); /* B^T d */
                for (int row = 0; row < 4; row++)
                    bt4(t + 4 * row, 1, r + 4 * row, 1); /* (B^T d) B */
                long at = (long)ty * g->tw + tx;
                for (int q = 0; q < 16; q++)
                    vc[q * plane + at] = r[q];
            }
    }
    free(pad);
}

void snd_wino_output(const struct snd_wino *g, int channels, const float *m, long ld, long t0,
                     float *y)
{
    long plane = (long)channels * ld;
    for (int c = 0; c < channels; c++) {
        const float *mc = m + (long)c * ld + t0;
        float *yc = y + (long)c * g->h * g->w;
        for (int ty = 0; ty < g->th; ty++)
            for (int tx = 0; tx < g->tw; tx++) {
                long at = (long)ty * g->tw + tx;
                float a[16], t[8], o[4];
                for (int q = 0; q < 16; q++)
                    a[q] = mc[q * plane + at];
                for (int col = 0; col < 4; col++)
                    at4(a + col, 4, t + col, 4); /* A^T m: 2 x 4 */
                for (int row = 0; row < 2; row++)
                    at4(t + 4 * row, 1, o + 2 * row, 1); /* (A^T m) A: 2 x 2 */
                int r0 = 2 * ty, c0 = 2 * tx;
                for (int i = 0; i < 2 && r0 + i < g->h; i++)
                    for (int j = 0; j < 2 && c0 + j < g->w; j++)
                        yc[(long)(r0 + i) * g->w + c0 + j] = o[2 * i + j];
            }
    }
}

void snd_wino_outgrad(const struct snd_wino *g, int channels, const float *dy, float *z, long ld,
                      long t0)
{
    long plane = (long)channels * ld;
    for (int c = 0; c < channels; c++) {
        const float *dc = dy + (long)c * g->h * g->w;
        float *zc = z + (long)c * ld + t0;
        for (int ty = 0; ty < g->th; ty++)
            for (int tx = 0; tx < g->tw; tx++) {
                float e[4] = {0, 0, 0, 0}, t[8], r[16];
                int r0 = 2 * ty, c0 = 2 * tx;
                for (int i = 0; i < 2 && r0 + i < g->h; i++)
                    for (int j = 0; j < 2 && c0 + j < g->w; j++)
                        e[2 * i + j] = dc[(long)(r0 + i) * g->w + c0 + j];
                for (int col = 0; col < 2; col++)
                    a2(e + col, 2, t + col, 2); /* A e: 4 x 2 */
                for (int row = 0; row < 4; row++)
                    a2(t + 2 * row, 1, r + 4 * row, 1); /* (A e) A^T: 4 x 4 */
                long at = (long)ty * g->tw + tx;
                for (int q = 0; q < 16; q++)
                    zc[q * plane + at] = r[q];
            }
    }
}

void snd_wino_filter_grad(const float *du, int k, int c, float *dw)
{
    long plane = (long)k * c;
    for (long oc = 0; oc < plane; oc++) {
        float a[16], t[12], r[9];
        for (int q = 0; q < 16; q++)
            a[q] = du[q * plane + oc];
        for (int col = 0; col < 4; col++)
            gt4(a + col, 4, t + col, 4); /* G^T du: 3 x 4 */
        for (int row = 0; row < 3; row++)
            gt4(t + 4 * row, 1, r + 3 * row, 1); /* (G^T du) G: 3 x 3 */
        for (int q = 0; q < 9; q++)
            dw[oc * 9 + q] += r[q];
    }
}
