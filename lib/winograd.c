/* winograd: the transforms of F(2x2, 3x3) and F(4x4, 3x3). Each 2-D transform is the
 * 1-D one applied down the columns, then along the rows; the transforms of images run
 * along a row of tiles at a time, several tiles side by side in the lanes of a vector: the
 * rows a tile row reads are first split by column modulo m, so that the same column of
 * neighbouring tiles lies at consecutive addresses. */
#include "winograd.h"

#include <string.h>

#define M 4 /* F(4x4, 3x3): outputs of a tile along each axis */
#define N 6 /* and its inputs */

void snd_wino_init(struct snd_wino *g, int h, int w, int m)
{
    g->m = m, g->planes = (m + 2) * (m + 2);
    g->h = h, g->w = w;
    g->th = (h + m - 1) / m, g->tw = (w + m - 1) / m;
    g->tiles = (long)g->th * g->tw;
}

long snd_wino_scratch(const struct snd_wino *g)
{
    /* The input transform's split rows are the most: m th + 2 rows, each split into m
     * phases of tw + 1; the output and gradient transforms hold m x m rows of tw. */
    return (long)g->m * (g->m * g->th + 2) * (g->tw + 1);
}

long snd_wino_plane(int channels, long ld)
{
    long p = (long)channels * ld;
    return p + (64 - p % 1024 + 1024) % 1024;
}

/* Four lanes of floats, as GCC and Clang both spell vectors; loads and stores go through
 * memcpy so that nothing needs to be aligned. */
typedef float v4 __attribute__((vector_size(16)));

