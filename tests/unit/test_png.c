/* test_png: spectrogram pictures written, read back with libpng and checked pixel by pixel. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <png.h>

#include "harness.h"
#include "png.h" /* lib/png.h: lib/ is on the quote path only, so <png.h> stays libpng's */

/* matplotlib 3.6's colours (times 255) at the ends and the middle (entry 128 of 256). */
static const double viridis_first[3] = {68.09, 1.24, 84.00};
static const double viridis_mid[3] = {32.53, 144.57, 140.39};
static const double viridis_last[3] = {253.28, 231.07, 36.70};
static const double magma_first[3] = {0.37, 0.12, 3.54};
static const double magma_last[3] = {251.70, 252.82, 191.12};

struct picture {
    int width, height;
    unsigned char *rgb; /* height rows of width RGB pixels, top row first */
};

/* Read path, which must be an 8-bit RGB PNG without alpha. Returns 0, or -1 after
 * printing why. Release pic->rgb with free(). */
static int read_png(const char *path, struct picture *pic)
{
    png_image im;

    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    pic->rgb = NULL;
    if (!png_image_begin_read_from_file(&im, path)) {
        printf("    %s: %s\n", path, im.message);
        return -1;
    }
    if (im.format != PNG_FORMAT_RGB) {
        printf("    %s: format %#x, not 8-bit RGB\n", path, im.format);
        png_image_free(&im);
        return -1;
    }
    pic->width = (int)im.width;
    pic->height = (int)im.height;
    pic->rgb = malloc(PNG_IMAGE_SIZE(im));
    if (pic->rgb == NULL || !png_image_finish_read(&im, NULL, pic->rgb, 0, NULL)) {
        printf("    %s: %s\n", path, im.message);
        png_image_free(&im);
        free(pic->rgb);
        pic->rgb = NULL;
        return -1;
    }
    return 0;
}

/* The pixel at column x, row y counted from the top. */
static const unsigned char *pixel(const struct picture *pic, int x, int y)
{
    return pic->rgb + ((size_t)y * pic->width + x) * 3;
}

static int same(const unsigned char *a, const unsigned char *b)
{
    return memcmp(a, b, 3) == 0;
}

static void check_colour(const unsigned char *got, const double *want, double tol)
{
    CHECK_NEAR(got[0], want[0], tol);
    CHECK_NEAR(got[1], want[1], tol);
    CHECK_NEAR(got[2], want[2], tol);
}

/* 5 frames of 4 bands rising from -80 dB (frame 0, band 0) to 0 dB (frame 4, band 3),
 * drawn at scale 3: each cell is a 3 x 3 block, band 0 at the bottom. */
static void ramp_read_back(void)
{
    enum { T = 5, M = 4, S = 3 };
    float frames[T * M];
    struct snd_err err = {0};
    struct picture pic;
    const char *path = path_in("ramp.png");
    int t, b, i, j;

    for (i = 0; i < T * M; i++)
        frames[i] = -80.0f + 80.0f * i / (T * M - 1);
    CHECK(snd_png_write(path, frames, T, M, -80, 0, SND_CMAP_VIRIDIS, S, &err) == 0);
    if (read_png(path, &pic) != 0) {
        CHECK(0);
        return;
    }
    CHECK(pic.width == T * S);
    CHECK(pic.height == M * S);
    if (pic.width == T * S && pic.height == M * S) {
        /* The lowest value, bottom left, is the map's first colour; the highest, top
         * right, its last. */
        check_colour(pixel(&pic, 0, M * S - 1), viridis_first, 1.5);
        check_colour(pixel(&pic, T * S - 1, 0), viridis_last, 1.5);
        for (t = 0; t < T; t++)
            for (b = 0; b < M; b++) {
                /* Cell (t, b) has its top-left pixel at column t*S, row (M-1-b)*S. */
                const unsigned char *c = pixel(&pic, t * S, (M - 1 - b) * S);

                for (i = 0; i < S; i++)
                    for (j = 0; j < S; j++)
                        CHECK(same(pixel(&pic, t * S + i, (M - 1 - b) * S + j), c));
                /* viridis' green rises through the whole map: higher band, more green,
                 * and band 0 of a frame is greener than the top band of the one before. */
                if (b > 0)
                    CHECK(c[1] > pixel(&pic, t * S, (M - b) * S)[1]);
                else if (t > 0)
                    CHECK(c[1] > pixel(&pic, (t - 1) * S, 0)[1]);
            }
    }
    free(pic.rgb);
}

