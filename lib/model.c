/* model: the model file, written through an atomic temporary and read with every part
 * checked before the network is trusted with it. */
#include "model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "h5util.h"

const char *const snd_history_names[SND_HISTORY_COLUMNS] = {
    "epoch", "train_loss", "train_metric", "val_loss", "val_metric", "seconds", "lr"};

const char *snd_task_name(enum snd_task t)
{
    return t == SND_TASK_MULTILABEL ? "multilabel" : "multiclass";
}

int snd_model_window_frames(const struct snd_feat_params *p, double sec)
{
    long samples = lround(sec * p->sample_rate);
    if (p->center)
        return (int)(1 + samples / p->hop_length);
    return samples >= p->n_fft ? (int)(1 + (samples - p->n_fft) / p->hop_length) : 1;
}

/* Copy n strings into one allocation: the pointers, then the bytes. */
static char **copy_strings(const char *const *s, int n)
{
    size_t bytes = 0;
    for (int i = 0; i < n; i++)
        bytes += strlen(s[i]) + 1;
    char **out = malloc((size_t)n * sizeof *out + bytes + 1);
    if (out == NULL)
        return NULL;
    char *dst = (char *)(out + n);
    for (int i = 0; i < n; i++) {
        out[i] = strcpy(dst, s[i]);
        dst += strlen(s[i]) + 1;
    }
    return out;
}

static struct snd_model *model_alloc(const struct snd_feat_params *feat, enum snd_task task,
                                     double window_sec, int n_classes, struct snd_err *err)
{
    struct snd_model *m = calloc(1, sizeof *m);
    if (m != NULL) {
        m->mean = calloc((size_t)feat->n_mels, sizeof(float));
        m->std = malloc((size_t)feat->n_mels * sizeof(float));
    }
    if (m == NULL || m->mean == NULL || m->std == NULL) {
        snd_model_free(m);
        snd_fail(err, "model: out of memory");
        return NULL;
    }
    m->feat = *feat;
    m->task = task;
    m->window_sec = window_sec;
    m->window_frames = snd_model_window_frames(feat, window_sec);
    m->n_classes = n_classes;
    m->best_epoch = -1;
    for (int b = 0; b < feat->n_mels; b++)
        m->std[b] = 1.0f;
    return m;
}

struct snd_model *snd_model_new(const struct snd_feat_params *feat, enum snd_task task,
                                double window_sec, const char *const *labels, int n_classes,
                                const char *spec, int max_batch, struct snd_pool *pool,
                                struct snd_err *err)
{
    struct snd_model *m = model_alloc(feat, task, window_sec, n_classes, err);
    if (m == NULL)
        return NULL;
    if ((m->labels = copy_strings(labels, n_classes)) == NULL) {
        snd_model_free(m);
        snd_fail(err, "model: out of memory");
        return NULL;
    }
    m->net = snd_net_new(spec, m->window_frames, feat->n_mels, n_classes, max_batch, pool, err);
    if (m->net == NULL) {
        snd_model_free(m);
        return NULL;
    }
    return m;
}

void snd_model_free(struct snd_model *m)
{
    if (m == NULL)
        return;
    snd_net_free(m->net);
    free(m->labels), free(m->mean), free(m->std), free(m->history);
    free(m);
}

/* ---- writing ------------------------------------------------------------------------ */

