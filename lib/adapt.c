/* adapt: batch-normalisation statistics from unlabelled windows. */
#include "adapt.h"

#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "features.h"

struct adapt {
    struct snd_model *m;
    int batch, n; /* windows per pass, and waiting in the input */
    long seen;    /* windows passed through */
};

/* A training pass over the waiting windows whose statistics weigh n / (seen + n): the
 * running statistics stay the averages over every window so far. */
static void flush(struct adapt *a)
{
    if (a->n == 0)
        return;
    snd_net_bn_momentum(a->m->net, (float)((double)a->n / (double)(a->seen + a->n)));
    snd_net_forward(a->m->net, a->n, SND_NET_TRAIN);
    a->seen += a->n;
    a->n = 0;
}

static int take_window(void *ctx, const float *frames, int n, int pad, long first,
                       struct snd_err *err)
{
    struct adapt *a = ctx;
    const struct snd_model *m = a->m;
    (void)first, (void)err;
    snd_model_window(m, frames, n, pad,
                     snd_net_input(m->net) + (size_t)a->n * m->window_frames * m->feat.n_mels);
    if (++a->n == a->batch)
        flush(a);
    return 0;
}

#define READ_FRAMES 1024

/* The windows of every clip of one feature file. */
static int adapt_file(struct adapt *a, struct snd_windower *w, const char *model_name,
                      const char *path, float *buf, long *clips, struct snd_err *err)
{
    struct snd_feat_reader *f = snd_feat_open(path, err);
    const char *id;
    double start;
    long long n_frames;
    long n = 0;
    int s;
    if (f == NULL)
        return -1;
    if (snd_model_check_features(a->m, model_name, snd_feat_reader_params(f),
                                 snd_feat_reader_name(f), err) != 0) {
        snd_feat_close(f);
        return -1;
    }
    while ((s = snd_feat_next_clip(f, &id, &start, &n_frames, err)) == 1) {
        snd_windower_begin(w);
        while ((n = snd_feat_read_frames(f, buf, READ_FRAMES, err)) > 0)
            if (snd_windower_push(w, buf, n, take_window, a, err) != 0)
                break;
        if (n < 0 || snd_windower_end(w, take_window, a, err) < 0)
            break;
        ++*clips;
    }
    snd_feat_close(f);
    return s == 0 && n == 0 ? 0 : -1;
}

/* Whether the network has a batch normalisation, whose statistics adapting measures. */
static int has_batch_norm(struct snd_net *net)
{
    for (int i = 0; i < snd_net_n_params(net); i++)
        if (strstr(snd_net_param(net, i)->name, "running_mean") != NULL)
            return 1;
    return 0;
}

int snd_model_adapt(struct snd_model *m, const char *model_name, int n, char **paths, int batch,
                    int hop, long *windows, long *clips, struct snd_err *err)
{
    if (!has_batch_norm(m->net))
        return snd_fail(err, "%s: no batch normalisation in its network, nothing to adapt",
                        model_name);
    struct adapt a = {m, batch, 0, 0};
    int B = m->feat.n_mels, rc = 0;
    struct snd_windower *w = snd_windower_new(m->window_frames, hop, B, err);
    float *buf = malloc((size_t)READ_FRAMES * B * sizeof *buf);
    *windows = *clips = 0;
    if (w == NULL || buf == NULL) {
        snd_windower_free(w);
        free(buf);
        return w == NULL ? -1 : snd_fail(err, "out of memory");
    }
    for (int i = 0; i < n && rc == 0; i++)
        rc = adapt_file(&a, w, model_name, paths[i], buf, clips, err);
    if (rc == 0)
        flush(&a);
    snd_net_bn_momentum(m->net, SND_NET_BN_MOMENTUM); /* as any other model's */
    snd_windower_free(w);
    free(buf);
    *windows = a.seen;
    if (rc == 0 && a.seen == 0)
        return snd_fail(err, "%s: no frames to adapt on", n > 0 ? paths[n - 1] : "-");
    return rc;
}
