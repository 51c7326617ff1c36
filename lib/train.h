/* train: what snd-train does between reading its options and writing the model: labelled
 * examples in memory, the validation split, windows with augmentation, and the epochs. */
#ifndef SND_TRAIN_H
#define SND_TRAIN_H

#include <stdint.h>

#include <hdf5.h>

#include "err.h"
#include "featparams.h"
#include "model.h"
#include "optim.h"

/* ---- labels ------------------------------------------------------------------------- */

struct snd_labels;

/* Read a labels table (id, label, optional start and end). multi: labels are
 * comma-separated tags, an empty one meaning none. Classes are sorted by name. Returns
 * NULL with err naming the file and line. */
struct snd_labels *snd_labels_read(const char *path, int multi, struct snd_err *err);
void snd_labels_free(struct snd_labels *l); /* NULL is fine */
int snd_labels_n_classes(const struct snd_labels *l);
const char *const *snd_labels_classes(const struct snd_labels *l);

/* ---- examples ----------------------------------------------------------------------- */

/* One labelled stretch of a clip: frames [first, first + len) of the dataset's frames. */
struct snd_example {
    long first, len;
    int cls; /* multiclass: the class; multi-label: the first tag, or -1 (for the split) */
    int clip;
    int val; /* held out for validation */
};

/* Log features are held as half floats (lib/half.h): a tenth of a dB is far below what
 * training can tell apart, and the clips are the largest thing snd-train keeps. Features
 * without a log (powers, up to 1e10 and down to 1e-10) stay floats. */
struct snd_dataset {
    struct snd_feat_params feat;
    int have_feat, n_classes, multi;
    int half;     /* frames holds uint16_t halves, not floats */
    void *frames; /* n_frames x n_mels */
    long n_frames, cap_frames;
    struct snd_example *ex;
    unsigned char *y; /* n_ex x n_classes: 1 where the example has the class */
    long n_ex, cap_ex;
    int n_clips;
};

/* Read every clip of the features at path ("-": stdin) and add an example per label row
 * that names it (val: as validation examples). A clip without a row is an error unless
 * skip_unlabelled; *skipped counts those. Features whose parameters differ from those
 * already read are refused. Returns 0, or -1 with err. */
int snd_dataset_add(struct snd_dataset *d, const struct snd_labels *labels, const char *path,
                    int val, int skip_unlabelled, long *skipped, struct snd_err *err);
void snd_dataset_free(struct snd_dataset *d);

/* Hold out share f of the clips for validation, stratified by class and seeded, but
 * never so many of a class that fewer than keep (at least 1) of its clips are left to
 * train on. Returns the number of clips held out. */
long snd_dataset_split(struct snd_dataset *d, double f, long keep, uint64_t seed);

/* The fewest clips a class keeps for training when snd-train holds out its default
 * share: a class of fewer than SND_VAL_KEEP + 1 clips gives none to validation. */
#define SND_VAL_KEEP 8

/* The training (val 0) or validation (val 1) examples. */
long snd_dataset_count(const struct snd_dataset *d, int val);

/* The shortest, median and longest example among the training examples, in frames. */
void snd_dataset_lengths(const struct snd_dataset *d, long *shortest, long *median, long *longest);

/* The window snd-train chooses when none is given, in seconds: the median training
 * example's length rounded to a multiple of SND_WINDOW_STEP_SEC, between
 * SND_WINDOW_MIN_SEC and SND_WINDOW_MAX_SEC: long enough to hold a typical clip's
 * sound, short enough that a crop of a longer clip is a new example. */
#define SND_WINDOW_MIN_SEC 1.0
#define SND_WINDOW_MAX_SEC 3.0
#define SND_WINDOW_STEP_SEC 0.5
double snd_dataset_auto_window(const struct snd_dataset *d);

/* The number of epochs snd-train runs when not told: enough for at least SND_MIN_EPOCHS
 * passes and at least SND_MIN_STEPS optimiser steps of batch examples over n_train
 * examples, so that a few clips get as many steps as a large set would. */
