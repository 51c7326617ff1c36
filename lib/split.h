/* split: cut audio into clips, by fixed windows or at silences (snd-split). */
#ifndef SND_SPLIT_H
#define SND_SPLIT_H

#include "err.h"
#include "pcm.h"
#include "vad.h"

/* What happens to a last window shorter than the length. */
enum snd_split_last { SND_SPLIT_LAST_KEEP, SND_SPLIT_LAST_PAD, SND_SPLIT_LAST_DROP };

struct snd_split_opts {
    struct snd_pcm_fmt pcm; /* raw input; its rate is the working rate, its encoding the
                               output's */
    int at_silence;         /* cut at silences rather than in fixed windows */
    double length_sec;      /* fixed windows: length */
    double hop_sec;         /* fixed windows: start-to-start distance */
    enum snd_split_last last;
    struct snd_vad_opts vad;  /* at silences: the level detector */
    double min_length_sec;    /* at silences: shorter clips are dropped */
    double max_length_sec;    /* at silences: longer sound is cut into pieces; 0: no limit */
    const char *out_template; /* clip file names (see clipname.h); NULL: PCM on stdout */
    const char *index_path;   /* the index table; NULL: stdout when clips go to files */
};

#define SND_SPLIT_OPTS_DEFAULT                                                                     \
    {                                                                                              \
        SND_PCM_FMT_DEFAULT, 0, 0.0, 0.0, SND_SPLIT_LAST_KEEP, SND_VAD_OPTS_DEFAULT, 0.1, 0.0,     \
            NULL, NULL                                                                             \
    }

/* Longest window or clip: a bound on memory (an hour at 16 kHz is 230 MB of floats). */
#define SND_SPLIT_MAX_CLIP_SEC 3600.0

struct snd_splitter;

/* Check the options (lengths in range, a usable template). Returns 0, or -1 with err
 * saying which is wrong: a usage error. */
int snd_split_check_opts(const struct snd_split_opts *o, struct snd_err *err);

/* Check the options and open the index. Returns NULL with err on failure; the caller owns
 * the result and ends it with snd_split_finish() or snd_split_free(). */
struct snd_splitter *snd_split_new(const struct snd_split_opts *o, struct snd_err *err);

/* Split one source ("-": stdin), writing each clip and its index row as soon as the clip
 * is complete, so a live stream yields clips as it goes. Every clip file is whole; on a
 * failure part-way (a stream cut mid-sample) the clips before it stay, and the caller may
 * report the error and go on with the next source. Returns the number of clips, or -1
 * with err. */
long snd_split_source(struct snd_splitter *s, const char *path, struct snd_err *err);

/* Complete the index (a file appears only now) and free s. Returns 0, or -1 with err. */
int snd_split_finish(struct snd_splitter *s, struct snd_err *err);

/* Free s without completing an index file. NULL is fine. */
void snd_split_free(struct snd_splitter *s);

#endif
