/* latency: the time one window takes through an snd model's network, as snd-classify
 * runs it on a live stream (a batch of one, in evaluation mode): the median of REPS
 * passes after a warm-up. usage: latency MODEL.h5 THREADS REPS */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "blas.h"
#include "model.h"
#include "pool.h"
#include "rng.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    struct snd_err err = {0};
    struct snd_pool *pool;
    struct snd_model *m;
    struct snd_rng rng;
    int reps;
    double *t;

    snd_blas_tune(argv); /* as snd-classify does */
    if (argc != 4) {
        fprintf(stderr, "usage: latency MODEL.h5 THREADS REPS\n");
        return 2;
    }
    reps = atoi(argv[3]);
    if (reps < 1 || (t = malloc((size_t)reps * sizeof *t)) == NULL ||
        (pool = snd_pool_new(atoi(argv[2]), &err)) == NULL ||
        (m = snd_model_load(argv[1], 1, pool, &err)) == NULL) {
        fprintf(stderr, "latency: %s\n", err.msg[0] ? err.msg : "bad arguments");
        return 1;
    }
    snd_rng_seed(&rng, 1);
    float *x = snd_net_input(m->net);
    for (long i = 0; i < (long)m->window_frames * m->feat.n_mels; i++)
        x[i] = (float)snd_rng_normal(&rng);
    for (int i = 0; i < 20; i++)
        snd_net_forward(m->net, 1, SND_NET_EVAL);
    for (int i = 0; i < reps; i++) {
        double t0 = now();
        snd_net_forward(m->net, 1, SND_NET_EVAL);
        t[i] = now() - t0;
    }
    qsort(t, (size_t)reps, sizeof *t, by_value);
    printf("%.3f\n", 1000 * t[reps / 2]);
    snd_model_free(m);
    snd_pool_free(pool);
    free(t);
    return 0;
}
