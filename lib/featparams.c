/* featparams: one table of the parameters drives checking, comparing, text and HDF5. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "featparams.h"
#include "h5util.h"

enum kind { K_INT, K_REAL, K_ENUM };

struct field {
    const char *name;
    enum kind kind;
    size_t offset;
    const char *const *names; /* K_ENUM: the value names, by enum value */
    int n_names;
};

static const char *const window_names[] = {"hann", "hamming", "blackman", "rect"};
static const char *const scale_names[] = {"slaney", "htk"};
static const char *const norm_names[] = {"slaney", "none"};
static const char *const log_names[] = {"db", "ln", "none"};

#define OFF(m) offsetof(struct snd_feat_params, m)
#define ENUM_OF(t) t, (int)(sizeof t / sizeof t[0])

/* The order is the frame stream's header order: append new parameters at the end. */
static const struct field fields[] = {
    {"sample_rate", K_INT, OFF(sample_rate), NULL, 0},
    {"n_fft", K_INT, OFF(n_fft), NULL, 0},
    {"win_length", K_INT, OFF(win_length), NULL, 0},
    {"hop_length", K_INT, OFF(hop_length), NULL, 0},
    {"window", K_ENUM, OFF(window), ENUM_OF(window_names)},
    {"center", K_INT, OFF(center), NULL, 0},
    {"power", K_REAL, OFF(power), NULL, 0},
    {"n_mels", K_INT, OFF(n_mels), NULL, 0},
    {"f_min", K_REAL, OFF(f_min), NULL, 0},
    {"f_max", K_REAL, OFF(f_max), NULL, 0},
    {"mel_scale", K_ENUM, OFF(mel_scale), ENUM_OF(scale_names)},
    {"norm", K_ENUM, OFF(norm), ENUM_OF(norm_names)},
    {"log", K_ENUM, OFF(log), ENUM_OF(log_names)},
    {"amin", K_REAL, OFF(amin), NULL, 0},
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

static int *int_at(const struct snd_feat_params *p, const struct field *f)
{
    return (int *)((char *)p + f->offset);
}

static double *real_at(const struct snd_feat_params *p, const struct field *f)
{
    return (double *)((char *)p + f->offset);
}

/* A field's value as text: %.17g keeps every bit of a double. */
static void value_text(const struct snd_feat_params *p, const struct field *f, char *buf,
                       size_t cap)
{
    switch (f->kind) {
    case K_INT:
        snprintf(buf, cap, "%d", *int_at(p, f));
        break;
    case K_REAL:
        snprintf(buf, cap, "%.17g", *real_at(p, f));
        break;
    case K_ENUM: {
        int v = *int_at(p, f);
        snprintf(buf, cap, "%s", v >= 0 && v < f->n_names ? f->names[v] : "?");
        break;
    }
    }
}

/* Parse text into a field. Returns 0, or -1 when it is not a value of the field. */
static int set_value(struct snd_feat_params *p, const struct field *f, const char *text)
{
    char *end;
    int i;

    switch (f->kind) {
    case K_INT: {
        long v;
        errno = 0;
        v = strtol(text, &end, 10);
        if (end == text || *end != '\0' || errno != 0 || v < -2147483647L || v > 2147483647L)
            return -1;
        *int_at(p, f) = (int)v;
        return 0;
    }
    case K_REAL: {
        double v = strtod(text, &end);
        if (end == text || *end != '\0' || !isfinite(v))
            return -1;
        *real_at(p, f) = v;
        return 0;
    }
    case K_ENUM:
        for (i = 0; i < f->n_names; i++) {
            if (strcmp(text, f->names[i]) == 0) {
                *int_at(p, f) = i;
                return 0;
            }
        }
        return -1;
    }
    return -1;
}

int snd_feat_params_check(const struct snd_feat_params *p, struct snd_err *err)
{
    if (p->sample_rate < 1000 || p->sample_rate > 768000)
        return snd_fail(err, "sample rate %d Hz is outside [1000, 768000]", p->sample_rate);
    if (p->n_fft < 16 || p->n_fft > 65536)
        return snd_fail(err, "n_fft %d is outside [16, 65536]", p->n_fft);
    if (p->win_length < 1 || p->win_length > p->n_fft)
        return snd_fail(err, "win_length %d must be between 1 and n_fft (%d)", p->win_length,
                        p->n_fft);
    if (p->hop_length < 1 || p->hop_length > 1000000)
        return snd_fail(err, "hop_length %d is outside [1, 1000000]", p->hop_length);
    if (p->center != 0 && p->center != 1)
        return snd_fail(err, "center must be 0 or 1, not %d", p->center);
    if (!(p->power > 0.0 && p->power <= 4.0))
        return snd_fail(err, "power %g is outside (0, 4]", p->power);
    if (p->n_mels < 1 || p->n_mels > 2048)
        return snd_fail(err, "n_mels %d is outside [1, 2048]", p->n_mels);
    if (!(p->f_min >= 0.0))
        return snd_fail(err, "fmin %g Hz is negative", p->f_min);
    if (!(p->f_max <= p->sample_rate / 2.0))
        return snd_fail(err, "fmax %g Hz is above the Nyquist frequency %g Hz of %d Hz", p->f_max,
                        p->sample_rate / 2.0, p->sample_rate);
    if (!(p->f_min < p->f_max))
        return snd_fail(err, "fmin %g Hz must be below fmax %g Hz", p->f_min, p->f_max);
    if (!(p->amin > 0.0 && p->amin < 1.0))
        return snd_fail(err, "amin %g is outside (0, 1)", p->amin);
    if ((unsigned)p->window > SND_WINDOW_RECT || (unsigned)p->mel_scale > SND_MEL_HTK ||
        (unsigned)p->norm > SND_NORM_NONE || (unsigned)p->log > SND_LOG_NONE)
        return snd_fail(err, "unknown window, mel scale, norm or log");
    return 0;
}

int snd_feat_params_compare(const struct snd_feat_params *a, const char *name_a,
                            const struct snd_feat_params *b, const char *name_b,
                            struct snd_err *err)
{
    size_t i;

    for (i = 0; i < N_FIELDS; i++) {
        char va[64], vb[64];
        value_text(a, &fields[i], va, sizeof va);
        value_text(b, &fields[i], vb, sizeof vb);
        if (strcmp(va, vb) != 0)
            return snd_fail(err, "%s has %s=%s, %s has %s=%s", name_a, fields[i].name, va, name_b,
                            fields[i].name, vb);
    }
    return 0;
}

int snd_feat_params_to_text(const struct snd_feat_params *p, char *buf, size_t cap)
{
    size_t len = 0, i;

    for (i = 0; i < N_FIELDS; i++) {
        char v[64];
        int n;
        value_text(p, &fields[i], v, sizeof v);
        n = snprintf(buf + len, cap - len, "%s=%s\n", fields[i].name, v);
        if (n < 0 || (size_t)n >= cap - len)
            return -1;
        len += (size_t)n;
    }
    return (int)len;
}

int snd_feat_params_from_text(struct snd_feat_params *p, const char *text, size_t len,
                              const char *where, struct snd_err *err)
{
    int seen[N_FIELDS] = {0};
    const char *line = text, *end = text + len;
    size_t i;

    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line)), *eq;
        char name[64], value[64];
        if (nl == NULL)
            return snd_fail(err, "%s: header line without its newline", where);
        eq = memchr(line, '=', (size_t)(nl - line));
        if (eq == NULL || eq - line >= (long)sizeof name || nl - eq - 1 >= (long)sizeof value)
            return snd_fail(err, "%s: malformed header line", where);
        memcpy(name, line, (size_t)(eq - line));
        name[eq - line] = '\0';
        memcpy(value, eq + 1, (size_t)(nl - eq - 1));
        value[nl - eq - 1] = '\0';
        for (i = 0; i < N_FIELDS && strcmp(fields[i].name, name) != 0; i++)
            ;
        if (i == N_FIELDS)
            return snd_fail(err, "%s: unknown parameter '%.40s'", where, name);
        if (seen[i]++)
            return snd_fail(err, "%s: parameter %s given twice", where, name);
        if (set_value(p, &fields[i], value) != 0)
            return snd_fail(err, "%s: bad value '%.40s' for %s", where, value, name);
        line = nl + 1;
    }
    for (i = 0; i < N_FIELDS; i++)
        if (!seen[i])
            return snd_fail(err, "%s: parameter %s missing", where, fields[i].name);
    return 0;
}

