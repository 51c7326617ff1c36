/* optim: Adam, AdamW and SGD, step for step as torch.optim computes them in float32. */
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct state {
    struct snd_param *p;
    float *m, *v; /* Adam: first and second moments; SGD: m is the momentum buffer */
};

struct snd_opt {
    struct snd_opt_conf conf;
    struct state *states;
    int n;
    long steps;
};

struct snd_opt_conf snd_opt_defaults(enum snd_opt_kind kind)
{
    struct snd_opt_conf c = {kind, 1e-3, 0.9, 0.999, 1e-8, 0.9, 0.0};
    if (kind == SND_OPT_ADAMW)
        c.weight_decay = 0.01;
    if (kind == SND_OPT_SGD)
        c.lr = 0.01;
    return c;
}

static const char *const kind_names[] = {"adam", "adamw", "sgd"};

int snd_opt_kind_parse(const char *s, enum snd_opt_kind *kind)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *kind = (enum snd_opt_kind)i;
            return 0;
        }
    return -1;
}

const char *snd_opt_kind_name(enum snd_opt_kind kind)
{
    return kind_names[kind];
}

struct snd_opt *snd_opt_new(struct snd_net *net, const struct snd_opt_conf *conf,
                            struct snd_err *err)
{
    struct snd_opt *o = calloc(1, sizeof *o);
    int n = snd_net_n_params(net);
    if (o == NULL || (o->states = calloc((size_t)n, sizeof *o->states)) == NULL)
        goto oom;
    o->conf = *conf;
    for (int i = 0; i < n; i++) {
        struct snd_param *p = snd_net_param(net, i);
        if (p->grad == NULL)
            continue;
        struct state *s = &o->states[o->n++];
        s->p = p;
        s->m = calloc((size_t)p->size, sizeof(float));
        s->v = conf->kind == SND_OPT_SGD ? NULL : calloc((size_t)p->size, sizeof(float));
        if (s->m == NULL || (conf->kind != SND_OPT_SGD && s->v == NULL))
            goto oom;
    }
    return o;
oom:
    snd_opt_free(o);
    snd_fail(err, "optimiser: out of memory");
    return NULL;
}

void snd_opt_free(struct snd_opt *o)
{
    if (o == NULL)
        return;
    for (int i = 0; i < o->n; i++)
        free(o->states[i].m), free(o->states[i].v);
    free(o->states);
    free(o);
}

static void adam_step(const struct snd_opt_conf *c, struct state *s, long t, float lr)
{
    struct snd_param *p = s->p;
    float b1 = (float)c->beta1, b2 = (float)c->beta2, eps = (float)c->eps;
    float wd = p->decay ? (float)c->weight_decay : 0.0f;
    float bc1 = 1.0f - (float)pow(c->beta1, (double)t);
    float bc2_sqrt = sqrtf(1.0f - (float)pow(c->beta2, (double)t));
    float step = lr / bc1;
    int decoupled = c->kind == SND_OPT_ADAMW;
    for (long i = 0; i < p->size; i++) {
        float g = p->grad[i], w = p->value[i];
        if (decoupled)
            w *= 1.0f - lr * wd;
        else
            g += wd * w;
        s->m[i] += (g - s->m[i]) * (1.0f - b1);
        s->v[i] = s->v[i] * b2 + (1.0f - b2) * g * g;
        p->value[i] = w - step * s->m[i] / (sqrtf(s->v[i]) / bc2_sqrt + eps);
    }
}

static void sgd_step(const struct snd_opt_conf *c, struct state *s, long t, float lr)
{
    struct snd_param *p = s->p;
    float mom = (float)c->momentum, wd = p->decay ? (float)c->weight_decay : 0.0f;
    for (long i = 0; i < p->size; i++) {
        float g = p->grad[i] + wd * p->value[i];
        /* PyTorch starts the momentum buffer at the first gradient, not at zero. */
        s->m[i] = t == 1 ? g : mom * s->m[i] + g;
        p->value[i] -= lr * (mom > 0 ? s->m[i] : g);
    }
}

void snd_opt_step(struct snd_opt *o, double lr)
{
    o->steps++;
    for (int i = 0; i < o->n; i++) {
        if (o->conf.kind == SND_OPT_SGD)
            sgd_step(&o->conf, &o->states[i], o->steps, (float)lr);
        else
            adam_step(&o->conf, &o->states[i], o->steps, (float)lr);
    }
}

long snd_opt_steps(const struct snd_opt *o)
{
    return o->steps;
}

void snd_opt_set_steps(struct snd_opt *o, long steps)
{
    o->steps = steps;
}

int snd_opt_n_states(const struct snd_opt *o)
{
    return o->n;
}

float *snd_opt_state(struct snd_opt *o, int i, int moment, long *size, const char **name)
{
    *size = o->states[i].p->size;
    *name = o->states[i].p->name;
    return moment == 0 ? o->states[i].m : o->states[i].v;
}

double snd_lr_schedule(double lr, long step, long total, long warmup, double floor)
{
    if (step < warmup)
        return lr * (double)(step + 1) / (double)warmup;
    long span = total - warmup;
    if (span <= 1)
        return lr;
    double progress = (double)(step - warmup) / (double)(span - 1);
    if (progress > 1)
        progress = 1;
    return lr * (floor + (1 - floor) * 0.5 * (1 + cos(M_PI * progress)));
}
