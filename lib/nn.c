/* nn: layers as forward and backward kernels over NCHW float32 batches, matrix work in
 * CBLAS. A convolution is im2col followed by one GEMM per image; its weight gradient is
 * summed per fixed chunk of images and the chunks added in order, so that the sum does
 * not depend on which thread did what. */
#include "nn.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "rng.h"
#include "winograd.h"

#define BN_EPS 1e-5f
/* Weight gradients of a batch are summed in this many chunks of images; more chunks
 * than threads keeps both cores busy when image counts do not divide evenly. */
#define GRAD_CHUNKS 4
/* The most floats any layer's output or weights may hold for one example: 64 Mi, 256 MB. */
#define MAX_LAYER_FLOATS (1L << 26)

enum layer_kind { L_CONV, L_BN, L_RELU, L_MAXPOOL, L_GAP, L_DROPOUT, L_DENSE, L_BLOCK };

/* A convolution's shape per image: input c x h x w, output oc x oh x ow. */
struct geom {
    int c, h, w, oc, oh, ow, k, s, p;
    long in_size, out_size;
};

struct layer {
    enum layer_kind kind;
    struct geom g;           /* conv, block: the convolution */
    int in_c, in_h, in_w;    /* per example */
    int out_c, out_h, out_w; /* per example */
    long in_size, out_size;
    int k, stride, pad, bias; /* conv; k is also maxpool's window */
    float p;                  /* dropout */
    struct snd_param *w, *b, *rmean, *rvar;
    struct snd_param *bn_w, *bn_b; /* block: its batch normalisation's scale and shift */
    float *out;                    /* max_batch x out_size (relu: its input, in place) */
    float *mean, *istd;            /* bn: the statistics the last forward pass used */
    int *argmax;                   /* maxpool: input offset of each output's maximum */
    unsigned char *keep;           /* dropout mask */
    int need_dx;                   /* whether backward must produce the input gradient */
    /* block: its convolution's output, kept for the backward pass (NULL: recomputed from
     * the input, when the convolution is cheap and its output large), the pooling's
     * choice in each 2 x 2 window and whether it passed the ReLU (PICK_PASSED), and per
     * chunk of images the batch-norm sums. */
    float *y;
    unsigned char *pick;
    double *bn_parts;
    /* block by Winograd (3x3, stride 1, several input channels): its tiling, the images
     * transformed together so that the products are large enough, and the transformed
     * filters (of the forward pass, or flipped for the backward one). */
    int wino, group;
    struct snd_wino wg;
    float *wu;
};

struct snd_net {
    char spec[512];
    int in_h, in_w, n_out, max_batch;
    struct snd_pool *pool;
    struct layer *layers;
    int n_layers;
    struct snd_param *params;
    int n_params;
    float *input;
    float *grad_a, *grad_b; /* ping-pong gradients between layers */
    float *dlogits;
    float *col; /* per thread im2col scratch; the backward pass reuses it for the input
                 * gradient's columns once the weight gradient is taken */
    long col_size;
    float *ybuf, *dybuf; /* per thread: one image's block convolution output and gradient */
    long y_size;
    float *wbuf; /* per thread: Winograd's tiles and filter gradient */
    /* GRAD_CHUNKS partial weight gradients of the convolution whose backward pass runs,
     * one layer at a time, so shared, sized for the largest */
    float *wgrad_parts;
    long wbuf_size;
    struct snd_rng dropout_rng;
    int out_of_memory; /* a parameter could not be allocated */
    /* The Winograd blocks' wu hold the forward transforms of the current weights, so an
     * evaluation pass reuses them: a live classifier transforms its filters once, not per
     * window. Cleared by anything that can change the weights: handing out a parameter,
     * initialising, and a training pass (whose backward pass overwrites wu). */
    int filters_ready;
    float bn_momentum; /* the share of a training pass's statistics in the running ones */
};

/* ---- spec parsing ---------------------------------------------------------------- */

struct item {
    enum layer_kind kind;
    int n, k, stride, pad, bias, has_n;
    float p;
};

/* Split "conv 32 k3 s1" into words; returns the count (at most max). */
static int split_words(char *s, char **words, int max)
{
    int n = 0;
    for (char *t = strtok(s, " \t\n"); t != NULL; t = strtok(NULL, " \t\n")) {
        if (n == max)
            return max + 1;
        words[n++] = t;
    }
    return n;
}

