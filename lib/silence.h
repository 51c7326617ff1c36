/* silence: find silence by level, and report it, trim it from the ends, or gate a
 * stream so only sound passes (snd-silence). */
#ifndef SND_SILENCE_H
#define SND_SILENCE_H

#include "err.h"
#include "pcm.h"
#include "vad.h"

enum snd_silence_mode { SND_SILENCE_REPORT, SND_SILENCE_TRIM, SND_SILENCE_GATE };

struct snd_silence_opts {
    enum snd_silence_mode mode;
    struct snd_pcm_fmt pcm;  /* raw input; its rate is the working rate, its encoding the
                                output's */
    struct snd_vad_opts vad; /* the level detector; pad_sec is kept by trim and gate */
    const char *output;      /* trim: a file, or a template with {base} for several
                                sources; gate: a file; NULL: PCM (report: TSV) on stdout */
    const char *log_path;    /* gate: the TSV of dropped stretches; NULL: none */
};

#define SND_SILENCE_OPTS_DEFAULT                                                                   \
    {                                                                                              \
        SND_SILENCE_REPORT, SND_PCM_FMT_DEFAULT, SND_VAD_OPTS_DEFAULT, NULL, NULL                  \
    }

/* What one source held, for the summary on stderr. */
struct snd_silence_stats {
    double total_sec;
    double silence_sec; /* frames decided silent (before padding) */
    double kept_sec;    /* trim and gate: audio written */
};

struct snd_silencer;

/* Check the options. Returns 0, or -1 with err saying which is wrong: a usage error. */
int snd_silence_check_opts(const struct snd_silence_opts *o, int n_sources, struct snd_err *err);

/* Open the outputs the mode writes for the whole run (the report table, the gated stream
 * and its log). Returns NULL with err; the caller owns the result and ends it with
 * snd_silence_finish() or snd_silence_free(). */
struct snd_silencer *snd_silence_new(const struct snd_silence_opts *o, struct snd_err *err);

/* Process one source ("-": stdin). Report: rows "id start end state" as each stretch
 * ends. Trim: the source without its leading and trailing silence (beyond the padding),
 * to its own file, which appears only when whole. Gate: the sound, appended to the run's
 * output as it is decided, and the dropped stretches to the log. Returns 0 and fills
 * stats, or -1 with err. */
int snd_silence_source(struct snd_silencer *s, const char *path, struct snd_silence_stats *stats,
                       struct snd_err *err);

/* Complete the run's outputs (files appear now) and free s. Returns 0, or -1 with err. */
int snd_silence_finish(struct snd_silencer *s, struct snd_err *err);

void snd_silence_free(struct snd_silencer *s); /* NULL is fine; files never appear */

#endif
