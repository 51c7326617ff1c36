/* pool: a small pthread pool sized by -j. Work is split into items whose bounds do not
 * depend on the thread count, each writing its own result slot, so that -j1 and -j16
 * give the same bytes. */
#ifndef SND_POOL_H
#define SND_POOL_H

#include "err.h"

struct snd_pool;

/* The number of online cores, at least 1: the default for -j. */
int snd_pool_cores(void);

/* A pool of n_threads workers (1: everything runs in the caller's thread). Returns NULL
 * with err. Release with snd_pool_free(). */
struct snd_pool *snd_pool_new(int n_threads, struct snd_err *err);

int snd_pool_threads(const struct snd_pool *p);

/* Call fn(ctx, item, thread) for every item in [0, n_items), spread over the workers, and
 * return when all are done. thread is in [0, threads) and identifies per-thread scratch.
 * fn must not print or touch stdio streams. */
void snd_pool_run(struct snd_pool *p, long n_items, void (*fn)(void *ctx, long item, int thread),
                  void *ctx);

void snd_pool_free(struct snd_pool *p); /* NULL is fine */

#endif