#define SND_MIN_EPOCHS 30
#define SND_MIN_STEPS 2000
int snd_train_auto_epochs(long n_train, int batch);

/* The median over classes of the number of training examples that have the class. */
long snd_dataset_class_median(const struct snd_dataset *d);

/* Below this many training examples in the median class, snd-train leaves SpecAugment's
 * masks off unless told: with a handful of examples a class, blanking stripes of them
 * costs more than the robustness it buys (bench/train/README.md, few clips). */
#define SND_FEW_EXAMPLES 20

/* Per-band mean and standard deviation over the training examples' frames. */
void snd_dataset_band_stats(const struct snd_dataset *d, float *mean, float *std);

/* ---- training ----------------------------------------------------------------------- */

enum snd_balance { SND_BALANCE_NONE, SND_BALANCE_WEIGHT, SND_BALANCE_SAMPLE };

struct snd_train_conf {
    int epochs, batch, warmup, cosine, patience;
    struct snd_opt_conf opt;
    uint64_t seed;
    enum snd_balance balance;
    int time_mask, freq_mask, masks; /* SpecAugment: widest masks, masks of each kind */
    int shift;                       /* frames a window may move from centre; -1: anywhere */
    double stretch;                  /* time stretch by a factor within 1 +- stretch; 0: off */
    double pitch;                    /* shift along the mel bands within +- pitch bands; 0: off */
    double mixup;                    /* Beta(a, a); 0: off */
    double ema;                      /* decay of a moving average of the weights; 0: off */
    double gain;                     /* a level offset within +- gain dB; 0: off */
    double eq;                       /* a smooth random EQ curve of at most +- eq dB; 0: off */
    double noise;                    /* background noise at least noise dB below the peak; 0: off */
    double trim; /* cut ends quieter than trim to trim + 40 dB below the peak; 0: off */
    int pad;     /* frames of background noise added at most before and after; 0: off */
};

struct snd_trainer;

/* A trainer of model (borrowed; its network is trained in place) on d (borrowed). */
struct snd_trainer *snd_trainer_new(struct snd_model *model, const struct snd_dataset *d,
                                    const struct snd_train_conf *conf, struct snd_err *err);
void snd_trainer_free(struct snd_trainer *t); /* NULL is fine */

/* Run epoch number row->epoch... : train once over the training examples, then validate.
 * progress (may be NULL) is called after each batch with the batches done and total.
 * Fills row, and returns 1 when the epoch is the best so far, 0 otherwise. */
int snd_trainer_epoch(struct snd_trainer *t, int epoch, struct snd_history_row *row,
                      void (*progress)(long done, long total, void *ctx), void *ctx);

/* Epochs since the best one (for patience), and the best epoch (-1 before any). */
int snd_trainer_stale(const struct snd_trainer *t);
int snd_trainer_best_epoch(const struct snd_trainer *t);

/* Put the best epoch's weights into the model's network. */
void snd_trainer_restore_best(struct snd_trainer *t);

/* Validate the network as it is: loss, metric (accuracy; multi-label: macro average
 * precision) and, multiclass, the confusion matrix (n_classes^2, rows truth; may be NULL). */
void snd_trainer_validate(struct snd_trainer *t, double *loss, double *metric, long *confusion);
int snd_trainer_has_val(const struct snd_trainer *t);
long snd_trainer_n_train(const struct snd_trainer *t);

/* Checkpoint: store the optimiser, the best weights and the counters in group
 * "checkpoint" of an open model file, and read them back. The next epoch to run is the
 * one after the stored one. */
int snd_trainer_save_state(struct snd_trainer *t, hid_t file, int epoch, const char *fingerprint);
int snd_trainer_load_state(struct snd_trainer *t, const char *path, const char *fingerprint,
                           int *epoch, struct snd_err *err);

#endif
