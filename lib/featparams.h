/* featparams: the parameters of a log-mel spectrogram, stored the same way by every file
 * and stream that carries features (HDF5 feature files, models, the frame stream), so
 * that a reader can refuse features computed differently. */
#ifndef SND_FEATPARAMS_H
#define SND_FEATPARAMS_H

#include <stddef.h>

#include <hdf5.h>

#include "err.h"

enum snd_window { SND_WINDOW_HANN, SND_WINDOW_HAMMING, SND_WINDOW_BLACKMAN, SND_WINDOW_RECT };
enum snd_mel_scale { SND_MEL_SLANEY, SND_MEL_HTK };
enum snd_mel_norm { SND_NORM_SLANEY, SND_NORM_NONE };
enum snd_log { SND_LOG_DB, SND_LOG_LN, SND_LOG_NONE };

/* Names follow librosa and torchaudio (DESIGN.md). */
struct snd_feat_params {
    int sample_rate;
    int n_fft;
    int win_length;
    int hop_length;
    enum snd_window window; /* periodic, centred in the n_fft frame */
    int center;             /* frames centred on their time, reflect padding at the ends */
    double power;           /* 2: power spectrum, 1: magnitude */
    int n_mels;
    double f_min, f_max;
    enum snd_mel_scale mel_scale;
    enum snd_mel_norm norm;
    enum snd_log log;
    double amin; /* the floor before the log */
};

/* DESIGN.md's default features, what torchaudio computes with these settings. */
#define SND_FEAT_PARAMS_DEFAULT                                                                    \
    {                                                                                              \
        16000, 512, 400, 160, SND_WINDOW_HANN, 1, 2.0, 64, 0.0, 8000.0, SND_MEL_SLANEY,            \
            SND_NORM_SLANEY, SND_LOG_DB, 1e-10                                                     \
    }

/* The frame nearest a time of sec seconds from a clip's start, as snd-melspec numbers
 * frames (hop_length samples apart from 0 s); also a duration in frames. */
long snd_feat_frame_at(const struct snd_feat_params *p, double sec);

/* The seconds that n frames span, hop_length samples each: the converse of the above. */
double snd_feat_seconds(const struct snd_feat_params *p, long n);

/* Check that the parameters make a spectrogram: n_fft at least the window, f_max at most
 * Nyquist, f_min below f_max, each number in a sane range. (Whether n_mels is too many for
 * the FFT is known only once the filterbank is built: see snd_mel_new().) Returns 0, or
 * -1 with err naming the first bad parameter by its option name. */
int snd_feat_params_check(const struct snd_feat_params *p, struct snd_err *err);

/* Compare a and b. Returns 0 when equal; otherwise -1 with err "NAME_A has PARAM=X, NAME_B
 * has PARAM=Y" for the first parameter that differs. */
int snd_feat_params_compare(const struct snd_feat_params *a, const char *name_a,
                            const struct snd_feat_params *b, const char *name_b,
                            struct snd_err *err);

/* The parameters as text, one "name=value\n" per parameter in a fixed order (the frame
 * stream's header). Returns the length written (< cap), or -1 when cap is too small. */
int snd_feat_params_to_text(const struct snd_feat_params *p, char *buf, size_t cap);

/* Read parameters from that text; every parameter must be present once, unknown names
 * are refused. where names the source in messages. Returns 0, or -1 with err. */
int snd_feat_params_from_text(struct snd_feat_params *p, const char *text, size_t len,
                              const char *where, struct snd_err *err);

/* Store the parameters as attributes of an open HDF5 object (a file's root group): ints
 * as int64, reals as float64, names as UTF-8 strings, so h5py reads them as Python ints,
 * floats and strs. Returns 0, or -1 with err naming where. */
int snd_feat_params_write_h5(hid_t loc_id, const struct snd_feat_params *p, const char *where,
                             struct snd_err *err);

/* Read them back; a missing attribute or one of the wrong type is an error naming it.
 * Returns 0, or -1 with err. */
int snd_feat_params_read_h5(hid_t loc_id, struct snd_feat_params *p, const char *where,
                            struct snd_err *err);

#endif
