/* mel: window -> real FFT (FFTW, double) -> |X|^power -> triangular mel filters -> log.
 * The padded signal is built as samples arrive: a reflected prefix once the first
 * n_fft/2 + 1 samples are in, the reflected suffix at the end of the clip. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "mel.h"
#include "pool.h"

/* Frames computed and handed to the callback at once, at most: enough that sharing them
 * among threads (at least PARALLEL_MIN_FRAMES, ~1.5 us each) outweighs waking the threads;
 * a live stream offers a few frames at a time and is never held back to fill a batch. */
#define BATCH_FRAMES 512
#define PARALLEL_MIN_FRAMES 128

/* FFTW's planner is process-wide state and not thread-safe; plans are made under this
 * lock, then executed freely (fftw_execute_dft_r2c is thread-safe). */
static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

struct mel_filter {
    int first_bin; /* the filter's weights cover bins first_bin .. first_bin + n_bins - 1 */
    int n_bins;
    double *weights;
};

/* What computing one frame needs, one per thread. */
struct scratch {
    double *fft_in;        /* n_fft */
    fftw_complex *fft_out; /* n_bins */
    double *spectrum;      /* n_bins */
};

struct snd_mel {
    struct snd_feat_params p;
    int pad;        /* samples of padding either side: n_fft / 2 when centred */
    int n_bins;     /* n_fft / 2 + 1 */
    double *window; /* n_fft: the periodic window, centred, zero outside win_length */
    struct mel_filter *filters;
    double *filter_weights;
    double log_scale; /* 20 / power for dB, 1 for ln */

    /* Double precision: a float FFT's rounding reaches mel bands 110 dB below a frame's
     * peak, where torchaudio's float32 values stray by up to 0.56 dB from the exact ones;
     * ours stay exact there, at little cost next to decoding and resampling. */
    fftw_plan plan;
    struct scratch *scratch; /* one per thread */
    int n_scratch;
    struct snd_pool *pool; /* borrowed; NULL: frames are computed in the caller's thread */

    /* The padded signal from the next frame's start on. */
    float *buf;
    long buf_len, buf_cap;
    long long skip; /* padded samples to drop before the next frame, when hop > n_fft */

    /* The clip's first samples, until the reflected prefix can be built. */
    float *head;
    long head_len;
    int prefix_done;
    float *tail; /* the last pad + 1 samples of the clip, for the reflected suffix */
    float *edge; /* pad samples: the reflected prefix or suffix being appended */
    long tail_len;
    long long n_samples;

    float *out; /* BATCH_FRAMES x n_mels */
    long n_out;
};

static double hz_to_mel(double hz, enum snd_mel_scale scale)
{
    /* Slaney: linear below 1 kHz (200/3 Hz per mel), logarithmic above, as librosa. */
    const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
    const double logstep = log(6.4) / 27.0;

    if (scale == SND_MEL_HTK)
        return 2595.0 * log10(1.0 + hz / 700.0);
    if (hz >= min_log_hz)
        return min_log_mel + log(hz / min_log_hz) / logstep;
    return hz / f_sp;
}

static double mel_to_hz(double mel, enum snd_mel_scale scale)
{
    const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
    const double logstep = log(6.4) / 27.0;

    if (scale == SND_MEL_HTK)
        return 700.0 * (pow(10.0, mel / 2595.0) - 1.0);
    if (mel >= min_log_mel)
        return min_log_hz * exp(logstep * (mel - min_log_mel));
    return f_sp * mel;
}

/* Periodic windows (N = win_length, not N - 1): torchaudio's default, so frames match. */
static void make_window(double *w, const struct snd_feat_params *p)
{
    int offset = (p->n_fft - p->win_length) / 2, i;
    double N = p->win_length;

    memset(w, 0, (size_t)p->n_fft * sizeof *w);
    for (i = 0; i < p->win_length; i++) {
        double a = 2.0 * M_PI * i / N, v = 1.0;
        switch (p->window) {
        case SND_WINDOW_HANN:
            v = 0.5 - 0.5 * cos(a);
            break;
        case SND_WINDOW_HAMMING:
            v = 0.54 - 0.46 * cos(a);
            break;
        case SND_WINDOW_BLACKMAN:
            v = 0.42 - 0.5 * cos(a) + 0.08 * cos(2.0 * a);
            break;
        case SND_WINDOW_RECT:
            break;
        }
        w[offset + i] = v;
    }
}

