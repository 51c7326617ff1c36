/* winograd: 3 x 3 convolutions of stride 1 and padding 1 by Winograd's minimal filtering
 * F(2x2, 3x3) (Lavin and Gray, 2016): each 2 x 2 block of outputs costs 16 multiplies
 * instead of 36. The work is split in transforms, done here, and 16 matrix products per
 * layer, which the caller makes with its BLAS:
 *
 *   forward         M[x] = U[x] V[x]          U: filters (k x c), V: input tiles (c x T)
 *   input gradient  the forward pass of the output gradient with snd_wino_filters(flip)
 *   weight gradient dU[x] += Z[x] V[x]^T      Z: output-gradient tiles (k x T)
 *
 * for x in 0..15, T the tiles of a group of images side by side. Tile t of an image covers
 * outputs rows 2ty, 2ty + 1 and columns 2tx, 2tx + 1; tiles hanging over the edge read
 * zeros and write nothing outside. Arrays of tiles are 16 planes of [channels][ld], with
 * tile t of the image at column t0 + t, planes snd_wino_plane() floats apart. */
#ifndef SND_WINOGRAD_H
#define SND_WINOGRAD_H

struct snd_wino {
    int h, w;   /* image (input and output) */
    int th, tw; /* tiles down and across */
    long tiles; /* th * tw */
};

void snd_wino_init(struct snd_wino *g, int h, int w);

/* The distance between planes of channels x ld: a little more than their size, so that
 * the 16 planes a transform writes at once do not fall on the same cache sets (addresses
 * a multiple of 4 KiB apart would). */
long snd_wino_plane(int channels, long ld);

/* U from filters w [k][c][3][3]: u [16][k][c]; with flip, the filters of the input
 * gradient: u [16][c][k] from w rotated by 180 degrees and transposed. */
void snd_wino_filters(const float *w, int k, int c, int flip, float *u);

/* V from an image x [channels][h][w]: the input tiles B^T d B. */
void snd_wino_input(const struct snd_wino *g, int channels, const float *x, float *v, long ld,
                    long t0);

/* The outputs A^T m A of an image's tiles into y [channels][h][w]. */
void snd_wino_output(const struct snd_wino *g, int channels, const float *m, long ld, long t0,
                     float *y);

/* Z from an output gradient dy [channels][h][w]: the tiles A dy A^T. */
void snd_wino_outgrad(const struct snd_wino *g, int channels, const float *dy, float *z, long ld,
                      long t0);

/* Add G^T du G, the weight gradient of du [16][k][c], to dw [k][c][3][3]. */
void snd_wino_filter_grad(const float *du, int k, int c, float *dw);

#endif