static int write_params(hid_t f, struct snd_net *net)
{
    hid_t g = H5Gcreate2(f, "params", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int r = g < 0 ? -1 : 0;
    for (int i = 0; r == 0 && i < snd_net_n_params(net); i++) {
        struct snd_param *p = snd_net_param(net, i);
        hsize_t dims[4];
        for (int k = 0; k < p->rank; k++)
            dims[k] = (hsize_t)p->shape[k];
        r = snd_h5_write_floats(g, p->name, p->value, p->rank, dims);
    }
    if (g >= 0)
        H5Gclose(g);
    return r;
}

static int write_history(hid_t f, const struct snd_model *m)
{
    hid_t g = H5Gcreate2(f, "history", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    double *col = malloc(((size_t)m->n_history + 1) * sizeof *col);
    int r = g < 0 || col == NULL ? -1 : 0;
    for (int c = 0; r == 0 && c < SND_HISTORY_COLUMNS; c++) {
        for (int e = 0; e < m->n_history; e++)
            col[e] = ((const double *)&m->history[e])[c];
        r = snd_h5_write_doubles(g, snd_history_names[c], col, m->n_history);
    }
    free(col);
    if (g >= 0)
        H5Gclose(g);
    return r;
}

static int write_norm(hid_t f, const struct snd_model *m)
{
    hid_t g = H5Gcreate2(f, "norm", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dim = (hsize_t)m->feat.n_mels;
    int r = g < 0 || snd_h5_write_floats(g, "mean", m->mean, 1, &dim) != 0 ||
                    snd_h5_write_floats(g, "std", m->std, 1, &dim) != 0
                ? -1
                : 0;
    if (g >= 0)
        H5Gclose(g);
    return r;
}

static int write_attrs(hid_t f, const struct snd_model *m)
{
    return snd_h5_attr_write_str(f, "format", SND_MODEL_FORMAT) != 0 ||
                   snd_h5_attr_write_int(f, "version", m->centre ? 2 : 1) != 0 ||
                   (m->centre && snd_h5_attr_write_str(f, "standardise", "window") != 0) ||
                   snd_h5_attr_write_str(f, "task", snd_task_name(m->task)) != 0 ||
                   snd_h5_attr_write_str(f, "arch", snd_net_spec(m->net)) != 0 ||
                   snd_h5_attr_write_real(f, "window_seconds", m->window_sec) != 0 ||
                   snd_h5_attr_write_int(f, "window_frames", m->window_frames) != 0 ||
                   snd_h5_attr_write_str(f, "snd_version", SND_VERSION) != 0 ||
                   snd_h5_attr_write_str(f, "command", m->command) != 0 ||
                   snd_h5_attr_write_int(f, "seed", (long long)m->seed) != 0 ||
                   snd_h5_attr_write_str(f, "created", m->created) != 0 ||
                   snd_h5_attr_write_int(f, "best_epoch", m->best_epoch) != 0
               ? -1
               : 0;
}

int snd_model_save(const struct snd_model *m, const char *path, int (*extra)(hid_t file, void *ctx),
                   void *ctx, struct snd_err *err)
{
    struct snd_atomic a;
    hid_t f;
    int r;

    snd_h5_quiet();
    if (snd_atomic_create(&a, path, err) != 0)
        return -1;
    f = snd_h5_create_temp(&a);
    if (f < 0) {
        snd_atomic_abort(&a);
        return snd_fail(err, "%s: cannot create an HDF5 file", path);
    }
    r = write_attrs(f, m) != 0 || snd_feat_params_write_h5(f, &m->feat, path, err) != 0 ||
                snd_h5_write_strings(f, "labels", (const char *const *)m->labels, m->n_classes) !=
                    0 ||
                write_norm(f, m) != 0 || write_params(f, m->net) != 0 || write_history(f, m) != 0 ||
                (extra != NULL && extra(f, ctx) != 0)
            ? -1
            : 0;
    if (H5Fclose(f) < 0)
        r = -1;
    if (r != 0) {
        snd_atomic_abort(&a);
        return snd_fail(err, "%s: cannot write the model", path);
    }
    return snd_atomic_commit(&a, err);
}

/* ---- reading ------------------------------------------------------------------------ */

/* How a model standardises windows: by the training set's bands alone (version 1), or
 * also by each window's own mean (the "standardise" attribute, "window"). */
static int read_standardise(hid_t f, const char *path, int *centre, struct snd_err *err)
{
    char how[32];
    *centre = 0;
    if (H5Aexists(f, "standardise") <= 0)
        return 0;
    if (snd_h5_attr_read_str(f, "standardise", how, sizeof how, path, err) != 0)
        return -1;
    if (strcmp(how, "window") != 0 && strcmp(how, "global") != 0)
        return snd_fail(err, "%s: unknown standardise \"%s\"", path, how);
    *centre = how[0] == 'w';
    return 0;
}

static int read_header(hid_t f, const char *path, struct snd_feat_params *feat, enum snd_task *task,
                       double *window, char *arch, size_t arch_cap, struct snd_err *err)
{
    char format[64], task_name[32];
    long long version;
    if (H5Aexists(f, "format") <= 0 ||
        snd_h5_attr_read_str(f, "format", format, sizeof format, path, err) != 0 ||
        strcmp(format, SND_MODEL_FORMAT) != 0)
        return snd_fail(err, "%s: not an snd model (no format = \"%s\" attribute)", path,
                        SND_MODEL_FORMAT);
    if (snd_h5_attr_read_int(f, "version", &version, path, err) != 0)
        return -1;
    if (version > SND_MODEL_VERSION)
        return snd_fail(err, "%s: model format version %lld is newer than this snd reads (%d)",
                        path, version, SND_MODEL_VERSION);
    if (version < 1)
        return snd_fail(err, "%s: bad model format version %lld", path, version);
    if (snd_h5_attr_read_str(f, "task", task_name, sizeof task_name, path, err) != 0 ||
        snd_h5_attr_read_str(f, "arch", arch, arch_cap, path, err) != 0 ||
        snd_h5_attr_read_real(f, "window_seconds", window, path, err) != 0 ||
        snd_feat_params_read_h5(f, feat, path, err) != 0)
        return -1;
    if (strcmp(task_name, "multiclass") != 0 && strcmp(task_name, "multilabel") != 0)
        return snd_fail(err, "%s: unknown task \"%s\"", path, task_name);
    *task = task_name[5] == 'l' ? SND_TASK_MULTILABEL : SND_TASK_MULTICLASS;
    if (snd_feat_params_check(feat, err) != 0) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return snd_fail(err, "%s: %s", path, msg);
    }
    if (!(*window > 0 && *window <= 3600))
        return snd_fail(err, "%s: bad window %g s", path, *window);
    return 0;
}

static int read_provenance(hid_t f, struct snd_model *m, const char *path, struct snd_err *err)
{
    long long seed, best;
    if (snd_h5_attr_read_str(f, "command", m->command, sizeof m->command, path, err) != 0 ||
        snd_h5_attr_read_str(f, "created", m->created, sizeof m->created, path, err) != 0 ||
        snd_h5_attr_read_int(f, "seed", &seed, path, err) != 0 ||
        snd_h5_attr_read_int(f, "best_epoch", &best, path, err) != 0)
        return -1;
    m->seed = (uint64_t)seed;
    m->best_epoch = (int)best;
    return 0;
}

static int read_history(hid_t f, struct snd_model *m, const char *path, struct snd_err *err)
{
    hid_t g = H5Gopen2(f, "history", H5P_DEFAULT);
    int r = 0;
    if (g < 0)
        return snd_fail(err, "%s: no history group", path);
    for (int c = 0; r == 0 && c < SND_HISTORY_COLUMNS; c++) {
        double *col;
        long n;
        if ((r = snd_h5_read_doubles(g, snd_history_names[c], &col, &n, path, err)) != 0)
            break;
        if (c == 0) {
            m->n_history = (int)n;
            m->history = calloc((size_t)n + 1, sizeof *m->history);
            if (m->history == NULL)
                r = snd_fail(err, "%s: out of memory", path);
        } else if (n != m->n_history) {
            r = snd_fail(err, "%s: history columns of different lengths", path);
        }
        for (long e = 0; r == 0 && e < n; e++)
            ((double *)&m->history[e])[c] = col[e];
        free(col);
    }
    H5Gclose(g);
    return r;
}

static int read_tensors(hid_t f, struct snd_model *m, const char *path, struct snd_err *err)
{
    hsize_t dim = (hsize_t)m->feat.n_mels;
    hid_t g = H5Gopen2(f, "norm", H5P_DEFAULT);
    int r = g < 0 ? snd_fail(err, "%s: no norm group", path) : 0;
    if (r == 0)
        r = snd_h5_read_floats(g, "mean", m->mean, 1, &dim, path, err) ||
            snd_h5_read_floats(g, "std", m->std, 1, &dim, path, err);
    if (g >= 0)
        H5Gclose(g);
    for (int b = 0; r == 0 && b < m->feat.n_mels; b++)
        if (!(m->std[b] > 0) || !isfinite(m->mean[b]))
            r = snd_fail(err, "%s: bad normalisation of band %d", path, b);
    if (r != 0)
        return -1;
    g = H5Gopen2(f, "params", H5P_DEFAULT);
    if (g < 0)
        return snd_fail(err, "%s: no params group", path);
    for (int i = 0; r == 0 && i < snd_net_n_params(m->net); i++) {
        struct snd_param *p = snd_net_param(m->net, i);
        hsize_t dims[4];
        for (int k = 0; k < p->rank; k++)
            dims[k] = (hsize_t)p->shape[k];
        r = snd_h5_read_floats(g, p->name, p->value, p->rank, dims, path, err);
        for (long j = 0; r == 0 && j < p->size; j++)
            if (!isfinite(p->value[j]))
                r = snd_fail(err, "%s: %s holds a value that is not finite", path, p->name);
    }
    H5Gclose(g);
    return r;
}

struct snd_model *snd_model_load(const char *path, int max_batch, struct snd_pool *pool,
                                 struct snd_err *err)
{
    struct snd_feat_params feat;
    enum snd_task task = SND_TASK_MULTICLASS;
    double window = 0;
    char arch[512];
    char **labels = NULL;
    long n_labels = 0;
    struct snd_model *m = NULL;
    hid_t f;

    snd_h5_quiet();
    if (access(path, R_OK) != 0) {
        snd_fail_errno(err, errno, "%s", path);
        return NULL;
    }
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        snd_fail(err, "%s: cannot open as HDF5 (not HDF5, or truncated)", path);
        return NULL;
    }
    if (read_header(f, path, &feat, &task, &window, arch, sizeof arch, err) != 0 ||
        snd_h5_read_strings(f, "labels", &labels, &n_labels, path, err) != 0)
        goto done;
    if (n_labels < 1 || n_labels > 100000) {
        snd_fail(err, "%s: %ld labels", path, n_labels);
        goto done;
    }
    m = snd_model_new(&feat, task, window, (const char *const *)labels, (int)n_labels, arch,
                      max_batch, pool, err);
    if (m == NULL) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        snd_fail(err, "%s: %s", path, msg);
        goto done;
    }
    if (read_standardise(f, path, &m->centre, err) != 0 || read_tensors(f, m, path, err) != 0 ||
        read_history(f, m, path, err) != 0 || read_provenance(f, m, path, err) != 0) {
        snd_model_free(m);
        m = NULL;
    }
done:
    free(labels);
    H5Fclose(f);
    /* Hand HDF5's free lists back to malloc, so that the network's first pass reuses that
     * memory rather than adding to the peak: a classifier is meant to be small. */
    H5garbage_collect();
    return m;
}