/* Triangular filters between n_mels + 2 points equally spaced in mel, evaluated at the
 * bin frequencies linspace(0, sample_rate // 2, n_bins), as torchaudio.functional.
 * melscale_fbanks; Slaney norm scales each by 2 / (its width in Hz). */
static int make_filters(struct snd_mel *m, struct snd_err *err)
{
    const struct snd_feat_params *p = &m->p;
    double m_min = hz_to_mel(p->f_min, p->mel_scale), m_max = hz_to_mel(p->f_max, p->mel_scale);
    double *f_pts = malloc((size_t)(p->n_mels + 2) * sizeof *f_pts);
    double nyquist = (double)(p->sample_rate / 2);
    double *w = m->filter_weights;
    int i, k;

    if (f_pts == NULL)
        return snd_fail(err, "out of memory");
    for (i = 0; i < p->n_mels + 2; i++)
        f_pts[i] = mel_to_hz(m_min + (m_max - m_min) * i / (p->n_mels + 1), p->mel_scale);
    for (i = 0; i < p->n_mels; i++) {
        double lo = f_pts[i], mid = f_pts[i + 1], hi = f_pts[i + 2];
        double enorm = p->norm == SND_NORM_SLANEY ? 2.0 / (hi - lo) : 1.0;
        struct mel_filter *f = &m->filters[i];
        f->first_bin = -1;
        f->n_bins = 0;
        f->weights = w;
        for (k = 0; k < m->n_bins; k++) {
            double hz = nyquist * k / (m->n_bins - 1);
            double down = (hz - lo) / (mid - lo), up = (hi - hz) / (hi - mid);
            double v = fmax(0.0, fmin(down, up));
            if (v <= 0.0)
                continue;
            if (f->first_bin < 0)
                f->first_bin = k;
            /* Bins between first_bin and k with no weight stay as zeros. */
            while (f->first_bin + f->n_bins < k)
                w[f->n_bins++] = 0.0;
            w[f->n_bins++] = v * enorm;
        }
        if (f->n_bins == 0) {
            free(f_pts);
            return snd_fail(err,
                            "n_mels %d is too many for n_fft %d: mel band %d (%.1f-%.1f Hz) "
                            "falls between FFT bins",
                            p->n_mels, p->n_fft, i, lo, hi);
        }
        w += f->n_bins;
    }
    free(f_pts);
    return 0;
}

static void mel_reset(struct snd_mel *m)
{
    m->buf_len = 0;
    m->skip = 0;
    m->head_len = 0;
    m->prefix_done = m->pad == 0;
    m->tail_len = 0;
    m->n_samples = 0;
    m->n_out = 0;
}

static void free_scratch(struct snd_mel *m)
{
    int t;

    for (t = 0; t < m->n_scratch; t++) {
        fftw_free(m->scratch[t].fft_in);
        fftw_free(m->scratch[t].fft_out);
        free(m->scratch[t].spectrum);
    }
    free(m->scratch);
    m->scratch = NULL;
    m->n_scratch = 0;
}

/* Scratch for n threads. fftw_malloc gives every array the alignment the plan was made
 * with, which fftw_execute_dft_r2c requires of new arrays. */
static int alloc_scratch(struct snd_mel *m, int n)
{
    int t;

    free_scratch(m);
    m->scratch = calloc((size_t)n, sizeof *m->scratch);
    if (m->scratch == NULL)
        return -1;
    m->n_scratch = n;
    for (t = 0; t < n; t++) {
        struct scratch *s = &m->scratch[t];
        s->fft_in = fftw_malloc((size_t)m->p.n_fft * sizeof *s->fft_in);
        s->fft_out = fftw_malloc((size_t)m->n_bins * sizeof *s->fft_out);
        s->spectrum = malloc((size_t)m->n_bins * sizeof *s->spectrum);
        if (s->fft_in == NULL || s->fft_out == NULL || s->spectrum == NULL)
            return -1;
    }
    return 0;
}