static int parse_int_word(const char *w, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(w, &end, 10);
    if (end == w || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_conv_option(struct item *it, const char *w)
{
    if (strcmp(w, "bias") == 0)
        return it->bias = 1, 0;
    if (w[0] == 'k')
        return parse_int_word(w + 1, 1, 15, &it->k);
    if (w[0] == 's')
        return parse_int_word(w + 1, 1, 8, &it->stride);
    if (w[0] == 'p')
        return parse_int_word(w + 1, 0, 15, &it->pad);
    return -1;
}

static int parse_item(char *text, struct item *it, struct snd_err *err)
{
    char *w[8];
    char copy[128];
    snprintf(copy, sizeof copy, "%s", text);
    int n = split_words(text, w, 7);
    memset(it, 0, sizeof *it);
    it->k = 3, it->stride = 1, it->pad = -1;
    if (n == 0)
        return snd_fail(err, "network spec: empty item");
    if (n > 7)
        return snd_fail(err, "network spec: too many words in \"%s\"", copy);
    const char *name = w[0];
    int bad = 0;
    if (strcmp(name, "conv") == 0 || strcmp(name, "block") == 0) {
        it->kind = name[0] == 'b' ? L_BLOCK : L_CONV;
        bad = n < 2 || parse_int_word(w[1], 1, 4096, &it->n) != 0;
        for (int i = 2; i < n && !bad; i++)
            bad = it->kind == L_BLOCK || parse_conv_option(it, w[i]) != 0;
        it->has_n = 1;
    } else if (strcmp(name, "bn") == 0 || strcmp(name, "relu") == 0 || strcmp(name, "gap") == 0) {
        it->kind = name[0] == 'b' ? L_BN : name[0] == 'r' ? L_RELU : L_GAP;
        bad = n != 1;
    } else if (strcmp(name, "maxpool") == 0) {
        it->kind = L_MAXPOOL;
        it->k = 2;
        bad = n > 2 || (n == 2 && parse_int_word(w[1], 1, 16, &it->k) != 0);
    } else if (strcmp(name, "dropout") == 0) {
        char *end;
        it->kind = L_DROPOUT;
        bad = n != 2;
        if (!bad) {
            it->p = strtof(w[1], &end);
            bad = end == w[1] || *end != '\0' || !(it->p >= 0.0f && it->p < 1.0f);
        }
    } else if (strcmp(name, "dense") == 0) {
        it->kind = L_DENSE;
        it->has_n = n == 2;
        bad = n > 2 || (n == 2 && parse_int_word(w[1], 1, 1 << 20, &it->n) != 0);
    } else {
        return snd_fail(err,
                        "network spec: unknown layer \"%s\" (conv, bn, relu, maxpool, "
                        "block, gap, dropout, dense)",
                        name);
    }
    if (bad)
        return snd_fail(err, "network spec: bad item \"%s\"", copy);
    if (it->pad < 0)
        it->pad = it->k / 2;
    return 0;
}

/* ---- building --------------------------------------------------------------------- */

static struct snd_param *add_param(struct snd_net *net, const char *kind, int rank_of_kind,
                                   const char *what, int rank, const int *shape, int trainable,
                                   int decay)
{
    struct snd_param *p = &net->params[net->n_params++];
    snprintf(p->name, sizeof p->name, "%s%d.%s", kind, rank_of_kind, what);
    p->rank = rank;
    p->size = 1;
    for (int i = 0; i < rank; i++) {
        p->shape[i] = shape[i];
        p->size *= shape[i];
    }
    p->value = calloc((size_t)p->size, sizeof(float));
    p->grad = trainable ? calloc((size_t)p->size, sizeof(float)) : NULL;
    p->decay = decay;
    if (p->value == NULL || (trainable && p->grad == NULL))
        net->out_of_memory = 1;
    return p;
}

static void append_spec(struct snd_net *net, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void append_spec(struct snd_net *net, const char *fmt, ...)
{
    size_t len = strlen(net->spec);
    va_list ap;
    if (len > 0 && len + 2 < sizeof net->spec)
        strcat(net->spec, ", "), len += 2;
    va_start(ap, fmt);
    vsnprintf(net->spec + len, sizeof net->spec - len, fmt, ap);
    va_end(ap);
}

/* Set the output shape of l from its input shape and kind; -1 when it shrinks to nothing. */
static int shape_layer(struct layer *l, const struct item *it, int n_out_default)
{
    struct geom *g = &l->g;
    l->out_c = l->in_c, l->out_h = l->in_h, l->out_w = l->in_w;
    switch (l->kind) {
    case L_CONV:
    case L_BLOCK:
        if (l->in_h + 2 * l->pad < l->k || l->in_w + 2 * l->pad < l->k)
            return -1;
        g->c = l->in_c, g->h = l->in_h, g->w = l->in_w, g->oc = it->n;
        g->k = l->k, g->s = l->stride, g->p = l->pad;
        g->oh = (l->in_h + 2 * l->pad - l->k) / l->stride + 1;
        g->ow = (l->in_w + 2 * l->pad - l->k) / l->stride + 1;
        g->in_size = (long)g->c * g->h * g->w;
        g->out_size = (long)g->oc * g->oh * g->ow;
        l->out_c = it->n;
        /* a block pools its convolution's output in 2 x 2 windows */
        l->out_h = l->kind == L_BLOCK ? g->oh / 2 : g->oh;
        l->out_w = l->kind == L_BLOCK ? g->ow / 2 : g->ow;
        break;
    case L_MAXPOOL:
        l->out_h = l->in_h / l->k;
        l->out_w = l->in_w / l->k;
        break;
    case L_GAP:
        l->out_h = l->out_w = 1;
        break;
    case L_DENSE:
        l->out_c = it->has_n ? it->n : n_out_default;
        l->out_h = l->out_w = 1;
        break;
    default:
        break;
    }
    l->in_size = (long)l->in_c * l->in_h * l->in_w;
    l->out_size = (long)l->out_c * l->out_h * l->out_w;
    return l->out_size > 0 ? 0 : -1;
}

static const char *kind_name(enum layer_kind k)
{
    static const char *names[] = {"conv", "bn",      "relu",  "maxpool",
                                  "gap",  "dropout", "dense", "block"};
    return names[k];
}

/* Append one layer of kind for item it, counting ranks per kind for parameter names. */
static int add_layer(struct snd_net *net, enum layer_kind kind, const struct item *it,
                     int *kind_count, int last, struct snd_err *err)
{
    struct layer *l = &net->layers[net->n_layers];
    struct layer *prev = net->n_layers > 0 ? l - 1 : NULL;
    int rank = ++kind_count[kind];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->in_c = prev ? prev->out_c : 1;
    l->in_h = prev ? prev->out_h : net->in_h;
    l->in_w = prev ? prev->out_w : net->in_w;
    l->k = kind == L_MAXPOOL || kind == L_CONV || kind == L_BLOCK ? it->k : 0;
    l->stride = it->stride, l->pad = it->pad, l->bias = it->bias, l->p = it->p;
    if (kind == L_MAXPOOL && it->kind != L_MAXPOOL)
        l->k = 2; /* a block's pooling */
    if (kind == L_DENSE && !it->has_n && !last)
        return snd_fail(err, "network spec: only the last dense may leave out its size");
    if (shape_layer(l, it, net->n_out) != 0)
        return snd_fail(err, "network spec: %s%d leaves nothing of a %d x %d input",
                        kind_name(kind), rank, net->in_h, net->in_w);
    /* A bound on any one layer's outputs and weights per example, so that a spec (or a
     * damaged model) asking for the impossible is refused rather than tried. */
    if (l->out_size > MAX_LAYER_FLOATS || l->g.out_size > MAX_LAYER_FLOATS ||
        (double)l->in_size * (l->kind == L_DENSE ? l->out_c : 1) > MAX_LAYER_FLOATS ||
        (double)l->g.c * l->g.oc * l->g.k * l->g.k > MAX_LAYER_FLOATS)
        return snd_fail(err, "network spec: %s%d is too large for a %d x %d input", kind_name(kind),
                        rank, net->in_h, net->in_w);
    l->need_dx = net->n_layers > 0;
    net->n_layers++;

    int shape[4];
    switch (kind) {
    case L_BLOCK:
        shape[0] = l->out_c, shape[1] = l->in_c, shape[2] = shape[3] = l->k;
        l->w = add_param(net, "conv", ++kind_count[L_CONV], "weight", 4, shape, 1, 1);
        rank = ++kind_count[L_BN];
        l->bn_w = add_param(net, "bn", rank, "weight", 1, shape, 1, 0);
        l->bn_b = add_param(net, "bn", rank, "bias", 1, shape, 1, 0);
        l->rmean = add_param(net, "bn", rank, "running_mean", 1, shape, 0, 0);
        l->rvar = add_param(net, "bn", rank, "running_var", 1, shape, 0, 0);
        break;
    case L_CONV:
        shape[0] = l->out_c, shape[1] = l->in_c, shape[2] = shape[3] = l->k;
        l->w = add_param(net, "conv", rank, "weight", 4, shape, 1, 1);
        if (l->bias)
            l->b = add_param(net, "conv", rank, "bias", 1, shape, 1, 0);
        break;
    case L_BN:
        shape[0] = l->in_c;
        l->w = add_param(net, "bn", rank, "weight", 1, shape, 1, 0);
        l->b = add_param(net, "bn", rank, "bias", 1, shape, 1, 0);
        l->rmean = add_param(net, "bn", rank, "running_mean", 1, shape, 0, 0);
        l->rvar = add_param(net, "bn", rank, "running_var", 1, shape, 0, 0);
        break;
    case L_DENSE:
        shape[0] = l->out_c, shape[1] = (int)l->in_size;
        l->w = add_param(net, "dense", rank, "weight", 2, shape, 1, 1);
        l->b = add_param(net, "dense", rank, "bias", 1, shape, 1, 0);
        break;
    default:
        break;
    }
    return 0;
}

static int add_item(struct snd_net *net, const struct item *it, int *kind_count, int last,
                    struct snd_err *err)
{
    switch (it->kind) {
    case L_BLOCK:
        append_spec(net, "block %d", it->n);
        break;
    case L_CONV:
        append_spec(net, "conv %d k%d s%d p%d%s", it->n, it->k, it->stride, it->pad,
                    it->bias ? " bias" : "");
        break;
    case L_MAXPOOL:
        append_spec(net, "maxpool %d", it->k);
        break;
    case L_DROPOUT:
        append_spec(net, "dropout %g", it->p);
        break;
    case L_DENSE:
        if (it->has_n)
            append_spec(net, "dense %d", it->n);
        else
            append_spec(net, "dense");
        break;
    default:
        append_spec(net, "%s", kind_name(it->kind));
    }
    return add_layer(net, it->kind, it, kind_count, last, err);
}

/* A convolution is cheap enough to run again in the backward pass, rather than keep its
 * output, when each output takes few multiply-adds: the first block's, on one channel. */
#define RECOMPUTE_MAX_K 16

/* Winograd pays for its transforms when the input has a few channels; the first block,
 * on one, stays with im2col. Products of fewer tiles than this run below BLAS's pace. */
#define WINO_MIN_CHANNELS 4
#define WINO_MIN_TILES 64
/* F(4x4, 3x3) needs a third fewer multiplies than F(2x2, 3x3), but its transforms run four
 * tiles of a row at a time: on images narrower than this, rows of fewer than four tiles
 * cost it more than it saves (measured on the default network's blocks: 64, 32, 16 and 8
 * mel bands wide, F(4x4) on the 32 and 16 wide ones trains fastest). */
#define WINO_F4_MIN_WIDTH 16

/* The floats of one thread's Winograd buffers for block l: input tiles (c), products
 * and output-gradient tiles (k each), and the transformed weight gradient. */
static long wino_buf_size(const struct layer *l)
{
    long ld = (long)l->group * l->wg.tiles;
    return l->wg.planes * (snd_wino_plane(l->g.c, ld) + 2 * snd_wino_plane(l->g.oc, ld) +
                           (long)l->g.c * l->g.oc) +
           snd_wino_scratch(&l->wg);
}

static int allocate_block(struct layer *l, size_t B, long *y_size, long *wbuf_size)
{
    size_t C = (size_t)l->out_c;
    l->wino = l->g.k == 3 && l->g.s == 1 && l->g.p == 1 && l->g.c >= WINO_MIN_CHANNELS;
    if (l->wino) {
        snd_wino_init(&l->wg, l->g.h, l->g.w, l->g.w >= WINO_F4_MIN_WIDTH ? 4 : 2);
        l->group = (int)((WINO_MIN_TILES + l->wg.tiles - 1) / l->wg.tiles);
        l->group = l->group < (int)B ? l->group : (int)B;
        if (wino_buf_size(l) > *wbuf_size)
            *wbuf_size = wino_buf_size(l);
        if ((l->wu = malloc((size_t)l->wg.planes * C * (size_t)l->g.c * sizeof(float))) == NULL)
            return -1;
    }
    if (l->g.out_size > *y_size)
        *y_size = l->g.out_size;
    if ((l->mean = malloc(C * sizeof(float))) == NULL ||
        (l->istd = malloc(C * sizeof(float))) == NULL ||
        (l->pick = malloc(B * (size_t)l->out_size)) == NULL ||
        (l->bn_parts = malloc(GRAD_CHUNKS * 2 * C * sizeof(double))) == NULL)
        return -1;
    if (l->g.c * l->g.k * l->g.k > RECOMPUTE_MAX_K)
        return (l->y = malloc(B * (size_t)l->g.out_size * sizeof(float))) == NULL ? -1 : 0;
    return 0;
}

/* Whether layer i's backward pass writes its input gradient over its input, the output of
 * layer i - 1, rather than into grad_a or grad_b: a block reads each image of its input
 * before it writes that image's gradient, and a block before it needs its picks but not
 * its output in its own backward pass. Saves the largest gradient buffers: a block's
 * input is the largest tensor after the first convolution's output. */
static int grad_in_place(const struct snd_net *net, int i)
{
    return i > 0 && net->layers[i].kind == L_BLOCK && net->layers[i - 1].kind == L_BLOCK;
}

/* Allocate activations, masks and scratch for max_batch; -1 when out of memory. */
static int allocate(struct snd_net *net)
{
    long col = 1, y_size = 1, wbuf_size = 1, parts = 1;
    size_t B = (size_t)net->max_batch;
    int threads = net->pool ? snd_pool_threads(net->pool) : 1;
    for (int i = 0; i < net->n_layers; i++) {
        struct layer *l = &net->layers[i];
        size_t out = B * (size_t)l->out_size;
        if (l->kind == L_RELU && i > 0)
            l->out = l[-1].out; /* in place: its backward needs only its output */
        else if ((l->out = malloc(out * sizeof(float))) == NULL)
            return -1;
        if (l->kind == L_BN && ((l->mean = malloc(l->in_c * sizeof(float))) == NULL ||
                                (l->istd = malloc(l->in_c * sizeof(float))) == NULL))
            return -1;
        if (l->kind == L_MAXPOOL && (l->argmax = malloc(out * sizeof(int))) == NULL)
            return -1;
        if (l->kind == L_DROPOUT && (l->keep = malloc(out)) == NULL)
            return -1;
        if ((l->kind == L_CONV || l->kind == L_BLOCK) && l->w->size > parts)
            parts = l->w->size;
        if (l->kind == L_BLOCK && allocate_block(l, B, &y_size, &wbuf_size) != 0)
            return -1;
        if ((l->kind == L_CONV || l->kind == L_BLOCK) && !l->wino) {
            long c = (long)l->g.c * l->g.k * l->g.k * l->g.oh * l->g.ow;
            if (c > col)
                col = c;
        }
    }
    net->col_size = col;
    net->y_size = y_size;
    net->ybuf = malloc((size_t)threads * y_size * sizeof(float));
    net->dybuf = malloc((size_t)threads * y_size * sizeof(float));
    net->wbuf_size = wbuf_size;
    net->wbuf = malloc((size_t)threads * wbuf_size * sizeof(float));
    net->wgrad_parts = malloc(GRAD_CHUNKS * (size_t)parts * sizeof(float));
    net->input = malloc(B * (size_t)net->in_h * net->in_w * sizeof(float));
    /* Going backwards from the last layer, layers not writing in place alternate writing
     * their input gradient into grad_a and grad_b, as snd_net_backward() does: each is as
     * large as the largest input gradient it receives. */
    long size_a = 1, size_b = 1, *last = NULL;
    for (int i = net->n_layers - 1; i >= 0; i--) {
        if (grad_in_place(net, i)) {
            last = NULL;
            continue;
        }
        long *size = last == &size_a ? &size_b : &size_a;
        if (net->layers[i].in_size > *size)
            *size = net->layers[i].in_size;
        last = size;
    }
    net->grad_a = malloc(B * (size_t)size_a * sizeof(float));
    net->grad_b = malloc(B * (size_t)size_b * sizeof(float));
    net->dlogits = malloc(B * (size_t)net->n_out * sizeof(float));
    net->col = malloc((size_t)threads * col * sizeof(float));
    return !net->out_of_memory && net->input && net->grad_a && net->grad_b && net->dlogits &&
                   net->col && net->ybuf && net->dybuf && net->wbuf && net->wgrad_parts
               ? 0
               : -1;
}

struct snd_net *snd_net_new(const char *spec, int in_h, int in_w, int n_out, int max_batch,
                            struct snd_pool *pool, struct snd_err *err)
{
    char *text = strdup(spec);
    int n_items = 1, kind_count[L_BLOCK + 1] = {0};
    struct snd_net *net = calloc(1, sizeof *net);
    if (net != NULL)
        net->bn_momentum = SND_NET_BN_MOMENTUM;
    if (text == NULL || net == NULL) {
        free(text), free(net);
        snd_fail(err, "network: out of memory");
        return NULL;
    }
    for (const char *c = spec; *c; c++)
        n_items += *c == ',';
    net->in_h = in_h, net->in_w = in_w, net->n_out = n_out, net->max_batch = max_batch;
    net->pool = pool;
    /* Parallel work is spread over the batch by our pool; OpenBLAS's own threads on top
     * would only compete with it for the same cores. */
    openblas_set_num_threads(1);
    net->layers = calloc((size_t)n_items * 4, sizeof *net->layers);
    net->params = calloc((size_t)n_items * 4 * 4, sizeof *net->params);
    if (net->layers == NULL || net->params == NULL) {
        snd_fail(err, "network: out of memory");
        goto fail;
    }
    char *save = NULL;
    int index = 0;
    for (char *t = strtok_r(text, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        struct item it;
        if (parse_item(t, &it, err) != 0 ||
            add_item(net, &it, kind_count, ++index == n_items, err) != 0)
            goto fail;
    }
    if (index != n_items) {
        snd_fail(err, "network spec: empty item in \"%s\"", spec);
        goto fail;
    }
    struct layer *last = &net->layers[net->n_layers - 1];
    if (last->kind != L_DENSE || last->out_c != n_out) {
        snd_fail(err, "network spec: must end in a dense layer to the %d classes", n_out);
        goto fail;
    }
    if (allocate(net) != 0) {
        snd_fail(err, "network: out of memory for a batch of %d", max_batch);
        goto fail;
    }
    free(text);
    return net;
fail:
    free(text);
    snd_net_free(net);
    return NULL;
}

void snd_net_free(struct snd_net *net)
{
    if (net == NULL)
        return;
    for (int i = 0; i < net->n_layers; i++) {
        struct layer *l = &net->layers[i];
        if (!(l->kind == L_RELU && i > 0))
            free(l->out);
        free(l->mean), free(l->istd), free(l->argmax), free(l->keep);
        free(l->y), free(l->pick), free(l->bn_parts), free(l->wu);
    }
    for (int i = 0; i < net->n_params; i++)
        free(net->params[i].value), free(net->params[i].grad);
    free(net->layers), free(net->params);
    free(net->input), free(net->grad_a), free(net->grad_b), free(net->dlogits);
    free(net->col), free(net->ybuf), free(net->dybuf), free(net->wbuf);
    free(net->wgrad_parts);
    free(net);
}

const char *snd_net_spec(const struct snd_net *net)
{
    return net->spec;
}

int snd_net_n_params(const struct snd_net *net)
{
    return net->n_params;
}

struct snd_param *snd_net_param(struct snd_net *net, int i)
{
    net->filters_ready = 0;
    return &net->params[i];
}

struct snd_param *snd_net_param_find(struct snd_net *net, const char *name)
{
    net->filters_ready = 0;
    for (int i = 0; i < net->n_params; i++)
        if (strcmp(net->params[i].name, name) == 0)
            return &net->params[i];
    return NULL;
}

float *snd_net_input(struct snd_net *net)
{
    return net->input;
}

void snd_net_bn_momentum(struct snd_net *net, float momentum)
{
    net->bn_momentum = momentum;
}

void snd_net_seed_dropout(struct snd_net *net, uint64_t seed)
{
    snd_rng_seed(&net->dropout_rng, seed ^ 0x64726f706f7574ULL);
}

void snd_net_init(struct snd_net *net, uint64_t seed)
{
    struct snd_rng rng;
    snd_rng_seed(&rng, seed);
    net->filters_ready = 0;
    for (int i = 0; i < net->n_layers; i++) {
        struct layer *l = &net->layers[i];
        if (l->kind == L_CONV || l->kind == L_DENSE || l->kind == L_BLOCK) {
            long fan_in = l->w->size / l->w->shape[0];
            double std = sqrt(2.0 / (double)fan_in);
            for (long j = 0; j < l->w->size; j++)
                l->w->value[j] = (float)(std * snd_rng_normal(&rng));
            if (l->b)
                memset(l->b->value, 0, (size_t)l->b->size * sizeof(float));
        }
        if (l->kind == L_BN || l->kind == L_BLOCK) {
            struct snd_param *scale = l->kind == L_BN ? l->w : l->bn_w;
            struct snd_param *shift = l->kind == L_BN ? l->b : l->bn_b;
            for (long c = 0; c < scale->size; c++) {
                scale->value[c] = 1.0f, shift->value[c] = 0.0f;
                l->rmean->value[c] = 0.0f, l->rvar->value[c] = 1.0f;
            }
        }
    }
    snd_net_seed_dropout(net, seed);
}

double snd_net_flops(const struct snd_net *net)
{
    double f = 0;
    for (int i = 0; i < net->n_layers; i++) {
        const struct layer *l = &net->layers[i];
        if (l->kind == L_CONV || l->kind == L_BLOCK)
            f += 2.0 * (double)l->w->size * l->g.oh * l->g.ow;
        else if (l->kind == L_DENSE)
            f += 2.0 * (double)l->w->size;
    }
    return f;
}

/* ---- convolution ------------------------------------------------------------------- */

/* Unfold one image x (C x H x W) into col ((C k k) x (Ho Wo)): row (c, i, j) holds the
 * input under kernel tap (i, j) for every output position, zero outside the image. */
static void im2col(const struct geom *g, const float *x, float *col)
{
    int k = g->k, s = g->s, p = g->p, H = g->h, W = g->w;
    int Ho = g->oh, Wo = g->ow;
    for (int c = 0; c < g->c; c++)
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) {
                float *row = col + (((long)c * k + i) * k + j) * Ho * Wo;
                const float *xc = x + (long)c * H * W;
                for (int oh = 0; oh < Ho; oh++) {
                    int ih = oh * s - p + i;
                    float *dst = row + (long)oh * Wo;
                    if (ih < 0 || ih >= H) {
                        memset(dst, 0, (size_t)Wo * sizeof(float));
                        continue;
                    }
                    const float *src = xc + (long)ih * W;
                    if (s == 1) {
                        /* Outputs lo..hi see the row; the rest lie in the padding. */
                        int lo = p - j > 0 ? p - j : 0, hi = W + p - j < Wo ? W + p - j : Wo;
                        lo = lo < Wo ? lo : Wo;
                        hi = hi > lo ? hi : lo;
                        /* Plain loops: rows are short, and calls to memcpy cost more. */
                        const float *from = src - p + j;
                        for (int ow = 0; ow < lo; ow++)
                            dst[ow] = 0.0f;
                        for (int ow = lo; ow < hi; ow++)
                            dst[ow] = from[ow];
                        for (int ow = hi; ow < Wo; ow++)
                            dst[ow] = 0.0f;
                        continue;
                    }
                    for (int ow = 0; ow < Wo; ow++) {
                        int iw = ow * s - p + j;
                        dst[ow] = iw >= 0 && iw < W ? src[iw] : 0.0f;
                    }
                }
            }
}

/* The adjoint of im2col: add each col entry back to the input position it came from. */
static void col2im(const struct geom *g, const float *col, float *dx)
{
    int k = g->k, s = g->s, p = g->p, H = g->h, W = g->w;
    int Ho = g->oh, Wo = g->ow;
    memset(dx, 0, (size_t)g->in_size * sizeof(float));
    for (int c = 0; c < g->c; c++)
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) {
                const float *row = col + (((long)c * k + i) * k + j) * Ho * Wo;
                float *dxc = dx + (long)c * H * W;
                for (int oh = 0; oh < Ho; oh++) {
                    int ih = oh * s - p + i;
                    if (ih < 0 || ih >= H)
                        continue;
                    const float *src = row + (long)oh * Wo;
                    float *dst = dxc + (long)ih * W;
                    if (s == 1) {
                        int lo = p - j > 0 ? p - j : 0, hi = W + p - j < Wo ? W + p - j : Wo;
                        float *d = dst - p + j;
                        for (int ow = lo; ow < hi; ow++)
                            d[ow] += src[ow];
                        continue;
                    }
                    for (int ow = 0; ow < Wo; ow++) {
                        int iw = ow * s - p + j;
                        if (iw >= 0 && iw < W)
                            dst[iw] += src[ow];
                    }
                }
            }
}

struct job {
    struct snd_net *net;
    struct layer *l;
    const float *in;
    float *out;      /* forward output, or backward input gradient */
    const float *dy; /* backward: gradient at the layer's output */
    int batch, train;
};

/* fn over items 0..n-1 on the network's pool, or in this thread when it has none. */
static void run(struct snd_net *net, long n, void (*fn)(void *, long, int), void *ctx)
{
    /* One item (a live classifier's single window) gains nothing from waking the pool. */
    if (net->pool != NULL && n > 1) {
        snd_pool_run(net->pool, n, fn, ctx);
        return;
    }
    for (long i = 0; i < n; i++)
        fn(ctx, i, 0);
}

static void conv_forward_image(void *ctx, long n, int thread)
{
    struct job *j = ctx;
    struct layer *l = j->l;
    long K = (long)l->in_c * l->k * l->k, P = (long)l->out_h * l->out_w;
    float *col = j->net->col + thread * j->net->col_size;
    float *y = j->out + n * l->out_size;
    im2col(&l->g, j->in + n * l->in_size, col);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, l->out_c, (int)P, (int)K, 1.0f,
                l->w->value, (int)K, col, (int)P, 0.0f, y, (int)P);
    if (l->bias)
        for (int c = 0; c < l->out_c; c++)
            for (long q = 0; q < P; q++)
                y[c * P + q] += l->b->value[c];
}

/* Where chunk `chunk` of layer l's backward pass puts its partial weight gradient. */
static float *net_wgrad_part(struct snd_net *net, long chunk, const struct layer *l)
{
    return net->wgrad_parts + chunk * l->w->size;
}

/* The images of chunk `chunk` when a batch is cut into GRAD_CHUNKS nearly equal parts. */
static void chunk_bounds(int batch, long chunk, int *lo, int *hi)
{
    *lo = (int)(chunk * batch / GRAD_CHUNKS);
    *hi = (int)((chunk + 1) * batch / GRAD_CHUNKS);
}

static void conv_backward_chunk(void *ctx, long chunk, int thread)
{
    struct job *j = ctx;
    struct layer *l = j->l;
    int K = (int)(l->in_c * l->k * l->k), P = l->out_h * l->out_w, lo, hi;
    float *col = j->net->col + thread * j->net->col_size;
    float *dcol = col; /* col is done with once the weight gradient is taken */
    float *dw = net_wgrad_part(j->net, chunk, l);
    chunk_bounds(j->batch, chunk, &lo, &hi);
    memset(dw, 0, (size_t)l->w->size * sizeof(float));
    for (int n = lo; n < hi; n++) {
        const float *dy = j->dy + n * l->out_size;
        im2col(&l->g, j->in + n * l->in_size, col);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, l->out_c, K, P, 1.0f, dy, P, col, P,
                    1.0f, dw, K);
        if (!l->need_dx)
            continue;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, P, l->out_c, 1.0f, l->w->value, K,
                    dy, P, 0.0f, dcol, P);
        col2im(&l->g, dcol, j->out + n * l->in_size);
    }
}

