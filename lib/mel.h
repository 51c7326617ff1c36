/* mel: log-mel spectrograms of a stream of samples, frame by frame, with the definitions
 * torchaudio uses (MelSpectrogram, melscale_fbanks, AmplitudeToDB), so values agree. */
#ifndef SND_MEL_H
#define SND_MEL_H

#include "err.h"
#include "featparams.h"

struct snd_pool;

struct snd_mel;

/* A computer for parameters p: the window, the mel filterbank and the FFT plan are made
 * once here and reused for every clip. Refused: parameters snd_feat_params_check()
 * refuses, and more mel bands than the FFT's bins can fill (a filter with no weight).
 * Returns NULL with err. The caller owns it; release with snd_mel_free(). One computer
 * serves one thread; make one per thread. */
struct snd_mel *snd_mel_new(const struct snd_feat_params *p, struct snd_err *err);

/* Compute frames on the threads of pool (borrowed; it must outlive m, or be unset with
 * NULL): batches of frames are shared out, each frame's bits the same whichever thread
 * computes it, so a single long source uses every core. Returns 0, or -1 with err. */
int snd_mel_use_pool(struct snd_mel *m, struct snd_pool *pool, struct snd_err *err);

/* Called with n_frames consecutive frames of n_mels floats each (borrowed for the call).
 * A non-zero return, with err filled, stops the computation, which then returns -1. */
typedef int (*snd_mel_frames_fn)(void *ctx, const float *frames, long n_frames,
                                 struct snd_err *err);

/* Append n samples of the current clip and hand every frame whose samples are all there
 * to fn before returning, so a live stream is never held back. Memory is bounded by the
 * FFT size whatever the clip's length. Returns 0, or -1 with err from fn. */
int snd_mel_feed(struct snd_mel *m, const float *x, long n, snd_mel_frames_fn fn, void *ctx,
                 struct snd_err *err);

/* End the clip: pad its end (reflecting, when centred), hand the last frames to fn, and
 * make the computer ready for a new clip. An empty clip has no frames. A clip shorter
 * than the padding is reflected as far as it goes and zero beyond, where torchaudio
 * refuses it. Returns 0, or -1 with err from fn. */
int snd_mel_finish(struct snd_mel *m, snd_mel_frames_fn fn, void *ctx, struct snd_err *err);

/* Abandon the current clip (its source failed): nothing more is computed from it, and
 * the computer is ready for a new clip. */
void snd_mel_reset(struct snd_mel *m);

/* The natural log of x > 0 as the spectrogram takes it (a series, to about 1e-12
 * relative, without libm): exposed for its test. */
double snd_mel_ln(double x);

/* Frames a clip of n_samples samples yields: 1 + n/hop when centred (1 + (n-1)/hop for an
 * odd n_fft), 1 + (n - n_fft)/hop otherwise; 0 for an empty clip or one shorter than n_fft
 * uncentred. */
long long snd_mel_frame_count(const struct snd_feat_params *p, long long n_samples);

/* How the power of stationary noise in each of m's bands varies from frame to frame, as
 * the shape of the gamma distribution that approximates it (mean 1, variance 1 / shape),
 * into shape[n_mels]: one spectral bin's power is exponential (shape 1), a band summing k
 * independent bins has shape k, and the window makes neighbouring bins share their noise.
 * Computed exactly for Gaussian noise from the window and the filters; at least 1. For
 * power spectrograms (power 2); a fair guide for others. Uses m's FFT and scratch: not
 * while m is computing frames. */
void snd_mel_noise_shape(const struct snd_mel *m, double *shape);

void snd_mel_free(struct snd_mel *m); /* NULL is fine */

#endif