int snd_mel_use_pool(struct snd_mel *m, struct snd_pool *pool, struct snd_err *err)
{
    if (alloc_scratch(m, pool ? snd_pool_threads(pool) : 1) != 0)
        return snd_fail(err, "out of memory");
    m->pool = pool;
    return 0;
}

struct snd_mel *snd_mel_new(const struct snd_feat_params *p, struct snd_err *err)
{
    struct snd_mel *m;

    if (snd_feat_params_check(p, err) != 0)
        return NULL;
    m = calloc(1, sizeof *m);
    if (m == NULL) {
        snd_fail(err, "out of memory");
        return NULL;
    }
    m->p = *p;
    m->pad = p->center ? p->n_fft / 2 : 0;
    m->n_bins = p->n_fft / 2 + 1;
    m->log_scale = p->log == SND_LOG_DB ? 20.0 / p->power : 1.0;
    m->window = malloc((size_t)p->n_fft * sizeof *m->window);
    m->filters = calloc((size_t)p->n_mels, sizeof *m->filters);
    m->filter_weights = malloc((size_t)p->n_mels * (size_t)m->n_bins * sizeof(double));
    /* Room for a whole batch of frames, so threads have a batch to share. */
    m->buf_cap = 2L * p->n_fft + (long)BATCH_FRAMES * p->hop_length;
    m->buf = malloc((size_t)m->buf_cap * sizeof *m->buf);
    m->head = malloc((size_t)(m->pad + 1) * sizeof *m->head);
    m->tail = malloc((size_t)(m->pad + 1) * sizeof *m->tail);
    m->edge = malloc((size_t)(m->pad + 1) * sizeof *m->edge);
    m->out = malloc((size_t)BATCH_FRAMES * (size_t)p->n_mels * sizeof *m->out);
    if (!m->window || !m->filters || !m->filter_weights || !m->buf || !m->head || !m->tail ||
        !m->edge || !m->out || alloc_scratch(m, 1) != 0) {
        snd_mel_free(m);
        snd_fail(err, "out of memory");
        return NULL;
    }
    make_window(m->window, p);
    if (make_filters(m, err) != 0) {
        snd_mel_free(m);
        return NULL;
    }
    /* FFTW_ESTIMATE: the same plan every time, so every run and every thread computes
     * bit-identical frames (a measured plan may pick another algorithm next time). */
    pthread_mutex_lock(&planner_lock);
    m->plan =
        fftw_plan_dft_r2c_1d(p->n_fft, m->scratch[0].fft_in, m->scratch[0].fft_out, FFTW_ESTIMATE);
    pthread_mutex_unlock(&planner_lock);
    if (m->plan == NULL) {
        snd_mel_free(m);
        snd_fail(err, "cannot plan an FFT of %d points", p->n_fft);
        return NULL;
    }
    mel_reset(m);
    return m;
}

/* The natural log of a positive, normal, finite x, to about 1e-12 relative, with no libm
 * call (glibc's log10 was 15% of snd-melspec's time): x = m 2^e with m in [sqrt(1/2),
 * sqrt(2)), and ln m = 2 atanh z with z = (m - 1) / (m + 1), |z| < 0.172, whose series
 * to z^13 leaves an error below 1e-12. */
static double ln_positive(double x)
{
    uint64_t bits;
    double m, z, z2;
    int e;

    memcpy(&bits, &x, sizeof bits);
    e = (int)((bits >> 52) & 0x7FF) - 1023;
    bits = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull; /* m in [1, 2) */
    memcpy(&m, &bits, sizeof m);
    if (m >= M_SQRT2) {
        m *= 0.5;
        e++;
    }
    z = (m - 1.0) / (m + 1.0);
    z2 = z * z;
    return 2.0 * z *
               (1.0 + z2 * (1.0 / 3 +
                            z2 * (1.0 / 5 +
                                  z2 * (1.0 / 7 + z2 * (1.0 / 9 + z2 * (1.0 / 11 + z2 / 13)))))) +
           e * M_LN2;
}