/* Add the chunks' partial weight gradients in chunk order into the parameter's gradient. */
static void sum_chunks(const float *parts, long size, float *grad)
{
    memcpy(grad, parts, (size_t)size * sizeof(float));
    for (int c = 1; c < GRAD_CHUNKS; c++)
        for (long i = 0; i < size; i++)
            grad[i] += parts[c * size + i];
}

static void conv_backward(struct snd_net *net, struct layer *l, const float *x, const float *dy,
                          float *dx, int batch)
{
    struct job j = {net, l, x, dx, dy, batch, 1};
    run(net, GRAD_CHUNKS, conv_backward_chunk, &j);
    sum_chunks(net->wgrad_parts, l->w->size, l->w->grad);
    if (l->bias) {
        long P = (long)l->out_h * l->out_w;
        for (int c = 0; c < l->out_c; c++) {
            double s = 0;
            for (int n = 0; n < batch; n++)
                for (long q = 0; q < P; q++)
                    s += dy[n * l->out_size + c * P + q];
            l->b->grad[c] = (float)s;
        }
    }
}

/* ---- blocks: conv 3x3, batch norm, ReLU, max-pool 2x2 in one layer ------------------ */

/* A block keeps only its convolution's output (or not even that: see RECOMPUTE_MAX_K), its
 * pooled output and which of the four inputs each pooled value came from. The normalised
 * and rectified map in between is never stored: the forward pass makes it a row at a time
 * on the way to the pooling, and the backward pass needs only the convolution's output,
 * the statistics and the picks. A pick also says whether its value passed the ReLU, so
 * that the backward pass does not need the pooled output either: the block after it may
 * write its input gradient there (see grad_in_place). */

