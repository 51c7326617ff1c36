/* pool: workers wait for a job, take items from a shared counter, and report when done. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "pool.h"

struct worker {
    struct snd_pool *pool;
    int index;
};

struct snd_pool {
    int n_threads;
    pthread_t *threads;
    struct worker *workers;
    pthread_mutex_t lock;
    pthread_cond_t job_ready, job_done;
    /* The current job. */
    void (*fn)(void *ctx, long item, int thread);
    void *ctx;
    long n_items, next_item;
    long generation; /* bumped per job, so a worker runs each job once */
    int busy;        /* workers still inside the current job */
    int quit;
};

int snd_pool_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

/* Take items until none are left. Called with the lock held; returns with it held. */
static void drain_items(struct snd_pool *p, int thread)
{
    while (p->next_item < p->n_items) {
        long item = p->next_item++;
        pthread_mutex_unlock(&p->lock);
        p->fn(p->ctx, item, thread);
        pthread_mutex_lock(&p->lock);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct snd_pool *p = w->pool;
    long seen = 0;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->quit && p->generation == seen)
            pthread_cond_wait(&p->job_ready, &p->lock);
        if (p->quit)
            break;
        seen = p->generation;
        drain_items(p, w->index);
        if (--p->busy == 0)
            pthread_cond_signal(&p->job_done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

struct snd_pool *snd_pool_new(int n_threads, struct snd_err *err)
{
    struct snd_pool *p = calloc(1, sizeof *p);
    int i;

    if (p == NULL || n_threads < 1) {
        free(p);
        snd_fail(err, n_threads < 1 ? "need at least one thread" : "out of memory");
        return NULL;
    }
    p->n_threads = n_threads;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->job_ready, NULL);
    pthread_cond_init(&p->job_done, NULL);
    if (n_threads == 1)
        return p;
    p->threads = calloc((size_t)n_threads, sizeof *p->threads);
    p->workers = calloc((size_t)n_threads, sizeof *p->workers);
    if (p->threads == NULL || p->workers == NULL) {
        snd_pool_free(p);
        snd_fail(err, "out of memory");
        return NULL;
    }
    for (i = 0; i < n_threads; i++) {
        p->workers[i].pool = p;
        p->workers[i].index = i;
        if (pthread_create(&p->threads[i], NULL, worker_main, &p->workers[i]) != 0) {
            p->n_threads = i; /* free joins the ones that started */
            snd_pool_free(p);
            snd_fail(err, "cannot start thread %d", i + 1);
            return NULL;
        }
    }
    return p;
}

int snd_pool_threads(const struct snd_pool *p)
{
    return p->n_threads;
}

void snd_pool_run(struct snd_pool *p, long n_items, void (*fn)(void *ctx, long item, int thread),
                  void *ctx)
{
    long i;

    if (p->threads == NULL) {
        for (i = 0; i < n_items; i++)
            fn(ctx, i, 0);
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->fn = fn;
    p->ctx = ctx;
    p->n_items = n_items;
    p->next_item = 0;
    p->busy = p->n_threads;
    p->generation++;
    pthread_cond_broadcast(&p->job_ready);
    while (p->busy > 0)
        pthread_cond_wait(&p->job_done, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

void snd_pool_free(struct snd_pool *p)
{
    int i;

    if (p == NULL)
        return;
    if (p->threads != NULL) {
        pthread_mutex_lock(&p->lock);
        p->quit = 1;
        pthread_cond_broadcast(&p->job_ready);
        pthread_mutex_unlock(&p->lock);
        for (i = 0; i < p->n_threads; i++)
            pthread_join(p->threads[i], NULL);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->job_ready);
    pthread_cond_destroy(&p->job_done);
    free(p->threads);
    free(p->workers);
    free(p);
}