/* One frame of the padded signal (n_fft samples at x) into row, with scratch sc. */
static void compute_frame(const struct snd_mel *m, struct scratch *sc, const float *x, float *row)
{
    const struct snd_feat_params *p = &m->p;
    int k, i;

    for (i = 0; i < p->n_fft; i++)
        sc->fft_in[i] = (double)x[i] * m->window[i];
    fftw_execute_dft_r2c(m->plan, sc->fft_in, sc->fft_out);
    /* One loop per power, the test outside: each loop is then straight-line code. */
    if (p->power == 2.0)
        for (k = 0; k < m->n_bins; k++)
            sc->spectrum[k] =
                sc->fft_out[k][0] * sc->fft_out[k][0] + sc->fft_out[k][1] * sc->fft_out[k][1];
    else if (p->power == 1.0)
        for (k = 0; k < m->n_bins; k++)
            sc->spectrum[k] =
                sqrt(sc->fft_out[k][0] * sc->fft_out[k][0] + sc->fft_out[k][1] * sc->fft_out[k][1]);
    else
        for (k = 0; k < m->n_bins; k++)
            sc->spectrum[k] =
                pow(sc->fft_out[k][0] * sc->fft_out[k][0] + sc->fft_out[k][1] * sc->fft_out[k][1],
                    p->power / 2.0);
    /* The filterbank first, into the FFT's input (spent by now), then the logs in a loop
     * of their own, which the compiler can run several values at a time. */
    double *sums = sc->fft_in;
    for (i = 0; i < p->n_mels; i++) {
        const struct mel_filter *f = &m->filters[i];
        const double *s = sc->spectrum + f->first_bin;
        double sum = 0.0;
        for (k = 0; k < f->n_bins; k++)
            sum += f->weights[k] * s[k];
        sums[i] = sum;
    }
    if (p->log == SND_LOG_NONE) {
        for (i = 0; i < p->n_mels; i++)
            row[i] = (float)sums[i];
        return;
    }
    const double scale = p->log == SND_LOG_DB ? m->log_scale / M_LN10 : 1.0, amin = p->amin;
    for (i = 0; i < p->n_mels; i++)
        row[i] = (float)(scale * ln_positive(sums[i] >= amin ? sums[i] : amin));
}

/* A batch of frames for the pool: frame i starts at buf + i * hop, goes to out row
 * first_row + i. Each frame's bits are the same whichever thread computes it. */
struct frame_batch {
    struct snd_mel *m;
    long first_row;
};

static void compute_batch_item(void *ctx, long i, int thread)
{
    struct frame_batch *b = ctx;
    struct snd_mel *m = b->m;

    compute_frame(m, &m->scratch[thread], m->buf + i * m->p.hop_length,
                  m->out + (b->first_row + i) * m->p.n_mels);
}

static int flush_out(struct snd_mel *m, snd_mel_frames_fn fn, void *ctx, struct snd_err *err)
{
    long n = m->n_out;

    m->n_out = 0;
    return n > 0 ? fn(ctx, m->out, n, err) : 0;
}

/* Compute every frame that lies wholly in the buffer, dropping samples no later frame
 * needs. */