#define PICK_PASSED 4 /* beside the window position, 0 to 3 */

struct wino_bufs {
    float *v, *m, *z, *du; /* input tiles, products (or output-gradient input tiles), Z, dU */
    float *scratch;        /* the transforms' own */
    long ld;               /* tiles in a row of v, m and z: a group of images */
    long pc, pk;           /* plane strides of v (c channels), and of m and z (k) */
};

static struct wino_bufs wino_bufs(struct snd_net *net, const struct layer *l, int thread)
{
    struct wino_bufs b;
    b.ld = (long)l->group * l->wg.tiles;
    b.pc = snd_wino_plane(l->g.c, b.ld), b.pk = snd_wino_plane(l->g.oc, b.ld);
    b.v = net->wbuf + thread * net->wbuf_size;
    b.m = b.v + l->wg.planes * b.pc;
    b.z = b.m + l->wg.planes * b.pk;
    b.du = b.z + l->wg.planes * b.pk;
    b.scratch = b.du + (long)l->wg.planes * l->g.c * l->g.oc;
    return b;
}

/* The products out[x] = u[x] in[x] of each plane x: rows x inner times inner x tiles. */
static void wino_products(const struct snd_wino *g, const float *u, const float *in, float *out,
                          int rows, int inner, long tiles, long ld)
{
    long pin = snd_wino_plane(inner, ld), pout = snd_wino_plane(rows, ld);
    for (int x = 0; x < g->planes; x++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, (int)tiles, inner, 1.0f,
                    u + (long)x * rows * inner, inner, in + x * pin, (int)ld, 0.0f, out + x * pout,
                    (int)ld);
}

