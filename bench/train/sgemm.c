/* bench/train/sgemm.c: OpenBLAS's single-precision GEMM on this CPU, the ceiling that
 * snd-train's convolutions (im2col or Winograd products, all SGEMM) can approach.
 * For each shape, with 1 and with 2 threads: C (M x N) = A (M x K) B (K x N), row-major,
 * 2 M N K flops a call; calls repeated until a trial lasts ~0.2 s, best of 5 trials.
 * Prints one line per measurement:  M K N threads GFLOP/s
 * Usage: sgemm [M K N ...]   (default: the shapes below) */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "blas.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float *filled(size_t n, unsigned seed)
{
    float *v = malloc(n * sizeof *v);
    if (v == NULL) {
        fprintf(stderr, "sgemm: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = (float)((seed >> 8) & 0xffff) / 65536.0f - 0.5f;
    }
    return v;
}

static double rate(int M, int K, int N)
{
    float *a = filled((size_t)M * K, 1), *b = filled((size_t)K * N, 2);
    float *c = filled((size_t)M * N, 3);
    double flops = 2.0 * M * N * K, best = 0;
    /* Warm up (thread start, page faults), then size a trial to ~0.2 s. */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a, K, b, N, 0.0f, c,
                N);
    double t0 = now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a, K, b, N, 0.0f, c,
                N);
    double once = now() - t0;
    long reps = once > 0 ? (long)(0.2 / once) + 1 : 1000;
    for (int trial = 0; trial < 5; trial++) {
        t0 = now();
        for (long r = 0; r < reps; r++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a, K, b, N,
                        0.0f, c, N);
        double g = flops * (double)reps / (now() - t0) / 1e9;
        best = g > best ? g : best;
    }
    free(a), free(b), free(c);
    return best;
}

int main(int argc, char **argv)
{
    snd_blas_tune(argv); /* the kernels snd-train runs with */
    /* Large square products, then those of the default network's convolutions as
     * im2col makes them for one example: (out channels) x (in channels * 9) x (positions). */
    static int shapes[][3] = {
        {1024, 1024, 1024}, {2048, 2048, 2048}, {64, 288, 1600}, {128, 576, 400}, {256, 1152, 96},
    };
    int n = (int)(sizeof shapes / sizeof shapes[0]);
    int (*list)[3] = shapes;
    if (argc > 1) {
        if ((argc - 1) % 3 != 0) {
            fprintf(stderr, "usage: sgemm [M K N ...]\n");
            return 2;
        }
        n = (argc - 1) / 3;
        list = malloc((size_t)n * sizeof *list);
        if (list == NULL)
            return 1;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < 3; j++)
                list[i][j] = atoi(argv[1 + 3 * i + j]);
    }
    for (int i = 0; i < n; i++)
        for (int threads = 1; threads <= 2; threads++) {
            openblas_set_num_threads(threads);
            printf("%d %d %d %d %.1f\n", list[i][0], list[i][1], list[i][2], threads,
                   rate(list[i][0], list[i][1], list[i][2]));
            fflush(stdout);
        }
    return 0;
}
