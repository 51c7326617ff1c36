/* Winograd's F(2x2, 3x3) and F(4x4, 3x3) against the convolution written out, sum by sum: outputs,
 * input gradients and weight gradients, on images of odd and even sizes. */
#include "harness.h"

#include "winograd.h"

static void fill(float *x, long n, unsigned seed)
{
    for (long i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
}

/* y[k][p] = sum over c and taps of w[k][c][i][j] x[c][p + (i - 1, j - 1)], zero outside. */
static double direct(const float *x, const float *w, int c, int h, int wd, int k, int p, int oy,
                     int ox)
{
    double s = 0;
    (void)k;
    for (int ci = 0; ci < c; ci++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                int y = oy + i - 1, xx = ox + j - 1;
                if (y >= 0 && y < h && xx >= 0 && xx < wd)
                    s += (double)w[((long)p * c + ci) * 9 + i * 3 + j] *
                         x[((long)ci * h + y) * wd + xx];
            }
    return s;
}

/* M[x] = U[x] V[x] for the 36 x, by loops (the library leaves this to BLAS). */
static void products(int planes, const float *u, const float *v, float *m, int rows, int inner,
                     long tiles)
{
    long pv = snd_wino_plane(inner, tiles), pm = snd_wino_plane(rows, tiles);
    for (int x = 0; x < planes; x++)
        for (int r = 0; r < rows; r++)
            for (long t = 0; t < tiles; t++) {
                double s = 0;
                for (int q = 0; q < inner; q++)
                    s += (double)u[((long)x * rows + r) * inner + q] * v[x * pv + q * tiles + t];
                m[x * pm + r * tiles + t] = (float)s;
            }
}

static void check_sizes(int tile, int c, int k, int h, int w)
{
    struct snd_wino g;
    snd_wino_init(&g, h, w, tile);
    size_t planes = (size_t)g.planes;
    long T = g.tiles, P = (long)h * w;
    float *x = malloc(sizeof(float) * c * P), *wt = malloc(sizeof(float) * k * c * 9);
    float *dy = malloc(sizeof(float) * k * P), *y = malloc(sizeof(float) * k * P);
    float *dx = malloc(sizeof(float) * c * P), *dw = calloc((size_t)k * c * 9, sizeof(float));
    long pc = snd_wino_plane(c, T), pk = snd_wino_plane(k, T);
    float *u = malloc(sizeof(float) * planes * k * c), *v = malloc(sizeof(float) * planes * pc);
    float *m = malloc(sizeof(float) * planes * pk), *z = malloc(sizeof(float) * planes * pk);
    float *vy = malloc(sizeof(float) * planes * pk), *mx = malloc(sizeof(float) * planes * pc);
    float *du = calloc((size_t)planes * k * c, sizeof(float));
    float *scratch = malloc(sizeof(float) * (size_t)snd_wino_scratch(&g)); /* exactly: ASan */
    double worst = 0;
    fill(x, c * P, 1), fill(wt, k * c * 9, 2), fill(dy, k * P, 3);

    snd_wino_filters(&g, wt, k, c, 0, u);
    snd_wino_input(&g, c, x, v, T, 0, scratch);
    products(g.planes, u, v, m, k, c, T);
    snd_wino_output(&g, k, m, T, 0, y, scratch);
    for (int o = 0; o < k; o++)
        for (int r = 0; r < h; r++)
            for (int q = 0; q < w; q++)
                worst =
                    fmax(worst, fabs(y[(o * h + r) * w + q] - direct(x, wt, c, h, w, k, o, r, q)));

    /* dx[c][q] = sum over k and taps of w[k][c][i][j] dy[k][q - (i - 1, j - 1)] */
    snd_wino_filters(&g, wt, k, c, 1, u);
    snd_wino_input(&g, k, dy, vy, T, 0, scratch);
    products(g.planes, u, vy, mx, c, k, T);
    snd_wino_output(&g, c, mx, T, 0, dx, scratch);
    for (int ci = 0; ci < c; ci++)
        for (int r = 0; r < h; r++)
            for (int q = 0; q < w; q++) {
                double s = 0;
                for (int o = 0; o < k; o++)
                    for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 3; j++) {
                            int yy = r - i + 1, xx = q - j + 1;
                            if (yy >= 0 && yy < h && xx >= 0 && xx < w)
                                s += (double)wt[((long)o * c + ci) * 9 + i * 3 + j] *
                                     dy[((long)o * h + yy) * w + xx];
                        }
                worst = fmax(worst, fabs(dx[(ci * h + r) * w + q] - s));
            }

    /* dw[k][c][i][j] = sum over positions of dy[k][p] x[c][p + (i - 1, j - 1)] */
    snd_wino_outgrad(&g, k, dy, z, T, 0, scratch);
    for (int xi = 0; xi < g.planes; xi++)
        for (int o = 0; o < k; o++)
            for (int ci = 0; ci < c; ci++) {
                double s = 0;
                for (long t = 0; t < T; t++)
                    s += (double)z[xi * pk + o * T + t] * v[xi * pc + ci * T + t];
                du[((long)xi * k + o) * c + ci] = (float)s;
            }
    snd_wino_filter_grad(&g, du, k, c, dw);
    for (int o = 0; o < k; o++)
        for (int ci = 0; ci < c; ci++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) {
                    double s = 0;
                    for (int r = 0; r < h; r++)
                        for (int q = 0; q < w; q++) {
                            int yy = r + i - 1, xx = q + j - 1;
                            if (yy >= 0 && yy < h && xx >= 0 && xx < w)
                                s += (double)dy[((long)o * h + r) * w + q] *
                                     x[((long)ci * h + yy) * w + xx];
                        }
                    worst = fmax(worst, fabs(dw[((long)o * c + ci) * 9 + i * 3 + j] - s));
                }
    printf("    F(%dx%d, 3x3), c %d, k %d, %d x %d: worst difference %.2g\n", tile, tile, c, k, h,
           w, worst);
    CHECK(worst < 1e-4);
    free(x), free(wt), free(dy), free(y), free(dx), free(dw), free(u), free(v), free(m), free(z);
    free(vy), free(mx), free(du), free(scratch);
}

static void matches_direct_convolution(void)
{
    for (int tile = 2; tile <= 4; tile += 2) {
        check_sizes(tile, 1, 1, 4, 4);
        check_sizes(tile, 3, 4, 7, 5);
        check_sizes(tile, 2, 3, 6, 9);
        check_sizes(tile, 5, 2, 1, 3);
        check_sizes(tile, 3, 5, 13, 18);
    }
}

int main(void)
{
    RUN(matches_direct_convolution);
    return HARNESS_STATUS();
}