/* Convolution outputs of images n0..n1-1 (at most a group) into y, one every stride. */
static void wino_forward(struct snd_net *net, const struct layer *l, const float *x, long n0,
                         long n1, int thread, float *y, long stride)
{
    struct wino_bufs b = wino_bufs(net, l, thread);
    long T = l->wg.tiles;
    for (long n = n0; n < n1; n++)
        snd_wino_input(&l->wg, l->g.c, x + n * l->g.in_size, b.v, b.ld, (n - n0) * T, b.scratch);
    wino_products(&l->wg, l->wu, b.v, b.m, l->g.oc, l->g.c, (n1 - n0) * T, b.ld);
    for (long n = n0; n < n1; n++)
        snd_wino_output(&l->wg, l->g.oc, b.m, b.ld, (n - n0) * T, y + (n - n0) * stride, b.scratch);
}

/* Image n's convolution output computed into y (NULL: this thread's scratch); col holds
 * the image's im2col already, or is NULL to have it made here. */
static const float *block_conv(struct snd_net *net, const struct layer *l, const float *x, long n,
                               int thread, const float *col, float *y)
{
    const struct geom *g = &l->g;
    long K = (long)g->c * g->k * g->k, P = (long)g->oh * g->ow;
    if (y == NULL)
        y = net->ybuf + thread * net->y_size;
    if (l->wino) {
        wino_forward(net, l, x, n, n + 1, thread, y, 0);
        return y;
    }
    if (col == NULL) {
        float *scratch = net->col + thread * net->col_size;
        im2col(g, x + n * g->in_size, scratch);
        col = scratch;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->oc, (int)P, (int)K, 1.0f, l->w->value,
                (int)K, col, (int)P, 0.0f, y, (int)P);
    return y;
}

/* Image n's convolution output of the last training pass: kept, or computed again. */
static const float *block_y(struct snd_net *net, const struct layer *l, const float *x, long n,
                            int thread)
{
    return l->y ? l->y + n * l->g.out_size : block_conv(net, l, x, n, thread, NULL, NULL);
}

/* Four lanes, as GCC and Clang both spell vectors (unaligned loads through memcpy). */
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));