static int run_frames(struct snd_mel *m, snd_mel_frames_fn fn, void *ctx, struct snd_err *err)
{
    const int n_fft = m->p.n_fft, hop = m->p.hop_length;
    long off = 0;

    while (m->buf_len - off >= n_fft) {
        long ready = (m->buf_len - off - n_fft) / hop + 1, take = BATCH_FRAMES - m->n_out, i;
        struct frame_batch b = {m, m->n_out};
        float *saved = m->buf;
        if (take > ready)
            take = ready;
        /* Frames start at buf + off: point the batch there, then restore. */
        m->buf += off;
        if (m->pool != NULL && take >= PARALLEL_MIN_FRAMES) {
            snd_pool_run(m->pool, take, compute_batch_item, &b);
        } else {
            for (i = 0; i < take; i++)
                compute_batch_item(&b, i, 0);
        }
        m->buf = saved;
        m->n_out += take;
        off += take * hop;
        if (m->n_out == BATCH_FRAMES && flush_out(m, fn, ctx, err) != 0)
            return -1;
    }
    if (off > m->buf_len) {
        m->skip = off - m->buf_len;
        off = m->buf_len;
    }
    m->buf_len -= off;
    memmove(m->buf, m->buf + off, (size_t)m->buf_len * sizeof *m->buf);
    return 0;
}

/* Append padded samples, computing frames whenever the buffer fills. */
static int append_padded(struct snd_mel *m, const float *x, long n, snd_mel_frames_fn fn, void *ctx,
                         struct snd_err *err)
{
    while (n > 0) {
        long take;
        if (m->skip > 0) {
            take = n < m->skip ? n : (long)m->skip;
            m->skip -= take;
            x += take;
            n -= take;
            continue;
        }
        take = m->buf_cap - m->buf_len;
        if (take > n)
            take = n;
        memcpy(m->buf + m->buf_len, x, (size_t)take * sizeof *x);
        m->buf_len += take;
        x += take;
        n -= take;
        if (run_frames(m, fn, ctx, err) != 0)
            return -1;
    }
    return 0;
}

/* Sample j of the clip seen by the padding: reflected at both ends (numpy's "reflect",
 * which does not repeat the edge sample), zero where a short clip runs out. */
static float reflected(const float *x, long n, long j)
{
    if (j < 0)
        j = -j;
    if (j >= n)
        j = 2 * (n - 1) - j;
    return j >= 0 && j < n ? x[j] : 0.0f;
}

/* The reflected prefix x[pad], ..., x[1], then the clip's first samples. */
static int emit_prefix(struct snd_mel *m, snd_mel_frames_fn fn, void *ctx, struct snd_err *err)
{
    long j;

    for (j = 0; j < m->pad; j++)
        m->edge[j] = reflected(m->head, m->head_len, m->pad - j);
    m->prefix_done = 1;
    if (append_padded(m, m->edge, m->pad, fn, ctx, err) != 0)
        return -1;
    return append_padded(m, m->head, m->head_len, fn, ctx, err);
}

static void keep_tail(struct snd_mel *m, const float *x, long n)
{
    long keep = m->pad + 1;

    if (n >= keep) {
        memcpy(m->tail, x + n - keep, (size_t)keep * sizeof *x);
        m->tail_len = keep;
        return;
    }
    if (m->tail_len + n > keep) {
        long drop = m->tail_len + n - keep;
        memmove(m->tail, m->tail + drop, (size_t)(m->tail_len - drop) * sizeof *x);
        m->tail_len -= drop;
    }
    memcpy(m->tail + m->tail_len, x, (size_t)n * sizeof *x);
    m->tail_len += n;
}

int snd_mel_feed(struct snd_mel *m, const float *x, long n, snd_mel_frames_fn fn, void *ctx,
                 struct snd_err *err)
{
    if (n <= 0)
        return 0;
    m->n_samples += n;
    keep_tail(m, x, n);
    if (!m->prefix_done) {
        long take = m->pad + 1 - m->head_len;
        if (take > n)
            take = n;
        memcpy(m->head + m->head_len, x, (size_t)take * sizeof *x);
        m->head_len += take;
        x += take;
        n -= take;
        if (m->head_len < m->pad + 1)
            return 0;
        if (emit_prefix(m, fn, ctx, err) != 0)
            return -1;
    }
    if (append_padded(m, x, n, fn, ctx, err) != 0)
        return -1;
    return flush_out(m, fn, ctx, err);
}