/* ---- using ---------------------------------------------------------------------------- */

void snd_model_copy_params(struct snd_net *dst, struct snd_net *src, int body_only)
{
    int n = snd_net_n_params(dst);
    for (int i = 0; i < n; i++) {
        struct snd_param *d = snd_net_param(dst, i);
        struct snd_param *s = snd_net_param_find(src, d->name);
        if (s == NULL || s->size != d->size)
            continue;
        if (body_only && i >= n - 2) /* the last dense layer's weight and bias */
            continue;
        memcpy(d->value, s->value, (size_t)d->size * sizeof(float));
    }
}

void snd_model_standardise(const struct snd_model *m, float *frames, long n)
{
    int B = m->feat.n_mels;
    for (long t = 0; t < n; t++)
        for (int b = 0; b < B; b++)
            frames[t * B + b] = (frames[t * B + b] - m->mean[b]) / m->std[b];
}

void snd_model_centre(const struct snd_model *m, float *frames, long n)
{
    int B = m->feat.n_mels;
    if (!m->centre || n <= 0)
        return;
    for (int b = 0; b < B; b++) {
        double sum = 0;
        for (long t = 0; t < n; t++)
            sum += frames[t * B + b];
        float mean = (float)(sum / (double)n);
        for (long t = 0; t < n; t++)
            frames[t * B + b] -= mean;
    }
}