static void out_of_range_clipped(void)
{
    float frames[] = {-200.0f, -INFINITY, NAN, -60.0f, -20.0f, 30.0f, INFINITY, 5.0f};
    struct snd_err err = {0};
    struct picture pic;
    const char *path = path_in("clip.png");
    int x;

    CHECK(snd_png_write(path, frames, 8, 1, -60, -20, SND_CMAP_MAGMA, 1, &err) == 0);
    if (read_png(path, &pic) != 0) {
        CHECK(0);
        return;
    }
    CHECK(pic.width == 8 && pic.height == 1);
    if (pic.width == 8 && pic.height == 1) {
        for (x = 0; x < 4; x++)
            check_colour(pixel(&pic, x, 0), magma_first, 1.5);
        for (x = 4; x < 8; x++)
            check_colour(pixel(&pic, x, 0), magma_last, 1.5);
        for (x = 1; x < 4; x++)
            CHECK(same(pixel(&pic, x, 0), pixel(&pic, 0, 0)));
        for (x = 5; x < 8; x++)
            CHECK(same(pixel(&pic, x, 0), pixel(&pic, 4, 0)));
    }
    free(pic.rgb);
}

/* Both maps against matplotlib's: the ends, and viridis' middle, within 2/255. Levels
 * pick entries as matplotlib does, floor(256 level): 0.9/255 still entry 0, 254.5/255
 * already entry 255. */
static void maps_match_matplotlib(void)
{
    float frames[] = {0.0f, 128.0f, 255.0f, 0.9f, 254.5f};
    struct snd_err err = {0};
    struct picture pic;
    const char *path = path_in("ends.png");

    CHECK(snd_png_write(path, frames, 5, 1, 0, 255, SND_CMAP_VIRIDIS, 1, &err) == 0);
    if (read_png(path, &pic) == 0 && pic.width == 5) {
        check_colour(pixel(&pic, 0, 0), viridis_first, 2);
        check_colour(pixel(&pic, 1, 0), viridis_mid, 2);
        check_colour(pixel(&pic, 2, 0), viridis_last, 2);
        CHECK(same(pixel(&pic, 3, 0), pixel(&pic, 0, 0)));
        CHECK(same(pixel(&pic, 4, 0), pixel(&pic, 2, 0)));
    } else {
        CHECK(0);
    }
    free(pic.rgb);
    CHECK(snd_png_write(path, frames, 3, 1, 0, 255, SND_CMAP_MAGMA, 1, &err) == 0);
    if (read_png(path, &pic) == 0 && pic.width == 3) {
        check_colour(pixel(&pic, 0, 0), magma_first, 2);
        check_colour(pixel(&pic, 2, 0), magma_last, 2);
    } else {
        CHECK(0);
    }
    free(pic.rgb);
}

static void cmap_names_parsed(void)
{
    struct snd_err err = {0};
    enum snd_cmap cmap = SND_CMAP_MAGMA;

    CHECK(snd_cmap_parse("viridis", &cmap, &err) == 0);
    CHECK(cmap == SND_CMAP_VIRIDIS);
    CHECK(snd_cmap_parse("magma", &cmap, &err) == 0);
    CHECK(cmap == SND_CMAP_MAGMA);
    CHECK(snd_cmap_parse("jet", &cmap, &err) == -1);
    CHECK(strstr(err.msg, "jet") != NULL);
    CHECK(snd_cmap_parse("Viridis", &cmap, &err) == -1);
    CHECK(snd_cmap_parse("", &cmap, &err) == -1);
    CHECK(cmap == SND_CMAP_MAGMA);
}

