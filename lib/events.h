/* events: event-based and segment-based detection scores, as sed_eval defines them
 * (EventBasedMetrics with onset and offset conditions and optimal matching;
 * SegmentBasedMetrics). */
#ifndef SND_EVENTS_H
#define SND_EVENTS_H

#include "err.h"

struct snd_event {
    int file;             /* which recording */
    int label;            /* class index */
    double onset, offset; /* seconds */
};

struct snd_event_opts {
    double collar_sec;  /* onsets match within this */
    double offset_rate; /* offsets within max(collar, rate x the reference's length) */
    double segment_sec; /* segment-based resolution */
};

/* DCASE's usual settings: 200 ms, 20%, 1 s. */
#define SND_EVENT_OPTS_DEFAULT                                                                     \
    {                                                                                              \
        0.2, 0.2, 1.0                                                                              \
    }

struct snd_event_class {
    long n_ref, n_sys, tp;
    double precision, recall, f1;
};

struct snd_event_scores {
    long n_ref, n_sys, tp; /* event-based, every class together */
    double precision, recall, f1;
    struct snd_event_class *per_class; /* owned, n_classes */
    int n_classes;
    long seg_tp, seg_fp, seg_fn; /* segment-based, every class together */
    double seg_precision, seg_recall, seg_f1;
};

/* Score sys against ref (events of n_files files and n_classes classes). Each matched
 * pair shares file and label, onsets within the collar, offsets within max(collar, rate x
 * the reference's length); the matching is a maximum one (every possible pair counted
 * once), as sed_eval's "optimal". Returns 0 and fills *s (release with
 * snd_event_scores_free()), or -1 with err. */
int snd_event_scores_compute(struct snd_event_scores *s, const struct snd_event *ref, long n_ref,
                             const struct snd_event *sys, long n_sys, int n_files, int n_classes,
                             const struct snd_event_opts *o, struct snd_err *err);
void snd_event_scores_free(struct snd_event_scores *s);

#endif