static v4f load4(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Lanes of a where mask is set, of b elsewhere. */
static v4f blend(v4i mask, v4f a, v4f b)
{
    return (v4f)(((v4i)a & mask) | ((v4i)b & ~mask));
}

#define STATS_RUN 256

/* Training, pass 1: convolve each image of a chunk (keeping the output when the block
 * keeps it) and sum it and its square per channel. */
static void block_stats_chunk(void *ctx, long chunk, int thread)
{
    struct job *j = ctx;
    struct layer *l = j->l;
    const struct geom *g = &l->g;
    long P = (long)g->oh * g->ow;
    double *sums = l->bn_parts + chunk * 2 * g->oc;
    int lo, hi;
    chunk_bounds(j->batch, chunk, &lo, &hi);
    memset(sums, 0, 2 * (size_t)g->oc * sizeof(double));
    for (int n = lo; n < hi; n++) {
        const float *y;
        if (l->wino && (n - lo) % l->group == 0) /* a group at a time, into the kept outputs */
            wino_forward(j->net, l, j->in, n, n + l->group < hi ? n + l->group : hi, thread,
                         l->y + n * g->out_size, g->out_size);
        if (l->wino)
            y = l->y + n * g->out_size;
        else
            y = block_conv(j->net, l, j->in, n, thread, NULL, l->y ? l->y + n * g->out_size : NULL);
        for (int c = 0; c < g->oc; c++) {
            /* Runs of STATS_RUN values summed in four lanes of floats, added in a fixed
             * order into doubles: the result does not depend on the machine, and no float
             * sum grows long enough to lose much. */
            const float *yc = y + c * P;
            double s = 0, ss = 0;
            long q = 0;
            while (q + 4 <= P) {
                long end = q + STATS_RUN < P ? q + STATS_RUN : P;
                v4f s4 = {0, 0, 0, 0}, ss4 = {0, 0, 0, 0};
                for (; q + 4 <= end; q += 4) {
                    v4f v = load4(yc + q);
                    s4 += v, ss4 += v * v;
                }
                s += (double)((s4[0] + s4[1]) + (s4[2] + s4[3]));
                ss += (double)((ss4[0] + ss4[1]) + (ss4[2] + ss4[3]));
            }
            for (; q < P; q++)
                s += yc[q], ss += (double)yc[q] * yc[q];
            sums[2 * c] += s, sums[2 * c + 1] += ss;
        }
    }
}

/* The batch statistics from the chunks' sums, and the running averages (PyTorch keeps
 * the unbiased variance there). */
static void block_batch_stats(struct layer *l, int batch, float momentum)
{
    long count = (long)batch * l->g.oh * l->g.ow;
    for (int c = 0; c < l->out_c; c++) {
        double s = 0, ss = 0;
        for (int k = 0; k < GRAD_CHUNKS; k++)
            s += l->bn_parts[(k * l->out_c + c) * 2], ss += l->bn_parts[(k * l->out_c + c) * 2 + 1];
        double mean = s / (double)count, var = ss / (double)count - mean * mean;
        var = var > 0 ? var : 0;
        double unbiased = count > 1 ? var * (double)count / (double)(count - 1) : var;
        l->mean[c] = (float)mean;
        l->istd[c] = (float)(1.0 / sqrt(var + BN_EPS));
        l->rmean->value[c] = (1 - momentum) * l->rmean->value[c] + momentum * (float)mean;
        l->rvar->value[c] = (1 - momentum) * l->rvar->value[c] + momentum * (float)unbiased;
    }
}

static void block_eval_stats(struct layer *l)
{
    for (int c = 0; c < l->out_c; c++) {
        l->mean[c] = l->rmean->value[c];
        l->istd[c] = 1.0f / sqrtf(l->rvar->value[c] + BN_EPS);
    }
}

/* One row of pooled cells from conv rows r0 and r1: the largest normalised value of each
 * 2 x 2 window (the largest input when the scale is positive, the smallest when it is
 * negative, first of equals winning as in PyTorch), normalised and rectified, and which of
 * the four it was. Four windows at a time, then the rest one by one. */
static void pool_row(const float *r0, const float *r1, int n, float scale, float shift, float *o,
                     unsigned char *pk)
{
    float sign = scale < 0.0f ? -1.0f : 1.0f;
    int ow = 0;
    for (; ow + 4 <= n; ow += 4) {
        v4f a0 = load4(r0 + 2 * ow), b0 = load4(r0 + 2 * ow + 4);
        v4f a1 = load4(r1 + 2 * ow), b1 = load4(r1 + 2 * ow + 4);
        v4f v0 = sign * __builtin_shufflevector(a0, b0, 0, 2, 4, 6);
        v4f v1 = sign * __builtin_shufflevector(a0, b0, 1, 3, 5, 7);
        v4f v2 = sign * __builtin_shufflevector(a1, b1, 0, 2, 4, 6);
        v4f v3 = sign * __builtin_shufflevector(a1, b1, 1, 3, 5, 7);
        v4i b01 = v1 > v0, b23 = v3 > v2;
        v4f m01 = blend(b01, v1, v0), m23 = blend(b23, v3, v2);
        v4i top = m23 > m01;
        v4f z = blend(top, m23, m01) * (sign * scale) + shift;
        v4f zero = {0, 0, 0, 0};
        v4f r = blend(z > zero, z, zero);
        v4i best = (top & (2 + (b23 & 1))) | (~top & (b01 & 1)) | ((z > zero) & PICK_PASSED);
        memcpy(o + ow, &r, sizeof r);
        for (int k = 0; k < 4; k++)
            pk[ow + k] = (unsigned char)best[k];
    }
    for (; ow < n; ow++) {
        float v0 = sign * r0[2 * ow], v1 = sign * r0[2 * ow + 1];
        float v2 = sign * r1[2 * ow], v3 = sign * r1[2 * ow + 1];
        int b01 = v1 > v0, b23 = v3 > v2;
        float m01 = b01 ? v1 : v0, m23 = b23 ? v3 : v2;
        int best = m23 > m01 ? 2 + b23 : b01;
        float z = (m23 > m01 ? m23 : m01) * (sign * scale) + shift;
        o[ow] = z > 0.0f ? z : 0.0f;
        best |= z > 0.0f ? PICK_PASSED : 0;
        pk[ow] = (unsigned char)best;
    }
}

/* Pass 2: normalise, rectify and pool image n; record each window's pick (0..3). */
static void block_pool_image(void *ctx, long n, int thread)
{
    struct job *j = ctx;
    struct layer *l = j->l;
    const struct geom *g = &l->g;
    /* In evaluation nothing is kept: the output is computed here. */
    const float *y = j->train ? block_y(j->net, l, j->in, n, thread)
                              : block_conv(j->net, l, j->in, n, thread, NULL, NULL);
    long P = (long)g->oh * g->ow, Q = (long)l->out_h * l->out_w;
    float *out = l->out + n * l->out_size;
    unsigned char *pick = l->pick + n * l->out_size;
    for (int c = 0; c < g->oc; c++) {
        float scale = l->bn_w->value[c] * l->istd[c];
        float shift = l->bn_b->value[c] - l->mean[c] * scale;
        const float *yc = y + c * P;
        for (int oh = 0; oh < l->out_h; oh++) {
            const float *r0 = yc + (long)(2 * oh) * g->ow;
            pool_row(r0, r0 + g->ow, l->out_w, scale, shift, out + c * Q + (long)oh * l->out_w,
                     pick + c * Q + (long)oh * l->out_w);
        }
    }
}

/* Offset in a channel's convolution output (conv_w wide) of pick p of the window of
 * pooled cell (oh, ow). */
static long picked_at(int conv_w, int oh, int ow, int p)
{
    return (long)(2 * oh + ((p >> 1) & 1)) * conv_w + 2 * ow + (p & 1);
}

/* The gradient of each pooled cell of a row whose value passed the ReLU (zero for the
 * others), and the convolution output its pick names, from conv rows r0 and r1: four cells
 * at a time, as pool_row reads them. */
static v4f picked4(const float *r0, const float *r1, const unsigned char *pk, int ow,
                   const float *dy, v4f *g)
{
    v4i p = {pk[ow], pk[ow + 1], pk[ow + 2], pk[ow + 3]}, zero = {0, 0, 0, 0};
    v4f a0 = load4(r0 + 2 * ow), b0 = load4(r0 + 2 * ow + 4);
    v4f a1 = load4(r1 + 2 * ow), b1 = load4(r1 + 2 * ow + 4);
    v4f v0 = __builtin_shufflevector(a0, b0, 0, 2, 4, 6);
    v4f v1 = __builtin_shufflevector(a0, b0, 1, 3, 5, 7);
    v4f v2 = __builtin_shufflevector(a1, b1, 0, 2, 4, 6);
    v4f v3 = __builtin_shufflevector(a1, b1, 1, 3, 5, 7);
    v4i w = p & 3;
    *g = blend((p & PICK_PASSED) != zero, load4(dy + ow), (v4f)zero);
    return blend(w == 0, v0, blend(w == 1, v1, blend(w == 2, v2, v3)));
}

/* Backward, pass 1: per channel, the sums of the gradient at the normalised output and of
 * its product with the normalised value; only picked cells whose value passed the ReLU
 * have a gradient. A row's sums are kept in four lanes of floats, then added in double;
 * the sum with the normalised value follows from the sums of g and of g times the value. */
static void block_grad_sums_chunk(void *ctx, long chunk, int thread)
{
    struct job *j = ctx;
    struct layer *l = j->l;
    long P = (long)l->g.oh * l->g.ow, Q = (long)l->out_h * l->out_w;
    double *sums = l->bn_parts + chunk * 2 * l->out_c;
    int lo, hi, cw = l->g.ow;
    chunk_bounds(j->batch, chunk, &lo, &hi);
    memset(sums, 0, 2 * (size_t)l->out_c * sizeof(double));
    for (int n = lo; n < hi; n++) {
        const float *y = block_y(j->net, l, j->in, n, thread);
        for (int c = 0; c < l->out_c; c++) {
            double s = 0, sv = 0;
            for (int oh = 0; oh < l->out_h; oh++) {
                long o = c * Q + (long)oh * l->out_w;
                const float *dy = j->dy + n * l->out_size + o, *r0 = y + c * P + 2L * oh * cw;
                const unsigned char *pk = l->pick + n * l->out_size + o;
                v4f s4 = {0, 0, 0, 0}, sv4 = {0, 0, 0, 0}, g;
                int ow = 0;
                for (; ow + 4 <= l->out_w; ow += 4) {
                    v4f v = picked4(r0, r0 + cw, pk, ow, dy, &g);
                    s4 += g, sv4 += g * v;
                }
                s += (double)((s4[0] + s4[1]) + (s4[2] + s4[3]));
                sv += (double)((sv4[0] + sv4[1]) + (sv4[2] + sv4[3]));
                for (; ow < l->out_w; ow++) {
                    float gs = pk[ow] & PICK_PASSED ? dy[ow] : 0.0f;
                    s += gs, sv += (double)gs * r0[picked_at(cw, 0, ow, pk[ow])];
                }
            }
            sums[2 * c] += s, sums[2 * c + 1] += (sv - l->mean[c] * s) * l->istd[c];
        }
    }
}

/* Add a times the gradient of each pooled cell of a row whose value passed the ReLU to the
 * cell of conv rows d and d + cw its pick names: four cells at a time, their contributions
 * to the two rows interleaved as pool_row split them. */
static void unpool_row(const float *dy, const unsigned char *pk, int n, float a, float *d, int cw)
{
    int ow = 0;
    for (; ow + 4 <= n; ow += 4) {
        v4i p = {pk[ow], pk[ow + 1], pk[ow + 2], pk[ow + 3]}, zero = {0, 0, 0, 0}, w = p & 3;
        v4f g = blend((p & PICK_PASSED) != zero, load4(dy + ow) * a, (v4f)zero), f[4], r[4];
        for (int k = 0; k < 4; k++)
            f[k] = blend(w == k, g, (v4f)zero);
        r[0] = __builtin_shufflevector(f[0], f[1], 0, 4, 1, 5);
        r[1] = __builtin_shufflevector(f[0], f[1], 2, 6, 3, 7);
        r[2] = __builtin_shufflevector(f[2], f[3], 0, 4, 1, 5);
        r[3] = __builtin_shufflevector(f[2], f[3], 2, 6, 3, 7);
        for (int k = 0; k < 4; k++) {
            float *at = d + (k >> 1) * cw + 2 * ow + 4 * (k & 1);
            v4f sum = load4(at) + r[k];
            memcpy(at, &sum, sizeof sum);
        }
    }
    for (; ow < n; ow++) {
        float g = pk[ow] & PICK_PASSED ? dy[ow] : 0.0f;
        d[picked_at(cw, 0, ow, pk[ow])] += a * g;
    }
}

/* Image n's gradient at the convolution output, into d: through the pooling's picks, the
 * ReLU and the batch normalisation (whose sums are in the bn gradients by now). */
static void block_conv_grad(const struct layer *l, const float *dout, long n, long count,
                            const float *y, float *d)
{
    long P = (long)l->g.oh * l->g.ow, Q = (long)l->out_h * l->out_w;
    const float *dy = dout + n * l->out_size;
    const unsigned char *pick = l->pick + n * l->out_size;
    for (int c = 0; c < l->g.oc; c++) {
        float a = l->bn_w->value[c] * l->istd[c];
        float mdy = (float)(l->bn_b->grad[c] / (double)count);
        float mdx = (float)(l->bn_w->grad[c] / (double)count);
        float mean = l->mean[c], istd = l->istd[c];
        const float *yc = y + (long)c * P;
        float *dc = d + (long)c * P;
        for (long q = 0; q < P; q++)
            dc[q] = -a * (mdy + (yc[q] - mean) * istd * mdx);
        for (int oh = 0; oh < l->out_h; oh++) {
            long o = c * Q + (long)oh * l->out_w;
            unpool_row(dy + o, pick + o, l->out_w, a, dc + 2L * oh * l->g.ow, l->g.ow);
        }
    }
}

/* Pass 2 by Winograd, a group of images at a time: Z and V tiles give the weight
 * gradient's transform, and the output gradient's own input tiles with the flipped
 * filters give the input gradient. */
static void block_backward_wino_chunk(void *ctx, long chunk, int thread)
{
    struct job *j = ctx;
    struct layer *l = j->l;
    struct wino_bufs b = wino_bufs(j->net, l, thread);
    int C = l->g.c, K = l->g.oc, lo, hi;
    long T = l->wg.tiles, count = (long)j->batch * l->g.oh * l->g.ow;
    float *d = j->net->dybuf + thread * j->net->y_size;
    float *dw = net_wgrad_part(j->net, chunk, l);
    chunk_bounds(j->batch, chunk, &lo, &hi);
    memset(b.du, 0, (size_t)l->wg.planes * K * C * sizeof(float));
    for (long n0 = lo; n0 < hi; n0 += l->group) {
        long n1 = n0 + l->group < hi ? n0 + l->group : hi, nt = (n1 - n0) * T;
        for (long n = n0; n < n1; n++) {
            block_conv_grad(l, j->dy, n, count, l->y + n * l->g.out_size, d);
            snd_wino_outgrad(&l->wg, K, d, b.z, b.ld, (n - n0) * T, b.scratch);
            snd_wino_input(&l->wg, K, d, b.m, b.ld, (n - n0) * T, b.scratch);
            snd_wino_input(&l->wg, C, j->in + n * l->g.in_size, b.v, b.ld, (n - n0) * T, b.scratch);
        }
        for (int x = 0; x < l->wg.planes; x++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, K, C, (int)nt, 1.0f,
                        b.z + x * b.pk, (int)b.ld, b.v + x * b.pc, (int)b.ld, 1.0f,
                        b.du + (long)x * K * C, C);
        if (!l->need_dx)
            continue;
        wino_products(&l->wg, l->wu, b.m, b.v, C, K, nt, b.ld); /* the input tiles are spent */
        for (long n = n0; n < n1; n++)
            snd_wino_output(&l->wg, C, b.v, b.ld, (n - n0) * T, j->out + n * l->g.in_size,
                            b.scratch);
    }
    memset(dw, 0, (size_t)l->w->size * sizeof(float));
    snd_wino_filter_grad(&l->wg, b.du, K, C, dw);
}

/* Pass 2: each image's gradient at the convolution output, then the convolution's own
 * backward pass: its weight gradient (summed per chunk) and the input gradient. */
static void block_backward_chunk(void *ctx, long chunk, int thread)
{
    struct job *j = ctx;
    struct layer *l = j->l;
    const struct geom *g = &l->g;
    int K = g->c * g->k * g->k, P = g->oh * g->ow, lo, hi;
    long count = (long)j->batch * P;
    float *col = j->net->col + thread * j->net->col_size;
    float *dcol = col; /* col is done with once the weight gradient is taken */
    float *d = j->net->dybuf + thread * j->net->y_size;
    float *dw = net_wgrad_part(j->net, chunk, l);
    chunk_bounds(j->batch, chunk, &lo, &hi);
    memset(dw, 0, (size_t)l->w->size * sizeof(float));
    for (int n = lo; n < hi; n++) {
        im2col(g, j->in + n * g->in_size, col);
        const float *y =
            l->y ? l->y + n * g->out_size : block_conv(j->net, l, j->in, n, thread, col, NULL);
        block_conv_grad(l, j->dy, n, count, y, d);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, g->oc, K, P, 1.0f, d, P, col, P, 1.0f,
                    dw, K);
        if (!l->need_dx)
            continue;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, P, g->oc, 1.0f, l->w->value, K, d,
                    P, 0.0f, dcol, P);
        col2im(g, dcol, j->out + n * g->in_size);
    }
}