int snd_feat_params_write_h5(hid_t loc_id, const struct snd_feat_params *p, const char *where,
                             struct snd_err *err)
{
    size_t i;

    for (i = 0; i < N_FIELDS; i++) {
        const struct field *f = &fields[i];
        int r;
        if (f->kind == K_INT)
            r = snd_h5_attr_write_int(loc_id, f->name, *int_at(p, f));
        else if (f->kind == K_REAL)
            r = snd_h5_attr_write_real(loc_id, f->name, *real_at(p, f));
        else
            r = snd_h5_attr_write_str(loc_id, f->name, f->names[*int_at(p, f)]);
        if (r != 0)
            return snd_fail(err, "%s: cannot write attribute %s", where, f->name);
    }
    return 0;
}

int snd_feat_params_read_h5(hid_t loc_id, struct snd_feat_params *p, const char *where,
                            struct snd_err *err)
{
    size_t i;

    for (i = 0; i < N_FIELDS; i++) {
        const struct field *f = &fields[i];
        char text[64];
        if (f->kind == K_INT) {
            long long v;
            if (snd_h5_attr_read_int(loc_id, f->name, &v, where, err) != 0)
                return -1;
            if (v < -2147483647LL || v > 2147483647LL)
                return snd_fail(err, "%s: attribute %s out of range", where, f->name);
            *int_at(p, f) = (int)v;
            continue;
        }
        if (f->kind == K_REAL) {
            if (snd_h5_attr_read_real(loc_id, f->name, real_at(p, f), where, err) != 0)
                return -1;
            continue;
        }
        if (snd_h5_attr_read_str(loc_id, f->name, text, sizeof text, where, err) != 0)
            return -1;
        if (set_value(p, f, text) != 0)
            return snd_fail(err, "%s: attribute %s has unknown value '%s'", where, f->name, text);
    }
    return 0;
}

long snd_feat_frame_at(const struct snd_feat_params *p, double sec)
{
    return lround(sec * p->sample_rate / p->hop_length);
}

double snd_feat_seconds(const struct snd_feat_params *p, long n)
{
    return (double)n * p->hop_length / p->sample_rate;
}