int snd_model_default_hop(const struct snd_model *m)
{
    return m->window_frames / 2 > 0 ? m->window_frames / 2 : 1;
}

long snd_model_n_windows(const struct snd_model *m, long n_frames, int hop)
{
    long slack = n_frames - m->window_frames;
    if (slack <= 0)
        return 1;
    return 1 + slack / hop + (slack % hop != 0);
}

long snd_model_window_start(const struct snd_model *m, long n_frames, int hop, long i)
{
    long slack = n_frames - m->window_frames;
    if (slack <= 0)
        return slack / 2; /* C division: as the windower pads (W - n) / 2 */
    return i * hop < slack ? i * hop : slack;
}

void snd_model_probs(const struct snd_model *m, const float *logits, double *p)
{
    int K = m->n_classes;
    double zmax = logits[0], total = 0;
    if (m->task == SND_TASK_MULTILABEL) {
        for (int k = 0; k < K; k++)
            p[k] = 1 / (1 + exp(-(double)logits[k]));
        return;
    }
    for (int k = 1; k < K; k++)
        zmax = logits[k] > zmax ? logits[k] : zmax;
    for (int k = 0; k < K; k++)
        total += p[k] = exp((double)logits[k] - zmax);
    for (int k = 0; k < K; k++)
        p[k] /= total;
}

void snd_model_window(const struct snd_model *m, const float *frames, int n, int pad, float *x)
{
    int B = m->feat.n_mels;
    memset(x, 0, (size_t)m->window_frames * B * sizeof(float));
    for (int i = 0; i < n; i++) {
        const float *src = frames + (size_t)i * B;
        float *dst = x + (size_t)(pad + i) * B;
        for (int b = 0; b < B; b++)
            dst[b] = (src[b] - m->mean[b]) / m->std[b];
    }
    snd_model_centre(m, x + (size_t)pad * B, n);
}

int snd_model_check_features(const struct snd_model *m, const char *model_name,
                             const struct snd_feat_params *p, const char *feat_name,
                             struct snd_err *err)
{
    return snd_feat_params_compare(&m->feat, model_name, p, feat_name, err);
}