int snd_mel_finish(struct snd_mel *m, snd_mel_frames_fn fn, void *ctx, struct snd_err *err)
{
    long j;
    int r = 0;

    if (m->n_samples > 0 && !m->prefix_done)
        r = emit_prefix(m, fn, ctx, err);
    if (m->n_samples > 0 && r == 0) {
        /* The tail holds the clip's last samples: reflect about the last one. */
        for (j = 0; j < m->pad; j++)
            m->edge[j] = reflected(m->tail, m->tail_len, m->tail_len + j);
        r = append_padded(m, m->edge, m->pad, fn, ctx, err);
        if (r == 0)
            r = flush_out(m, fn, ctx, err);
    }
    mel_reset(m);
    return r;
}

double snd_mel_ln(double x)
{
    return ln_positive(x);
}

void snd_mel_reset(struct snd_mel *m)
{
    mel_reset(m);
}

long long snd_mel_frame_count(const struct snd_feat_params *p, long long n_samples)
{
    long long padded = n_samples + (p->center ? 2LL * (p->n_fft / 2) : 0);

    if (n_samples <= 0 || padded < p->n_fft)
        return 0;
    return 1 + (padded - p->n_fft) / p->hop_length;
}

/* |sum_n window[n]^2 e^(-2 pi i d n / N)| for d = 0 .. n_bins - 1 into sc->spectrum, by
 * the computer's own FFT: how much noise two bins d apart share (d and N - d alike, the
 * window being real). Spends scratch sc. */
static void window_power_spectrum(const struct snd_mel *m, struct scratch *sc)
{
    for (int n = 0; n < m->p.n_fft; n++)
        sc->fft_in[n] = m->window[n] * m->window[n];
    fftw_execute_dft_r2c(m->plan, sc->fft_in, sc->fft_out);
    for (int k = 0; k < m->n_bins; k++)
        sc->spectrum[k] = hypot(sc->fft_out[k][0], sc->fft_out[k][1]);
}

/* The window's power spectrum at a distance of d bins, any d >= 0. */
static double shared_noise(const struct snd_mel *m, const double *w2, int d)
{
    d %= m->p.n_fft;
    return w2[d < m->n_bins ? d : m->p.n_fft - d];
}

/* A band's power is sum_k w_k |X_k|^2 over Gaussian bins X_k whose covariances are the
 * window's power spectrum W at their distance (and, a real signal's spectrum being
 * symmetric, W at the sum of their indices); so its mean is W(0) sum w_k and its variance
 * sum_j sum_k w_j w_k (W(j - k)^2 + W(j + k)^2), and the gamma shape mean^2 / variance. */
void snd_mel_noise_shape(const struct snd_mel *m, double *shape)
{
    struct scratch *sc = &m->scratch[0];
    const double *w2 = sc->spectrum;
    window_power_spectrum(m, sc);
    for (int b = 0; b < m->p.n_mels; b++) {
        const struct mel_filter *f = &m->filters[b];
        double sum = 0, var = 0;
        for (int j = 0; j < f->n_bins; j++) {
            sum += f->weights[j];
            for (int k = 0; k < f->n_bins; k++) {
                double near = shared_noise(m, w2, abs(j - k)),
                       mirror = shared_noise(m, w2, 2 * f->first_bin + j + k);
                var += f->weights[j] * f->weights[k] * (near * near + mirror * mirror);
            }
        }
        double mean = w2[0] * sum;
        shape[b] = var > 0 && mean * mean / var > 1 ? mean * mean / var : 1;
    }
}

void snd_mel_free(struct snd_mel *m)
{
    if (m == NULL)
        return;
    if (m->plan != NULL) {
        pthread_mutex_lock(&planner_lock);
        fftw_destroy_plan(m->plan);
        pthread_mutex_unlock(&planner_lock);
    }
    free(m->window);
    free(m->filters);
    free(m->filter_weights);
    free_scratch(m);
    free(m->buf);
    free(m->head);
    free(m->tail);
    free(m->edge);
    free(m->out);
    free(m);
}
