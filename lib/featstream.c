/* featstream: writing and reading the frame stream, every count checked. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "featstream.h"
#include "pcm.h"

/* Frames per record when writing to a file: fixed, so the bytes depend only on the
 * frames, not on how they were computed (-j1 and -j2 write the same file). On a pipe each
 * write leaves at once as its own record instead, for a live reader. */
#define RECORD_FRAMES 64

struct snd_fs_writer {
    FILE *f;
    char *name;
    int n_mels;
    int flush_each;
    float *held; /* up to RECORD_FRAMES frames waiting for a full record (not a pipe) */
    long n_held;
    int in_clip;
    uint64_t clip_frames, n_clips;
    unsigned char *buf;
    size_t buf_cap;
};

struct snd_fs_reader {
    FILE *f;
    char *name;
    struct snd_feat_params p;
    long long pos; /* bytes consumed, for messages */
    int in_clip, ended;
    uint32_t frames_left; /* of the current 'F' record */
    uint64_t clip_frames, n_clips;
    char *id;
    unsigned char *buf;
    size_t buf_cap;
    float *skip; /* one frame, for skipping the rest of a clip */
};

static void put_u32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> 8 * i);
}

static void put_u64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> 8 * i);
}

static uint32_t get_u32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t get_u64(const unsigned char *b)
{
    return (uint64_t)get_u32(b) | (uint64_t)get_u32(b + 4) << 32;
}