/* Each refusal names the file and leaves nothing behind, not even a temporary. */
static void bad_inputs_refused(void)
{
    float frames[4] = {-10, -20, -30, -40};
    struct snd_err err = {0};
    const char *path = path_in("bad.png");

    clear_dir();
    CHECK(snd_png_write(path, frames, 0, 4, -80, 0, SND_CMAP_VIRIDIS, 1, &err) == -1);
    CHECK(strstr(err.msg, path) != NULL);
    CHECK(strstr(err.msg, "nothing to draw") != NULL);
    CHECK(snd_png_write(path, frames, 1, 0, -80, 0, SND_CMAP_VIRIDIS, 1, &err) == -1);
    CHECK(strstr(err.msg, path) != NULL);
    CHECK(snd_png_write(path, frames, 1, 4, -80, 0, SND_CMAP_VIRIDIS, 0, &err) == -1);
    CHECK(strstr(err.msg, path) != NULL);
    CHECK(snd_png_write(path, frames, 1, 4, 0, 0, SND_CMAP_VIRIDIS, 1, &err) == -1);
    CHECK(snd_png_write(path, frames, 1, 4, 0, -80, SND_CMAP_VIRIDIS, 1, &err) == -1);
    CHECK(snd_png_write(path, frames, 1, 4, NAN, 0, SND_CMAP_VIRIDIS, 1, &err) == -1);
    CHECK(snd_png_write(path, frames, 1, 4, -INFINITY, 0, SND_CMAP_VIRIDIS, 1, &err) == -1);
    CHECK(strstr(err.msg, path) != NULL);
    /* Refused by size alone: frames is never read that far. */
    CHECK(snd_png_write(path, frames, LONG_MAX / 2, 4, -80, 0, SND_CMAP_VIRIDIS, 1, &err) == -1);
    CHECK(strstr(err.msg, "too large") != NULL);
    CHECK(snd_png_write(path, frames, 1 << 20, 4, -80, 0, SND_CMAP_VIRIDIS, 1 << 12, &err) == -1);
    CHECK(entries_in_dir() == 0);
    CHECK(snd_png_write("/nonexistent/x.png", frames, 1, 4, -80, 0, SND_CMAP_VIRIDIS, 1, &err) ==
          -1);
    CHECK(strstr(err.msg, "/nonexistent/x.png") != NULL);
    CHECK(err.errnum == ENOENT);
    CHECK(access("/nonexistent/x.png", F_OK) != 0);
}

/* Random levels, so that the picture does not compress to almost nothing. */
static void noise(float *x, long n)
{
    unsigned long r = 12345;
    long i;

    for (i = 0; i < n; i++) {
        r = r * 1103515245 + 12345;
        x[i] = -80.0f + 80.0f * (float)((r >> 16) & 0x7fff) / 0x7fff;
    }
}

/* A write that fails half way is reported with errno; an existing picture is left as it
 * was and no temporary stays behind. */
static void failed_write_reported(void)
{
    enum { T = 400, M = 64 };
    static float frames[T * M];
    struct snd_err err = {0};
    struct picture pic;
    struct rlimit old, small;
    const char *path = path_in("keep.png");

    clear_dir();
    noise(frames, T * M);
    CHECK(snd_png_write(path, frames, 4, 1, -80, 0, SND_CMAP_VIRIDIS, 2, &err) == 0);
    /* Files may grow to 4 KiB: the picture's 25600 random pixels cannot fit. */
    CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
    small = old;
    small.rlim_cur = 4096;
    signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
    CHECK(snd_png_write(path, frames, T, M, -80, 0, SND_CMAP_VIRIDIS, 1, &err) == -1);
    CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
    signal(SIGXFSZ, SIG_DFL);
    CHECK(strstr(err.msg, path) != NULL);
    CHECK(err.errnum == EFBIG);
    CHECK(read_png(path, &pic) == 0 && pic.width == 8 && pic.height == 2);
    free(pic.rgb);
    CHECK(entries_in_dir() == 1);
    if (access("/dev/full", W_OK) != 0)
        return;
    CHECK(snd_png_write("/dev/full", frames, T, M, -80, 0, SND_CMAP_VIRIDIS, 1, &err) == -1);
    CHECK(strstr(err.msg, "/dev/full") != NULL);
    CHECK(err.errnum == ENOSPC);
}

int main(void)
{
    RUN(ramp_read_back);
    RUN(out_of_range_clipped);
    RUN(maps_match_matplotlib);
    RUN(cmap_names_parsed);
    RUN(bad_inputs_refused);
    RUN(failed_write_reported);
    clear_dir();
    harness_dir_remove();
    return HARNESS_STATUS();
}