static v4 ld4(const float *p)
{
    v4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void st4(float *p, v4 v)
{
    memcpy(p, &v, sizeof v);
}

static float ld1(const float *p)
{
    return *p;
}

static void st1(float *p, float v)
{
    *p = v;
}

/* ---- F(2x2, 3x3) ------------------------------------------------------------------
 *
 *   B^T = | 1  0 -1  0 |    G = | 1    0    0  |    A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |        | 1/2  1/2  1/2 |          | 0  1 -1 -1 |
 *         | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
 *         | 0  1  0 -1 |        | 0    0    1  |
 */

#define FB 16 /* filters transformed at a time, one per lane */

/* 1-D transform of 4 values with stride s, into out[0..2*os]. */
static void gt4(const float *u, int s, float *out, int os)
{
    float u0 = u[0], u1 = u[s], u2 = u[2 * s], u3 = u[3 * s];
    out[0] = u0 + 0.5f * (u1 + u2), out[os] = 0.5f * (u1 - u2), out[2 * os] = 0.5f * (u1 + u2) + u3;
}

/* Filters go FB at a time, neighbours in their planes, in lanes the compiler vectorises:
 * each lane applies G to the filter's columns, then to the rows of the result, and the 16
 * planes are written in order, not one value at a time across all 16. */

static void f2_filters(const float *w, int k, int c, int flip, float *u)
{
    long rows = flip ? c : k, cols = flip ? k : c, plane = rows * cols;
    for (long r = 0; r < rows; r++)
        for (long q0 = 0; q0 < cols; q0 += FB) {
            int nb = cols - q0 < FB ? (int)(cols - q0) : FB;
            float g[9][FB] = {{0}}, t[12][FB], x[16][FB];
            for (int b = 0; b < nb; b++) {
                long o = flip ? q0 + b : r, i = flip ? r : q0 + b;
                const float *f = w + (o * c + i) * 9;
                for (int q = 0; q < 9; q++)
                    g[q][b] = flip ? f[8 - q] : f[q]; /* 180 degrees: reversed in both axes */
            }
            for (int col = 0; col < 3; col++) /* G g: 4 x 3 */
                for (int b = 0; b < FB; b++) {
                    float g0 = g[col][b], g1 = g[3 + col][b], g2 = g[6 + col][b];
                    t[col][b] = g0, t[3 + col][b] = 0.5f * (g0 + g1 + g2);
                    t[6 + col][b] = 0.5f * (g0 - g1 + g2), t[9 + col][b] = g2;
                }
            for (int row = 0; row < 4; row++) /* (G g) G^T: 4 x 4 */
                for (int b = 0; b < FB; b++) {
                    float g0 = t[3 * row][b], g1 = t[3 * row + 1][b], g2 = t[3 * row + 2][b];
                    x[4 * row][b] = g0, x[4 * row + 1][b] = 0.5f * (g0 + g1 + g2);
                    x[4 * row + 2][b] = 0.5f * (g0 - g1 + g2), x[4 * row + 3][b] = g2;
                }
            for (int p = 0; p < 16; p++)
                memcpy(u + p * plane + r * cols + q0, x[p], (size_t)nb * sizeof(float));
        }
}

/* The transforms run along a row of tiles at a time: the rows they read are split into
 * even and odd columns, and the 16 results go to their planes through one
 * restrict-qualified pointer each, so that the loops over tiles touch arrays the compiler
 * knows apart, at consecutive addresses, and vectorise (this file is built with -O3 for that). */

/* Row r of a channel (zero outside the image), split: e[i] = row[2i - 1], o[i] = row[2i],
 * i = 0..n-1: the columns a tile at i reads are e[i], o[i], e[i + 1], o[i + 1]. */
static void split_row_2(const float *xc, int h, int w, int r, float *restrict e, float *restrict o,
                        int n)
{
    memset(e, 0, (size_t)n * sizeof *e);
    memset(o, 0, (size_t)n * sizeof *o);
    if (r < 0 || r >= h)
        return;
    const float *row = xc + (long)r * w;
    for (int i = 1; 2 * i - 1 < w && i < n; i++)
        e[i] = row[2 * i - 1];
    for (int i = 0; 2 * i < w && i < n; i++)
        o[i] = row[2 * i];
}

/* B^T d B of one tile, for four tiles side by side (T = v4) or one (T = float): column j
 * of the tile at tx is e[tx], o[tx], e[tx + 1], o[tx + 1] of d's rows. */
#define INPUT_TILE2(T, LD, ST)                                                                     \
    do {                                                                                           \
        T e0a = LD(e0 + tx), o0a = LD(o0 + tx), e0b = LD(e0 + tx + 1), o0b = LD(o0 + tx + 1);      \
        T e1a = LD(e1 + tx), o1a = LD(o1 + tx), e1b = LD(e1 + tx + 1), o1b = LD(o1 + tx + 1);      \
        T e2a = LD(e2 + tx), o2a = LD(o2 + tx), e2b = LD(e2 + tx + 1), o2b = LD(o2 + tx + 1);      \
        T e3a = LD(e3 + tx), o3a = LD(o3 + tx), e3b = LD(e3 + tx + 1), o3b = LD(o3 + tx + 1);      \
        T t[4][4] = {{e0a - e2a, o0a - o2a, e0b - e2b, o0b - o2b},                                 \
                     {e1a + e2a, o1a + o2a, e1b + e2b, o1b + o2b},                                 \
                     {e2a - e1a, o2a - o1a, e2b - e1b, o2b - o1b},                                 \
                     {e1a - e3a, o1a - o3a, e1b - e3b, o1b - o3b}};                                \
        float *o = out + tx;                                                                       \
        for (int i = 0; i < 4; i++) {                                                              \
            ST(o + (4 * i + 0) * plane, t[i][0] - t[i][2]);                                        \
            ST(o + (4 * i + 1) * plane, t[i][1] + t[i][2]);                                        \
            ST(o + (4 * i + 2) * plane, t[i][2] - t[i][1]);                                        \
            ST(o + (4 * i + 3) * plane, t[i][1] - t[i][3]);                                        \
        }                                                                                          \
    } while (0)

/* B^T d B for the tw tiles of one row: d's rows a = 0..3 are e[a], o[a]. */
static void input_tiles_2(const float *e0, const float *o0, const float *e1, const float *o1,
                          const float *e2, const float *o2, const float *e3, const float *o3,
                          float *out, long plane, int tw)
{
    int tx = 0;
    for (; tx + 4 <= tw; tx += 4)
        INPUT_TILE2(v4, ld4, st4);
    for (; tx < tw; tx++)
        INPUT_TILE2(float, ld1, st1);
}

static void f2_input(const struct snd_wino *g, int channels, const float *x, float *v, long ld,
                     long t0, float *buf)
{
    /* Each channel's rows -1 .. 2 th (the tiles' reach, zero outside), split once; tile
     * row ty reads split rows 2 ty .. 2 ty + 3. */
    int tw = g->tw, n = tw + 1, rows = 2 * g->th + 2;
    long plane = snd_wino_plane(channels, ld);
    for (int c = 0; c < channels; c++) {
        const float *xc = x + (long)c * g->h * g->w;
        for (int r = 0; r < rows; r++)
            split_row_2(xc, g->h, g->w, r - 1, buf + 2L * r * n, buf + (2L * r + 1) * n, n);
        for (int ty = 0; ty < g->th; ty++) {
            const float *b = buf + 2L * (2 * ty) * n;
            input_tiles_2(b, b + n, b + 2 * n, b + 3 * n, b + 4 * n, b + 5 * n, b + 6 * n,
                          b + 7 * n, v + (long)c * ld + t0 + (long)ty * tw, plane, tw);
        }
    }
}

/* A^T m A for the tw tiles of one row, m's 16 planes side by side in in (16 x tw). */
static void output_tiles_2(const float *in, long plane, float *restrict o00, float *restrict o01,
                           float *restrict o10, float *restrict o11, int tw)
{
    for (int tx = 0; tx < tw; tx++) {
        const float *a = in + tx;
        float t00 = a[0] + a[4 * plane] + a[8 * plane];
        float t01 = a[plane] + a[5 * plane] + a[9 * plane];
        float t02 = a[2 * plane] + a[6 * plane] + a[10 * plane];
        float t03 = a[3 * plane] + a[7 * plane] + a[11 * plane];
        float t10 = a[4 * plane] - a[8 * plane] - a[12 * plane];
        float t11 = a[5 * plane] - a[9 * plane] - a[13 * plane];
        float t12 = a[6 * plane] - a[10 * plane] - a[14 * plane];
        float t13 = a[7 * plane] - a[11 * plane] - a[15 * plane];
        o00[tx] = t00 + t01 + t02, o01[tx] = t01 - t02 - t03;
        o10[tx] = t10 + t11 + t12, o11[tx] = t11 - t12 - t13;
    }
}

static void f2_output(const struct snd_wino *g, int channels, const float *m, long ld, long t0,
                      float *y, float *buf)
{
    int tw = g->tw;
    long plane = snd_wino_plane(channels, ld);
    float *o[4] = {buf, buf + tw, buf + 2 * tw, buf + 3 * tw};
    for (int c = 0; c < channels; c++) {
        float *yc = y + (long)c * g->h * g->w;
        for (int ty = 0; ty < g->th; ty++) {
            output_tiles_2(m + (long)c * ld + t0 + (long)ty * tw, plane, o[0], o[1], o[2], o[3],
                           tw);
            for (int i = 0; i < 2 && 2 * ty + i < g->h; i++) {
                float *row = yc + (long)(2 * ty + i) * g->w;
                const float *even = o[2 * i], *odd = o[2 * i + 1];
                for (int col = 0; 2 * col < g->w; col++)
                    row[2 * col] = even[col];
                for (int col = 0; 2 * col + 1 < g->w; col++)
                    row[2 * col + 1] = odd[col];
            }
        }
    }
}

/* A e A^T for the tw tiles of one row: e's two rows split into even and odd columns. */
/* A e A^T of one tile, for four tiles side by side or one: e's rows split in even and odd
 * columns. A e has rows e0, e0 + e1, e0 - e1, -e1; (A e) A^T turns each row (p, q) into
 * p, p + q, p - q, -q. */
#define OUTGRAD_TILE2(T, LD, ST)                                                                   \
    do {                                                                                           \
        T a0 = LD(e0 + tx), b0 = LD(o0 + tx), a1 = LD(e1 + tx), b1 = LD(o1 + tx);                  \
        T u[4][2] = {{a0, b0}, {a0 + a1, b0 + b1}, {a0 - a1, b0 - b1}, {-a1, -b1}};                \
        float *o = out + tx;                                                                       \
        for (int i = 0; i < 4; i++) {                                                              \
            ST(o + (4 * i + 0) * plane, u[i][0]);                                                  \
            ST(o + (4 * i + 1) * plane, u[i][0] + u[i][1]);                                        \
            ST(o + (4 * i + 2) * plane, u[i][0] - u[i][1]);                                        \
            ST(o + (4 * i + 3) * plane, -u[i][1]);                                                 \
        }                                                                                          \
    } while (0)

static void outgrad_tiles_2(const float *e0, const float *o0, const float *e1, const float *o1,
                            float *out, long plane, int tw)
{
    int tx = 0;
    for (; tx + 4 <= tw; tx += 4)
        OUTGRAD_TILE2(v4, ld4, st4);
    for (; tx < tw; tx++)
        OUTGRAD_TILE2(float, ld1, st1);
}

static void f2_outgrad(const struct snd_wino *g, int channels, const float *dy, float *z, long ld,
                       long t0, float *buf)
{
    int tw = g->tw;
    long plane = snd_wino_plane(channels, ld);
    for (int c = 0; c < channels; c++) {
        const float *dc = dy + (long)c * g->h * g->w;
        for (int ty = 0; ty < g->th; ty++) {
            /* The rows a tile of outputs covers, split; shifted by one column against
             * split_row_2, since output tiles start at even columns. */
            float *eo[4] = {buf, buf + tw, buf + 2 * tw, buf + 3 * tw};
            for (int i = 0; i < 2; i++) {
                int r = 2 * ty + i;
                float *e = eo[2 * i], *o = eo[2 * i + 1];
                memset(e, 0, (size_t)tw * sizeof *e);
                memset(o, 0, (size_t)tw * sizeof *o);
                if (r >= g->h)
                    continue;
                const float *row = dc + (long)r * g->w;
                for (int tx = 0; 2 * tx < g->w; tx++)
                    e[tx] = row[2 * tx];
                for (int tx = 0; 2 * tx + 1 < g->w; tx++)
                    o[tx] = row[2 * tx + 1];
            }
            outgrad_tiles_2(eo[0], eo[1], eo[2], eo[3], z + (long)c * ld + t0 + (long)ty * tw,
                            plane, tw);
        }
    }
}

static void f2_filter_grad(const float *du, int k, int c, float *dw)
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

/* ---- F(4x4, 3x3), interpolation points 0, 1, -1, 2, -2, infinity ----------------------
 *
 *   B^T = | 4  0 -5  0  1  0 |   G = |  1/4     0     0   |   A^T = | 1  1  1  1  1  0 |
 *         | 0 -4 -4  1  1  0 |       | -1/6  -1/6  -1/6   |         | 0  1 -1  2 -2  0 |
 *         | 0  4 -4 -1  1  0 |       | -1/6   1/6  -1/6   |         | 0  1  1  4  4  0 |
 *         | 0 -2 -1  2  1  0 |       |  1/24  1/12  1/6   |         | 0  1 -1  8 -8  1 |
 *         | 0  2 -1 -2  1  0 |       |  1/24 -1/12  1/6   |
 *         | 0  4  0 -5  0  1 |       |  0     0     1     |
 */

/* The 1-D transforms, for one value (S = f) or four side by side (S = v):
 *   input   B^T d: 6 -> 6      output  A^T m: 6 -> 4     filter   G g: 3 -> 6
 *   output gradient A y: 4 -> 6 (A^T's transpose)        filter gradient G^T u: 6 -> 3 */
#define DEFINE_1D(T, S)                                                                            \
    static inline void bt_##S(const T *d, T *o)                                                    \
    {                                                                                              \
        T a = d[4] - 4 * d[2], b = d[3] - 4 * d[1], c = d[4] - d[2], e = 2 * (d[3] - d[1]);        \
        o[0] = 4 * d[0] - 5 * d[2] + d[4], o[1] = a + b, o[2] = a - b, o[3] = c + e, o[4] = c - e; \
        o[5] = 4 * d[1] - 5 * d[3] + d[5];                                                         \
    }                                                                                              \
    static inline void at_##S(const T *m, T *o)                                                    \
    {                                                                                              \
        T p = m[1] + m[2], q = m[1] - m[2], r = m[3] + m[4], s = m[3] - m[4];                      \
        o[0] = m[0] + p + r, o[1] = q + 2 * s, o[2] = p + 4 * r, o[3] = q + 8 * s + m[5];          \
    }                                                                                              \
    static inline void a_##S(const T *y, T *o)                                                     \
    {                                                                                              \
        T p = y[0] + y[2], q = y[1] + y[3], r = y[0] + 4 * y[2], s = 2 * y[1] + 8 * y[3];          \
        o[0] = y[0], o[1] = p + q, o[2] = p - q, o[3] = r + s, o[4] = r - s, o[5] = y[3];          \
    }

DEFINE_1D(float, f)
DEFINE_1D(v4, v)

/* G's and G^T's sixths and twenty-fourths as multiplications: a division is many times
 * slower. The filter transforms run on FB filters at a time, one per lane: G g and G^T u
 * of in[i][0..FB-1], written out so that the loops over lanes vectorise. */
static const float SIXTH = 1.0f / 6, TWELFTH = 1.0f / 12, TWENTYFOURTH = 1.0f / 24;

static void g_lanes(float (*in)[FB], float (*out)[FB])
{
    for (int b = 0; b < FB; b++) {
        float g0 = in[0][b], g1 = in[1][b], g2 = in[2][b], p = g0 + g2;
        out[0][b] = g0 * 0.25f, out[1][b] = -(p + g1) * SIXTH, out[2][b] = -(p - g1) * SIXTH;
        out[3][b] = g0 * TWENTYFOURTH + g1 * TWELFTH + g2 * SIXTH;
        out[4][b] = g0 * TWENTYFOURTH - g1 * TWELFTH + g2 * SIXTH, out[5][b] = g2;
    }
}

static void gt_lanes(float (*in)[FB], float (*out)[FB])
{
    for (int b = 0; b < FB; b++) {
        float p = in[1][b] + in[2][b], q = in[2][b] - in[1][b];
        float r = in[3][b] + in[4][b], s = in[3][b] - in[4][b];
        out[0][b] = in[0][b] * 0.25f - p * SIXTH + r * TWENTYFOURTH;
        out[1][b] = q * SIXTH + s * TWELFTH, out[2][b] = (r - p) * SIXTH + in[5][b];
    }
}

/* Filters go FB at a time, neighbours in their planes; the N * N planes are then written a
 * run of FB values at a time, not one value at a time across all of them. */
static void f4_filters(const float *w, int k, int c, int flip, float *u)
{
    long rows = flip ? c : k, cols = flip ? k : c, plane = rows * cols;
    for (long r = 0; r < rows; r++)
        for (long q0 = 0; q0 < cols; q0 += FB) {
            int nb = cols - q0 < FB ? (int)(cols - q0) : FB;
            float g[3][3][FB] = {{{0}}}, col[3][FB], out[N][FB], t[N][3][FB], x[N][N][FB];
            for (int b = 0; b < nb; b++) {
                long o = flip ? q0 + b : r, i = flip ? r : q0 + b;
                const float *f = w + (o * c + i) * 9;
                for (int p = 0; p < 9; p++) /* flip: 180 degrees, reversed in both axes */
                    g[p / 3][p % 3][b] = flip ? f[8 - p] : f[p];
            }
            for (int j = 0; j < 3; j++) { /* G g: N x 3, a column at a time */
                for (int i = 0; i < 3; i++)
                    memcpy(col[i], g[i][j], sizeof col[i]);
                g_lanes(col, out);
                for (int a = 0; a < N; a++)
                    memcpy(t[a][j], out[a], sizeof out[a]);
            }
            for (int a = 0; a < N; a++) /* (G g) G^T: N x N */
                g_lanes(t[a], x[a]);
            for (int a = 0; a < N; a++)
                for (int j = 0; j < N; j++)
                    memcpy(u + (N * a + j) * plane + r * cols + q0, x[a][j],
                           (size_t)nb * sizeof(float));
        }
}

/* Row r of a channel (zero outside the image), split by column modulo 4: p[k][i] =
 * row[4i + k - 1], i = 0..n-1; the columns a tile at i reads are p[0..3][i], p[0..1][i + 1]. */
static void split_row(const float *xc, int h, int w, int r, float *restrict p, int n)
{
    memset(p, 0, 4 * (size_t)n * sizeof *p);
    if (r < 0 || r >= h)
        return;
    const float *row = xc + (long)r * w;
    for (int k = 0; k < 4; k++)
        for (int i = k == 0 ? 1 : 0; i < n && 4 * i + k - 1 < w; i++)
            p[k * n + i] = row[4 * i + k - 1];
}

/* The 2-D transform of the tile at tx, or of the four from tx (T = v4): FN, a 1-D
 * transform of NI values into NO, is applied down each column of the NI x NI tile (whose
 * value at row a, column j is at IN(a, j)), then along each row of the result; the NO x NO
 * outcome's value at row a, column j goes to OUT(a, j). */
#define TILE_2D(T, FN, NI, NO, IN, OUT, LD, ST)                                                    \
    do {                                                                                           \
        T t_[NO][NI], d_[NI], o_[NO];                                                              \
        for (int j = 0; j < NI; j++) {                                                             \
            for (int a = 0; a < NI; a++)                                                           \
                d_[a] = LD(IN(a, j));                                                              \
            FN(d_, o_);                                                                            \
            for (int a = 0; a < NO; a++)                                                           \
                t_[a][j] = o_[a];                                                                  \
        }                                                                                          \
        for (int a = 0; a < NO; a++) {                                                             \
            FN(t_[a], o_);                                                                         \
            for (int j = 0; j < NO; j++)                                                           \
                ST(OUT(a, j), o_[j]);                                                              \
        }                                                                                          \
    } while (0)

/* Where tiles read and write: plane N a + j of an array of tiles; column j of split row a
 * (rows[a], as split_row makes it); column k of output row a (out[a][k], tw apart). */
#define IN_PLANE(a, j) (in + (N * (a) + (j)) * plane + tx)
#define OUT_PLANE(a, j) (out + (N * (a) + (j)) * plane + tx)
#define IN_SPLIT(a, j) (rows[a] + ((j) % 4) * n + tx + (j) / 4)
#define IN_ROWS(a, k) (in + ((a)*M + (k)) * tw + tx)
#define OUT_ROWS(a, k) (out + ((a)*M + (k)) * tw + tx)

/* B^T d B: rows[a] is the split row a of the six the tiles read. */
static void input_tiles(const float *const *rows, int n, float *out, long plane, int tw)
{
    int tx = 0;
    for (; tx + 4 <= tw; tx += 4)
        TILE_2D(v4, bt_v, N, N, IN_SPLIT, OUT_PLANE, ld4, st4);
    for (; tx < tw; tx++)
        TILE_2D(float, bt_f, N, N, IN_SPLIT, OUT_PLANE, ld1, st1);
}

static void f4_input(const struct snd_wino *g, int channels, const float *x, float *v, long ld,
                     long t0, float *buf)
{
    /* Each channel's rows -1 .. 4 th (the tiles' reach, zero outside), split once; tile
     * row ty reads split rows 4 ty .. 4 ty + 5. */
    int tw = g->tw, n = tw + 1, nrows = M * g->th + 2;
    long plane = snd_wino_plane(channels, ld);
    for (int c = 0; c < channels; c++) {
        const float *xc = x + (long)c * g->h * g->w;
        for (int r = 0; r < nrows; r++)
            split_row(xc, g->h, g->w, r - 1, buf + 4L * r * n, n);
        for (int ty = 0; ty < g->th; ty++) {
            const float *rows[N];
            for (int a = 0; a < N; a++)
                rows[a] = buf + 4L * (M * ty + a) * n;
            input_tiles(rows, n, v + (long)c * ld + t0 + (long)ty * tw, plane, tw);
        }
    }
}

/* A^T m A: out[a][k][tx] is column 4 tx + k of the tile row's output row a. */
static void output_tiles(const float *in, long plane, float *restrict out, int tw)
{
    int tx = 0;
    for (; tx + 4 <= tw; tx += 4)
        TILE_2D(v4, at_v, N, M, IN_PLANE, OUT_ROWS, ld4, st4);
    for (; tx < tw; tx++)
        TILE_2D(float, at_f, N, M, IN_PLANE, OUT_ROWS, ld1, st1);
}

static void f4_output(const struct snd_wino *g, int channels, const float *m, long ld, long t0,
                      float *y, float *buf)
{
    int tw = g->tw;
    long plane = snd_wino_plane(channels, ld);
    for (int c = 0; c < channels; c++) {
        float *yc = y + (long)c * g->h * g->w;
        for (int ty = 0; ty < g->th; ty++) {
            output_tiles(m + (long)c * ld + t0 + (long)ty * tw, plane, buf, tw);
            for (int a = 0; a < M && M * ty + a < g->h; a++) {
                float *row = yc + (long)(M * ty + a) * g->w;
                for (int k = 0; k < M; k++) {
                    const float *part = buf + (a * M + k) * tw;
                    for (int tx = 0; M * tx + k < g->w; tx++)
                        row[M * tx + k] = part[tx];
                }
            }
        }
    }
}

/* A y A^T: in[a][k][tx] is column 4 tx + k of the tile row's output gradient row a. */
static void outgrad_tiles(const float *in, float *out, long plane, int tw)
{
    int tx = 0;
    for (; tx + 4 <= tw; tx += 4)
        TILE_2D(v4, a_v, M, N, IN_ROWS, OUT_PLANE, ld4, st4);
    for (; tx < tw; tx++)
        TILE_2D(float, a_f, M, N, IN_ROWS, OUT_PLANE, ld1, st1);
}

static void f4_outgrad(const struct snd_wino *g, int channels, const float *dy, float *z, long ld,
                       long t0, float *buf)
{
    int tw = g->tw;
    long plane = snd_wino_plane(channels, ld);
    for (int c = 0; c < channels; c++) {
        const float *dc = dy + (long)c * g->h * g->w;
        for (int ty = 0; ty < g->th; ty++) {
            /* The rows a tile row of outputs covers, split by column modulo 4 (output
             * tiles start at multiples of 4: no offset, unlike split_row). */
            memset(buf, 0, M * M * (size_t)tw * sizeof *buf);
            for (int a = 0; a < M && M * ty + a < g->h; a++) {
                const float *row = dc + (long)(M * ty + a) * g->w;
                for (int k = 0; k < M; k++) {
                    float *part = buf + (a * M + k) * tw;
                    for (int tx = 0; M * tx + k < g->w; tx++)
                        part[tx] = row[M * tx + k];
                }
            }
            outgrad_tiles(buf, z + (long)c * ld + t0 + (long)ty * tw, plane, tw);
        }
    }
}

static void f4_filter_grad(const float *du, int k, int c, float *dw)
{
    long plane = (long)k * c;
    for (long oc0 = 0; oc0 < plane; oc0 += FB) {
        int nb = plane - oc0 < FB ? (int)(plane - oc0) : FB;
        float a[N][N][FB] = {{{0}}}, col[N][FB], out[3][FB], t[3][N][FB], r[3][3][FB];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                memcpy(a[i][j], du + (N * i + j) * plane + oc0, (size_t)nb * sizeof(float));
        for (int j = 0; j < N; j++) { /* G^T du: 3 x N, a column at a time */
            for (int i = 0; i < N; i++)
                memcpy(col[i], a[i][j], sizeof col[i]);
            gt_lanes(col, out);
            for (int i = 0; i < 3; i++)
                memcpy(t[i][j], out[i], sizeof out[i]);
        }
        for (int i = 0; i < 3; i++) /* (G^T du) G: 3 x 3 */
            gt_lanes(t[i], r[i]);
        for (int b = 0; b < nb; b++)
            for (int q = 0; q < 9; q++)
                dw[(oc0 + b) * 9 + q] += r[q / 3][q % 3][b];
    }
}

/* ---- either ------------------------------------------------------------------------- */

void snd_wino_filters(const struct snd_wino *g, const float *w, int k, int c, int flip, float *u)
{
    (g->m == 4 ? f4_filters : f2_filters)(w, k, c, flip, u);
}

void snd_wino_input(const struct snd_wino *g, int channels, const float *x, float *v, long ld,
                    long t0, float *scratch)
{
    (g->m == 4 ? f4_input : f2_input)(g, channels, x, v, ld, t0, scratch);
}

void snd_wino_output(const struct snd_wino *g, int channels, const float *m, long ld, long t0,
                     float *y, float *scratch)
{
    (g->m == 4 ? f4_output : f2_output)(g, channels, m, ld, t0, y, scratch);
}

void snd_wino_outgrad(const struct snd_wino *g, int channels, const float *dy, float *z, long ld,
                      long t0, float *scratch)
{
    (g->m == 4 ? f4_outgrad : f2_outgrad)(g, channels, dy, z, ld, t0, scratch);
}

void snd_wino_filter_grad(const struct snd_wino *g, const float *du, int k, int c, float *dw)
{
    (g->m == 4 ? f4_filter_grad : f2_filter_grad)(du, k, c, dw);
}
