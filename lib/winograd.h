/* winograd: 3 x 3 convolutions of stride 1 and padding 1 by Winograd's minimal filtering
 * F(m x m, 3x3) (Lavin and Gray, 2016), m = 2 or 4: each m x m block of outputs costs
 * (m + 2)^2 multiplies, 16 instead of 36 or 36 instead of 144. The larger tiles save more
 * multiplies but have more costly transforms, which vectorise across a row of tiles: they
 * pay on wide images. The work is split in transforms, done here, and (m + 2)^2 matrix
 * products per layer ("planes"), which the caller makes with its BLAS:
 *
 *   forward         M[x] = U[x] V[x]          U: filters (k x c), V: input tiles (c x T)
 *   input gradient  the forward pass of the output gradient with snd_wino_filters(flip)
 *   weight gradient dU[x] += Z[x] V[x]^T      Z: output-gradient tiles (k x T)
 *
 * for each plane x, T the tiles of a group of images side by side. Tile t of an image covers
 * output rows m ty .. m ty + m - 1 and the same columns from m tx; tiles hanging over the
 * edge read zeros and write nothing outside. Arrays of tiles are planes of [channels][ld], with
 * tile t of the image at column t0 + t, planes snd_wino_plane() floats apart. The image
 * transforms work in the caller's scratch of snd_wino_scratch() floats, so that a training
 * step allocates nothing. */
#ifndef SND_WINOGRAD_H
#define SND_WINOGRAD_H

struct snd_wino {
    int m;      /* outputs of a tile along each axis: 2 or 4 */
    int planes; /* (m + 2)^2 */
    int h, w;   /* image (input and output) */
    int th, tw; /* tiles down and across */
    long tiles; /* th * tw */
};

void snd_wino_init(struct snd_wino *g, int h, int w, int m);

/* Floats of scratch an image transform needs. */
long snd_wino_scratch(const struct snd_wino *g);

/* The distance between planes of channels x ld: a little more than their size, so that
 * the planes a transform writes at once do not fall on the same cache sets (addresses
 * a multiple of 4 KiB apart would). */
long snd_wino_plane(int channels, long ld);

/* U from filters w [k][c][3][3]: u [planes][k][c]; with flip, the filters of the input
 * gradient: u [planes][c][k] from w rotated by 180 degrees and transposed. */
void snd_wino_filters(const struct snd_wino *g, const float *w, int k, int c, int flip, float *u);

/* V from an image x [channels][h][w]: the input tiles B^T d B. */
void snd_wino_input(const struct snd_wino *g, int channels, const float *x, float *v, long ld,
                    long t0, float *scratch);

/* The outputs A^T m A of an image's tiles into y [channels][h][w]. */
void snd_wino_output(const struct snd_wino *g, int channels, const float *m, long ld, long t0,
                     float *y, float *scratch);

/* Z from an output gradient dy [channels][h][w]: the tiles A dy A^T. */
void snd_wino_outgrad(const struct snd_wino *g, int channels, const float *dy, float *z, long ld,
                      long t0, float *scratch);

/* Add G^T du G, the weight gradient of du [planes][k][c], to dw [k][c][3][3]. */
void snd_wino_filter_grad(const struct snd_wino *g, const float *du, int k, int c, float *dw);

#endif
