/* model: a trained classifier as one HDF5 file (DESIGN.md "Models"), readable with h5py:
 *
 *   attributes on /: format = "snd-model", version, task (multiclass | multilabel), arch
 *     (the network spec), window_seconds, window_frames, every feature parameter (as a
 *     feature file stores them), and provenance: snd_version, command, seed, created
 *     (UTC, ISO 8601), best_epoch
 *   /labels                  string [n_classes]
 *   /norm/mean, /norm/std    float32 [n_mels]     per-band standardisation of the input
 *   /params/NAME             float32              weights and batch-norm statistics
 *   /history/COLUMN          float64 [epochs]     epoch, train_loss, train_metric,
 *                                                 val_loss, val_metric, seconds, lr
 *
 * Both snd-train (writing) and snd-classify (reading) go through this module. */
#ifndef SND_MODEL_H
#define SND_MODEL_H

#include <stdint.h>

#include <hdf5.h>

#include "err.h"
#include "featparams.h"
#include "nn.h"
#include "pool.h"

#define SND_MODEL_FORMAT "snd-model"
/* Version 2 adds window standardisation; a model without it is still written as 1. */
#define SND_MODEL_VERSION 2

enum snd_task { SND_TASK_MULTICLASS, SND_TASK_MULTILABEL };

#define SND_HISTORY_COLUMNS 7
/* The per-epoch statistics, in the order of snd_history_names. */
struct snd_history_row {
    double epoch, train_loss, train_metric, val_loss, val_metric, seconds, lr;
};
extern const char *const snd_history_names[SND_HISTORY_COLUMNS];

struct snd_model {
    struct snd_feat_params feat;
    enum snd_task task;
    double window_sec;
    int window_frames;
    int n_classes;
    char **labels;     /* n_classes */
    float *mean, *std; /* n_mels */
    /* Whether each window, once standardised, also loses its own per-band mean over the
     * frames it holds: what the recording's level and channel add to every frame. */
    int centre;
    struct snd_net *net;
    /* provenance */
    char command[1024];
    char created[32];
    uint64_t seed;
    int best_epoch;
    struct snd_history_row *history;
    int n_history;
};

/* Frames in a window of sec seconds of features p, as snd-melspec frames that much
 * audio. */
int snd_model_window_frames(const struct snd_feat_params *p, double sec);

/* A model with these labels (copied) and a fresh network of spec, its parameters zero.
 * Returns NULL with err (a bad spec, or a window too short for it). */
struct snd_model *snd_model_new(const struct snd_feat_params *feat, enum snd_task task,
                                double window_sec, const char *const *labels, int n_classes,
                                const char *spec, int max_batch, struct snd_pool *pool,
                                struct snd_err *err);
void snd_model_free(struct snd_model *m); /* NULL is fine */

/* Write m to path atomically. extra, when not NULL, adds to the open file before it is
 * closed (snd-train's checkpoint state). Returns 0, or -1 with err; no file is left
 * behind on failure. */
int snd_model_save(const struct snd_model *m, const char *path, int (*extra)(hid_t file, void *ctx),
                   void *ctx, struct snd_err *err);

/* Read a model, built for batches of up to max_batch on pool. Refuses a file that is not
 * a model, one from a newer format version, and one whose tensors do not fit its spec.
 * Returns NULL with err naming path. */
struct snd_model *snd_model_load(const char *path, int max_batch, struct snd_pool *pool,
                                 struct snd_err *err);

/* Copy the values of every network tensor of src into dst (same spec and classes), or
 * only those of the body (all but the last dense layer) with body_only. */
void snd_model_copy_params(struct snd_net *dst, struct snd_net *src, int body_only);

/* Standardise frames (n x n_mels) in place by the model's per-band mean and std. */
void snd_model_standardise(const struct snd_model *m, float *frames, long n);

/* With m->centre, subtract from the n standardised frames a window holds (n x n_mels)
 * their per-band mean; the window's padding, zero, stays zero. */
void snd_model_centre(const struct snd_model *m, float *frames, long n);

/* One input window of the network from n frames (n x n_mels) placed pad rows into it:
 * standardised and, with m->centre, centred; zero (the training mean) around them. */
void snd_model_window(const struct snd_model *m, const float *frames, int n, int pad, float *x);

/* The hop between a clip's windows when none is asked for: half the model's window, at
 * least a frame (snd-classify's windows, and those --adapt measures). */
int snd_model_default_hop(const struct snd_model *m);

/* The windows that cover a clip of n_frames frames, as snd-classify lays them: one every
 * hop frames from its start, and one more ending at its end when they leave it
 * uncovered; a clip no longer than a window has one, centred. Window i starts at frame
 * snd_model_window_start() (negative for a centred shorter clip). */
long snd_model_n_windows(const struct snd_model *m, long n_frames, int hop);
long snd_model_window_start(const struct snd_model *m, long n_frames, int hop, long i);

/* The probabilities of one window's logits (n_classes): a softmax (multiclass), or a
 * sigmoid of each (multi-label). */
void snd_model_probs(const struct snd_model *m, const float *logits, double *p);

/* Whether features of parameters p can feed the model; -1 with err naming the first
 * parameter that differs ("MODEL has n_mels=64, FEATURES has n_mels=40"). */
int snd_model_check_features(const struct snd_model *m, const char *model_name,
                             const struct snd_feat_params *p, const char *feat_name,
                             struct snd_err *err);

const char *snd_task_name(enum snd_task t);

#endif