static void block_forward(struct snd_net *net, struct layer *l, const float *x, int batch,
                          int train)
{
    struct job j = {net, l, x, l->out, NULL, batch, train};
    if (l->wino && (train || !net->filters_ready))
        snd_wino_filters(&l->wg, l->w->value, l->g.oc, l->g.c, 0, l->wu);
    if (train) {
        run(net, GRAD_CHUNKS, block_stats_chunk, &j);
        block_batch_stats(l, batch, net->bn_momentum);
    } else {
        block_eval_stats(l);
    }
    run(net, batch, block_pool_image, &j);
}

static void block_backward(struct snd_net *net, struct layer *l, const float *x, const float *dy,
                           float *dx, int batch)
{
    struct job j = {net, l, x, dx, dy, batch, 1};
    run(net, GRAD_CHUNKS, block_grad_sums_chunk, &j);
    for (int c = 0; c < l->out_c; c++) {
        double s = 0, sx = 0;
        for (int k = 0; k < GRAD_CHUNKS; k++)
            s += l->bn_parts[(k * l->out_c + c) * 2], sx += l->bn_parts[(k * l->out_c + c) * 2 + 1];
        l->bn_b->grad[c] = (float)s;
        l->bn_w->grad[c] = (float)sx;
    }
    if (l->wino) {
        snd_wino_filters(&l->wg, l->w->value, l->g.oc, l->g.c, 1,
                         l->wu); /* until the next forward */
        run(net, GRAD_CHUNKS, block_backward_wino_chunk, &j);
    } else {
        run(net, GRAD_CHUNKS, block_backward_chunk, &j);
    }
    sum_chunks(net->wgrad_parts, l->w->size, l->w->grad);
}

/* ---- batch normalisation ---------------------------------------------------------- */

static void bn_forward_channel(void *ctx, long c, int thread)
{
    struct job *j = ctx;
    struct layer *l = j->l;
    long P = (long)l->in_h * l->in_w;
    float mean, istd;
    (void)thread;
    if (j->train) {
        /* Two passes in double: exact enough that the variance never goes negative. */
        double s = 0, ss = 0, m;
        long count = (long)j->batch * P;
        for (int n = 0; n < j->batch; n++) {
            const float *x = j->in + n * l->in_size + c * P;
            for (long q = 0; q < P; q++)
                s += x[q];
        }
        m = s / (double)count;
        for (int n = 0; n < j->batch; n++) {
            const float *x = j->in + n * l->in_size + c * P;
            for (long q = 0; q < P; q++)
                ss += (x[q] - m) * (x[q] - m);
        }
        double var = ss / (double)count;
        double unbiased = count > 1 ? ss / (double)(count - 1) : var;
        mean = (float)m;
        istd = (float)(1.0 / sqrt(var + BN_EPS));
        float momentum = j->net->bn_momentum;
        l->rmean->value[c] = (1 - momentum) * l->rmean->value[c] + momentum * (float)m;
        l->rvar->value[c] = (1 - momentum) * l->rvar->value[c] + momentum * (float)unbiased;
    } else {
        mean = l->rmean->value[c];
        istd = 1.0f / sqrtf(l->rvar->value[c] + BN_EPS);
    }
    l->mean[c] = mean, l->istd[c] = istd;
    float scale = l->w->value[c] * istd, shift = l->b->value[c] - mean * scale;
    for (int n = 0; n < j->batch; n++) {
        const float *x = j->in + n * l->in_size + c * P;
        float *y = j->out + n * l->out_size + c * P;
        for (long q = 0; q < P; q++)
            y[q] = x[q] * scale + shift;
    }
}

/* Backward in training mode: the batch statistics depend on every input, hence the two
 * sums over the channel before the input gradient. */
static void bn_backward_channel(void *ctx, long c, int thread)
{
    struct job *j = ctx;
    struct layer *l = j->l;
    long P = (long)l->in_h * l->in_w, count = (long)j->batch * P;
    float mean = l->mean[c], istd = l->istd[c], gamma = l->w->value[c];
    double sum_dy = 0, sum_dy_xhat = 0;
    (void)thread;
    for (int n = 0; n < j->batch; n++) {
        const float *x = j->in + n * l->in_size + c * P;
        const float *dy = j->dy + n * l->out_size + c * P;
        for (long q = 0; q < P; q++) {
            sum_dy += dy[q];
            sum_dy_xhat += dy[q] * (x[q] - mean) * istd;
        }
    }
    l->w->grad[c] = (float)sum_dy_xhat;
    l->b->grad[c] = (float)sum_dy;
    if (!l->need_dx)
        return;
    float a = gamma * istd, mdy = (float)(sum_dy / count), mdx = (float)(sum_dy_xhat / count);
    for (int n = 0; n < j->batch; n++) {
        const float *x = j->in + n * l->in_size + c * P;
        const float *dy = j->dy + n * l->out_size + c * P;
        float *dx = j->out + n * l->in_size + c * P;
        for (long q = 0; q < P; q++)
            dx[q] = a * (dy[q] - mdy - (x[q] - mean) * istd * mdx);
    }
}

/* ---- pooling, activation, dropout ------------------------------------------------- */

static void maxpool_forward_image(void *ctx, long n, int thread)
{
    struct job *j = ctx;
    struct layer *l = j->l;
    int k = l->k;
    (void)thread;
    for (int c = 0; c < l->in_c; c++) {
        const float *x = j->in + n * l->in_size + (long)c * l->in_h * l->in_w;
        long obase = n * l->out_size + (long)c * l->out_h * l->out_w;
        for (int oh = 0; oh < l->out_h; oh++)
            for (int ow = 0; ow < l->out_w; ow++) {
                long best = (long)oh * k * l->in_w + (long)ow * k;
                for (int i = 0; i < k; i++)
                    for (int jj = 0; jj < k; jj++) {
                        long at = (long)(oh * k + i) * l->in_w + ow * k + jj;
                        if (x[at] > x[best])
                            best = at;
                    }
                long o = obase + (long)oh * l->out_w + ow;
                j->out[o] = x[best];
                l->argmax[o] = (int)(best + (long)c * l->in_h * l->in_w);
            }
    }
}