static int is_pipe(FILE *f)
{
    struct stat st;

    return fstat(fileno(f), &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

static int wr(struct snd_fs_writer *w, const void *b, size_t n, struct snd_err *err)
{
    errno = 0;
    if (fwrite(b, 1, n, w->f) != n)
        return snd_fail_errno(err, errno ? errno : EIO, "%s", w->name);
    return 0;
}

static int flush_if_pipe(struct snd_fs_writer *w, struct snd_err *err)
{
    errno = 0;
    if (w->flush_each && fflush(w->f) != 0)
        return snd_fail_errno(err, errno ? errno : EIO, "%s", w->name);
    return 0;
}

struct snd_fs_writer *snd_fs_writer_new(FILE *f, const char *name, const struct snd_feat_params *p,
                                        struct snd_err *err)
{
    struct snd_fs_writer *w = calloc(1, sizeof *w);
    unsigned char head[16];
    char text[SND_FS_MAX_HEADER];
    int len = snd_feat_params_to_text(p, text, sizeof text);

    if (w == NULL || (w->name = strdup(name)) == NULL || len < 0) {
        free(w);
        snd_fail(err, "%s: out of memory", name);
        return NULL;
    }
    w->f = f;
    w->n_mels = p->n_mels;
    w->flush_each = is_pipe(f);
    w->held = malloc((size_t)RECORD_FRAMES * (size_t)p->n_mels * sizeof *w->held);
    if (w->held == NULL) {
        snd_fs_writer_free(w);
        snd_fail(err, "%s: out of memory", name);
        return NULL;
    }
    memcpy(head, SND_FS_MAGIC, 8);
    put_u32(head + 8, SND_FS_VERSION);
    put_u32(head + 12, (uint32_t)len);
    if (wr(w, head, 16, err) != 0 || wr(w, text, (size_t)len, err) != 0 ||
        flush_if_pipe(w, err) != 0) {
        snd_fs_writer_free(w);
        return NULL;
    }
    return w;
}

int snd_fs_begin_clip(struct snd_fs_writer *w, const char *id, double start_sec,
                      struct snd_err *err)
{
    size_t len = strlen(id);
    unsigned char b[13];
    uint64_t bits;

    if (w->in_clip)
        return snd_fail(err, "%s: clip '%s' begun inside another", w->name, id);
    if (len > SND_FS_MAX_ID)
        return snd_fail(err, "%s: clip id of %zu bytes is too long", w->name, len);
    b[0] = 'C';
    put_u32(b + 1, (uint32_t)len);
    if (wr(w, b, 5, err) != 0 || wr(w, id, len, err) != 0)
        return -1;
    memcpy(&bits, &start_sec, 8); /* IEEE 754 binary64, stored little-endian */
    put_u64(b, bits);
    if (wr(w, b, 8, err) != 0)
        return -1;
    w->in_clip = 1;
    w->clip_frames = 0;
    return flush_if_pipe(w, err);
}

static int write_record(struct snd_fs_writer *w, const float *frames, long n, struct snd_err *err);

/* Emit the held frames as one record. */
static int flush_held(struct snd_fs_writer *w, struct snd_err *err)
{
    long n = w->n_held;

    w->n_held = 0;
    return n > 0 ? write_record(w, w->held, n, err) : 0;
}

int snd_fs_write_frames(struct snd_fs_writer *w, const float *frames, long n, struct snd_err *err)
{
    if (!w->in_clip)
        return snd_fail(err, "%s: frames outside a clip", w->name);
    if (w->flush_each)
        return write_record(w, frames, n, err);
    while (n > 0) {
        long take = RECORD_FRAMES - w->n_held;
        if (take > n)
            take = n;
        memcpy(w->held + (size_t)w->n_held * w->n_mels, frames,
               (size_t)take * (size_t)w->n_mels * sizeof *frames);
        w->n_held += take;
        frames += (size_t)take * w->n_mels;
        n -= take;
        if (w->n_held == RECORD_FRAMES && flush_held(w, err) != 0)
            return -1;
    }
    return 0;
}

/* One 'F' record of n frames. */
static int write_record(struct snd_fs_writer *w, const float *frames, long n, struct snd_err *err)
{
    size_t values = (size_t)n * (size_t)w->n_mels, need = 5 + 4 * values;
    unsigned char *b;

    if (n <= 0)
        return 0;
    if (need > w->buf_cap) {
        b = realloc(w->buf, need);
        if (b == NULL)
            return snd_fail(err, "%s: out of memory", w->name);
        w->buf = b;
        w->buf_cap = need;
    }
    b = w->buf;
    b[0] = 'F';
    put_u32(b + 1, (uint32_t)n);
    snd_pcm_encode(b + 5, frames, values, SND_ENC_F32);
    w->clip_frames += (uint64_t)n;
    if (wr(w, b, need, err) != 0)
        return -1;
    return flush_if_pipe(w, err);
}

int snd_fs_end_clip(struct snd_fs_writer *w, struct snd_err *err)
{
    unsigned char b[9];

    if (!w->in_clip)
        return snd_fail(err, "%s: no clip to end", w->name);
    if (flush_held(w, err) != 0)
        return -1;
    b[0] = 'E';
    put_u64(b + 1, w->clip_frames);
    w->in_clip = 0;
    w->n_clips++;
    if (wr(w, b, 9, err) != 0)
        return -1;
    return flush_if_pipe(w, err);
}

int snd_fs_writer_finish(struct snd_fs_writer *w, struct snd_err *err)
{
    unsigned char b[9];
    int r = 0;

    if (w->in_clip)
        r = snd_fs_end_clip(w, err);
    b[0] = 'Z';
    put_u64(b + 1, w->n_clips);
    if (r == 0)
        r = wr(w, b, 9, err);
    errno = 0;
    if (r == 0 && fflush(w->f) != 0)
        r = snd_fail_errno(err, errno ? errno : EIO, "%s", w->name);
    snd_fs_writer_free(w);
    return r;
}

void snd_fs_writer_free(struct snd_fs_writer *w)
{
    if (w == NULL)
        return;
    free(w->held);
    free(w->buf);
    free(w->name);
    free(w);
}

/* Reading. */

/* Read exactly n bytes; a short read is a truncated stream. */
static int rd(struct snd_fs_reader *r, void *b, size_t n, struct snd_err *err)
{
    size_t got = fread(b, 1, n, r->f);

    r->pos += (long long)got;
    if (got == n)
        return 0;
    if (ferror(r->f))
        return snd_fail_errno(err, errno ? errno : EIO, "%s", r->name);
    return snd_fail(err, "%s: truncated frame stream: it ends at byte %lld, inside a record",
                    r->name, r->pos);
}

struct snd_fs_reader *snd_fs_reader_new(FILE *f, const char *name, size_t magic_len,
                                        struct snd_err *err)
{
    struct snd_fs_reader *r = calloc(1, sizeof *r);
    unsigned char head[16];
    char text[SND_FS_MAX_HEADER];
    uint32_t version, len;

    if (r == NULL || (r->name = strdup(name)) == NULL) {
        free(r);
        snd_fail(err, "%s: out of memory", name);
        return NULL;
    }
    r->f = f;
    r->pos = (long long)magic_len;
    memcpy(head, SND_FS_MAGIC, magic_len);
    if (rd(r, head + magic_len, 16 - magic_len, err) != 0)
        goto fail;
    if (memcmp(head, SND_FS_MAGIC, 8) != 0) {
        snd_fail(err, "%s: not a frame stream", name);
        goto fail;
    }
    version = get_u32(head + 8);
    len = get_u32(head + 12);
    if (version != SND_FS_VERSION) {
        snd_fail(err, "%s: frame stream version %u; this snd reads version %d", name, version,
                 SND_FS_VERSION);
        goto fail;
    }
    if (len == 0 || len > SND_FS_MAX_HEADER) {
        snd_fail(err, "%s: corrupt frame stream header (%u bytes of parameters)", name, len);
        goto fail;
    }
    if (rd(r, text, len, err) != 0 || snd_feat_params_from_text(&r->p, text, len, name, err) != 0)
        goto fail;
    if (snd_feat_params_check(&r->p, err) != 0) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        snd_fail(err, "%s: %s", name, msg);
        goto fail;
    }
    r->skip = malloc((size_t)r->p.n_mels * sizeof *r->skip);
    if (r->skip == NULL) {
        snd_fail(err, "%s: out of memory", name);
        goto fail;
    }
    return r;
fail:
    snd_fs_reader_free(r);
    return NULL;
}

const struct snd_feat_params *snd_fs_params(const struct snd_fs_reader *r)
{
    return &r->p;
}

static int corrupt(struct snd_fs_reader *r, const char *what, struct snd_err *err)
{
    return snd_fail(err, "%s: corrupt frame stream at byte %lld: %s", r->name, r->pos, what);
}

/* Read the tag of the next record; 0 only where the stream may legitimately end, which it
 * never does without its 'Z' record. */
static int read_tag(struct snd_fs_reader *r, unsigned char *tag, struct snd_err *err)
{
    int c = getc(r->f);

    if (c == EOF) {
        if (ferror(r->f))
            return snd_fail_errno(err, errno ? errno : EIO, "%s", r->name);
        return snd_fail(err,
                        "%s: truncated frame stream: it ends at byte %lld without its end "
                        "record",
                        r->name, r->pos);
    }
    r->pos++;
    *tag = (unsigned char)c;
    return 0;
}

static int read_end_of_clip(struct snd_fs_reader *r, struct snd_err *err)
{
    unsigned char b[8];

    if (rd(r, b, 8, err) != 0)
        return -1;
    if (get_u64(b) != r->clip_frames)
        return corrupt(r, "the clip's frame count disagrees with its frames", err);
    r->in_clip = 0;
    r->n_clips++;
    return 0;
}

int snd_fs_next_clip(struct snd_fs_reader *r, const char **id, double *start_sec,
                     struct snd_err *err)
{
    unsigned char tag = 0, b[8];
    uint32_t len;
    uint64_t bits;
    char *s;

    if (r->ended)
        return 0;
    /* Skip what is left of the current clip. */
    while (r->in_clip)
        if (snd_fs_read_frames(r, r->skip, 1, err) < 0)
            return -1;
    if (read_tag(r, &tag, err) != 0)
        return -1;
    if (tag == 'Z') {
        if (rd(r, b, 8, err) != 0)
            return -1;
        if (get_u64(b) != r->n_clips)
            return corrupt(r, "the stream's clip count disagrees with its clips", err);
        if (getc(r->f) != EOF)
            return corrupt(r, "bytes after the end record", err);
        r->ended = 1;
        return 0;
    }
    if (tag != 'C')
        return corrupt(r, "expected the start of a clip", err);
    if (rd(r, b, 4, err) != 0)
        return -1;
    len = get_u32(b);
    if (len > SND_FS_MAX_ID)
        return corrupt(r, "clip id too long", err);
    s = realloc(r->id, len + 1);
    if (s == NULL)
        return snd_fail(err, "%s: out of memory", r->name);
    r->id = s;
    if (rd(r, r->id, len, err) != 0 || rd(r, b, 8, err) != 0)
        return -1;
    r->id[len] = '\0';
    if (strlen(r->id) != len)
        return corrupt(r, "NUL byte in a clip id", err);
    bits = get_u64(b);
    memcpy(start_sec, &bits, 8);
    if (!isfinite(*start_sec))
        return corrupt(r, "clip start is not a number", err);
    r->in_clip = 1;
    r->clip_frames = 0;
    r->frames_left = 0;
    *id = r->id;
    return 1;
}

long snd_fs_read_frames(struct snd_fs_reader *r, float *out, long max, struct snd_err *err)
{
    size_t frame_bytes = 4 * (size_t)r->p.n_mels, need;
    unsigned char tag = 0, b[4];
    long n;

    if (!r->in_clip || max <= 0)
        return 0;
    while (r->frames_left == 0) {
        if (read_tag(r, &tag, err) != 0)
            return -1;
        if (tag == 'E')
            return read_end_of_clip(r, err) == 0 ? 0 : -1;
        if (tag != 'F')
            return corrupt(r, "expected frames or the end of a clip", err);
        if (rd(r, b, 4, err) != 0)
            return -1;
        r->frames_left = get_u32(b);
        if (r->frames_left == 0)
            return corrupt(r, "an empty frames record", err);
    }
    n = r->frames_left < (uint32_t)max ? (long)r->frames_left : max;
    need = (size_t)n * frame_bytes;
    if (need > r->buf_cap) {
        unsigned char *nb = realloc(r->buf, need);
        if (nb == NULL)
            return snd_fail(err, "%s: out of memory", r->name);
        r->buf = nb;
        r->buf_cap = need;
    }
    if (rd(r, r->buf, need, err) != 0)
        return -1;
    snd_pcm_decode(out, r->buf, (size_t)n * (size_t)r->p.n_mels, SND_ENC_F32);
    if (snd_pcm_first_nonfinite(out, (size_t)n * (size_t)r->p.n_mels) <
        (size_t)n * (size_t)r->p.n_mels)
        return corrupt(r, "a frame value that is not a finite number", err);
    r->frames_left -= (uint32_t)n;
    r->clip_frames += (uint64_t)n;
    return n;
}

void snd_fs_reader_free(struct snd_fs_reader *r)
{
    if (r == NULL)
        return;
    free(r->id);
    free(r->buf);
    free(r->skip);
    free(r->name);
    free(r);
}