static void maxpool_backward_image(void *ctx, long n, int thread)
{
    struct job *j = ctx;
    struct layer *l = j->l;
    float *dx = j->out + n * l->in_size;
    (void)thread;
    memset(dx, 0, (size_t)l->in_size * sizeof(float));
    for (long o = 0; o < l->out_size; o++)
        dx[l->argmax[n * l->out_size + o]] += j->dy[n * l->out_size + o];
}

static void relu_forward_image(void *ctx, long n, int thread)
{
    struct job *j = ctx;
    long size = j->l->out_size;
    (void)thread;
    for (long i = n * size; i < (n + 1) * size; i++)
        j->out[i] = j->in[i] > 0.0f ? j->in[i] : 0.0f;
}

static void relu_backward_image(void *ctx, long n, int thread)
{
    struct job *j = ctx;
    long size = j->l->out_size;
    (void)thread;
    for (long i = n * size; i < (n + 1) * size; i++)
        j->out[i] = j->l->out[i] > 0.0f ? j->dy[i] : 0.0f;
}

static void gap_forward(const struct layer *l, const float *x, float *y, int batch)
{
    long P = (long)l->in_h * l->in_w;
    for (long nc = 0; nc < (long)batch * l->in_c; nc++) {
        double s = 0;
        for (long q = 0; q < P; q++)
            s += x[nc * P + q];
        y[nc] = (float)(s / (double)P);
    }
}

static void gap_backward(const struct layer *l, const float *dy, float *dx, int batch)
{
    long P = (long)l->in_h * l->in_w;
    for (long nc = 0; nc < (long)batch * l->in_c; nc++)
        for (long q = 0; q < P; q++)
            dx[nc * P + q] = dy[nc] / (float)P;
}

static void dropout_forward(struct snd_net *net, struct layer *l, const float *x, float *y,
                            int batch, int train)
{
    long size = (long)batch * l->out_size;
    float scale = 1.0f / (1.0f - l->p);
    for (long i = 0; i < size; i++) {
        l->keep[i] = !train || snd_rng_uniform(&net->dropout_rng) >= l->p;
        y[i] = !train ? x[i] : l->keep[i] ? x[i] * scale : 0.0f;
    }
}

static void dropout_backward(const struct layer *l, const float *dy, float *dx, int batch)
{
    long size = (long)batch * l->out_size;
    float scale = 1.0f / (1.0f - l->p);
    for (long i = 0; i < size; i++)
        dx[i] = l->keep[i] ? dy[i] * scale : 0.0f;
}

/* ---- dense ------------------------------------------------------------------------ */

/* One example at a time, so that an example's outputs do not depend on the batch it
 * came in (a batch of one would otherwise take another BLAS path and round differently):
 * snd-classify gives the same rows live, one window at a time, as in batches. */
static void dense_forward(const struct layer *l, const float *x, float *y, int batch)
{
    int in = (int)l->in_size, out = l->out_c;
    for (int n = 0; n < batch; n++) {
        memcpy(y + (long)n * out, l->b->value, (size_t)out * sizeof(float));
        cblas_sgemv(CblasRowMajor, CblasNoTrans, out, in, 1.0f, l->w->value, in, x + (long)n * in,
                    1, 1.0f, y + (long)n * out, 1);
    }
}

static void dense_backward(const struct layer *l, const float *x, const float *dy, float *dx,
                           int batch)
{
    int in = (int)l->in_size, out = l->out_c;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, batch, 1.0f, dy, out, x, in, 0.0f,
                l->w->grad, in);
    for (int k = 0; k < out; k++) {
        double s = 0;
        for (int n = 0; n < batch; n++)
            s += dy[(long)n * out + k];
        l->b->grad[k] = (float)s;
    }
    if (l->need_dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, in, out, 1.0f, dy, out,
                    l->w->value, in, 0.0f, dx, in);
}

/* ---- the passes ------------------------------------------------------------------- */

const float *snd_net_forward(struct snd_net *net, int batch, enum snd_net_mode mode)
{
    const float *x = net->input;
    int train = mode == SND_NET_TRAIN;
    for (int i = 0; i < net->n_layers; i++) {
        struct layer *l = &net->layers[i];
        struct job j = {net, l, x, l->out, NULL, batch, train};
        switch (l->kind) {
        case L_CONV:
            run(net, batch, conv_forward_image, &j);
            break;
        case L_BLOCK:
            block_forward(net, l, x, batch, train);
            break;
        case L_BN:
            run(net, l->in_c, bn_forward_channel, &j);
            break;
        case L_RELU:
            run(net, batch, relu_forward_image, &j);
            break;
        case L_MAXPOOL:
            run(net, batch, maxpool_forward_image, &j);
            break;
        case L_GAP:
            gap_forward(l, x, l->out, batch);
            break;
        case L_DROPOUT:
            dropout_forward(net, l, x, l->out, batch, train);
            break;
        case L_DENSE:
            dense_forward(l, x, l->out, batch);
            break;
        }
        x = l->out;
    }
    net->filters_ready = !train;
    return x;
}

static const float *layer_input(const struct snd_net *net, int i)
{
    return i == 0 ? net->input : net->layers[i - 1].out;
}

void snd_net_backward(struct snd_net *net, int batch)
{
    const float *dy = net->dlogits;
    for (int i = net->n_layers - 1; i >= 0; i--) {
        struct layer *l = &net->layers[i];
        const float *x = layer_input(net, i);
        float *dx = grad_in_place(net, i) ? net->layers[i - 1].out
                    : dy == net->grad_a   ? net->grad_b
                                          : net->grad_a;
        struct job j = {net, l, x, dx, dy, batch, 1};
        switch (l->kind) {
        case L_CONV:
            conv_backward(net, l, x, dy, dx, batch);
            break;
        case L_BLOCK:
            block_backward(net, l, x, dy, dx, batch);
            break;
        case L_BN:
            run(net, l->in_c, bn_backward_channel, &j);
            break;
        case L_RELU:
            run(net, batch, relu_backward_image, &j);
            break;
        case L_MAXPOOL:
            run(net, batch, maxpool_backward_image, &j);
            break;
        case L_GAP:
            gap_backward(l, dy, dx, batch);
            break;
        case L_DROPOUT:
            dropout_backward(l, dy, dx, batch);
            break;
        case L_DENSE:
            dense_backward(l, x, dy, dx, batch);
            break;
        }
        dy = dx;
    }
}

/* ---- losses ----------------------------------------------------------------------- */

static const float *logits(const struct snd_net *net)
{
    return net->layers[net->n_layers - 1].out;
}

double snd_net_loss_softmax(struct snd_net *net, int batch, const float *targets,
                            const float *weights)
{
    const float *z = logits(net);
    int K = net->n_out;
    double loss = 0, wsum = 0;
    for (int n = 0; n < batch; n++)
        wsum += weights ? weights[n] : 1.0;
    for (int n = 0; n < batch; n++) {
        const float *zn = z + (long)n * K;
        const float *t = targets + (long)n * K;
        float *g = net->dlogits + (long)n * K;
        double w = (weights ? weights[n] : 1.0) / wsum, max = zn[0], s = 0, tsum = 0;
        for (int k = 1; k < K; k++)
            if (zn[k] > max)
                max = zn[k];
        for (int k = 0; k < K; k++)
            s += exp(zn[k] - max);
        double lse = max + log(s);
        for (int k = 0; k < K; k++) {
            loss -= w * t[k] * (zn[k] - lse);
            tsum += t[k];
        }
        for (int k = 0; k < K; k++)
            g[k] = (float)(w * (tsum * exp(zn[k] - lse) - t[k]));
    }
    return loss;
}

double snd_net_loss_sigmoid(struct snd_net *net, int batch, const float *targets,
                            const float *pos_weight)
{
    const float *z = logits(net);
    int K = net->n_out;
    long count = (long)batch * K;
    double loss = 0;
    for (long i = 0; i < count; i++) {
        double x = z[i], t = targets[i], pw = pos_weight ? pos_weight[i % K] : 1.0;
        /* log(sigmoid(x)) and log(1 - sigmoid(x)), stable for large |x| */
        double log_p = -(x > 0 ? log1p(exp(-x)) : log1p(exp(x)) - x);
        double log_q = log_p - x;
        double p = exp(log_p);
        loss -= pw * t * log_p + (1 - t) * log_q;
        net->dlogits[i] = (float)((pw * t * (p - 1) + (1 - t) * p) / (double)count);
    }
    return loss / (double)count;
}
