/* features: one interface over HDF5 feature files and frame streams. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "featfile.h"
#include "featstream.h"
#include "features.h"
#include "h5util.h"

struct snd_feat_writer {
    struct snd_ff_writer *file; /* one of these two */
    struct snd_fs_writer *stream;
};

struct snd_feat_reader {
    char *name;
    FILE *f; /* a stream's source, when it is not stdin */
    struct snd_ff_reader *file;
    struct snd_fs_reader *stream;
};

struct snd_feat_writer *snd_feat_create(const char *path, const struct snd_feat_params *p,
                                        int append, struct snd_err *err)
{
    struct snd_feat_writer *w;

    if (snd_feat_params_check(p, err) != 0)
        return NULL;
    w = calloc(1, sizeof *w);
    if (w == NULL) {
        snd_fail(err, "out of memory");
        return NULL;
    }
    if (path != NULL && strcmp(path, "-") != 0)
        w->file = snd_ff_writer_new(path, p, append, err);
    else if (append)
        snd_fail(err, "stdout: a frame stream cannot be appended to");
    else
        w->stream = snd_fs_writer_new(stdout, "stdout", p, err);
    if (w->file == NULL && w->stream == NULL) {
        free(w);
        return NULL;
    }
    return w;
}

int snd_feat_begin_clip(struct snd_feat_writer *w, const char *id, double start_sec,
                        struct snd_err *err)
{
    return w->file ? snd_ff_begin_clip(w->file, id, start_sec, err)
                   : snd_fs_begin_clip(w->stream, id, start_sec, err);
}

int snd_feat_write_frames(struct snd_feat_writer *w, const float *frames, long n,
                          struct snd_err *err)
{
    return w->file ? snd_ff_write_frames(w->file, frames, n, err)
                   : snd_fs_write_frames(w->stream, frames, n, err);
}

int snd_feat_end_clip(struct snd_feat_writer *w, struct snd_err *err)
{
    return w->file ? snd_ff_end_clip(w->file, err) : snd_fs_end_clip(w->stream, err);
}

int snd_feat_abort_clip(struct snd_feat_writer *w, struct snd_err *err)
{
    if (w->stream != NULL)
        return snd_fail(err, "stdout: a source failed after its frames were sent");
    snd_ff_abort_clip(w->file);
    return 0;
}

int snd_feat_is_stream(const struct snd_feat_writer *w)
{
    return w->stream != NULL;
}

int snd_feat_finish(struct snd_feat_writer *w, struct snd_err *err)
{
    int r = w->file ? snd_ff_writer_finish(w->file, err) : snd_fs_writer_finish(w->stream, err);

    free(w);
    return r;
}

void snd_feat_discard(struct snd_feat_writer *w)
{
    if (w == NULL)
        return;
    snd_ff_writer_free(w->file);
    snd_fs_writer_free(w->stream);
    free(w);
}

/* HDF5 reads files, not pipes: copy stdin, whose first bytes are head, to a temporary
 * file, open it, and unlink it at once (HDF5 keeps its descriptor). */
static struct snd_ff_reader *open_h5_stdin(const unsigned char *head, size_t n, struct snd_err *err)
{
    const char *dir = getenv("TMPDIR");
    char path[4096], buf[1 << 16];
    struct snd_ff_reader *r = NULL;
    size_t got;
    int fd;

    snprintf(path, sizeof path, "%s/snd-stdin-XXXXXX", dir && *dir ? dir : "/tmp");
    fd = mkstemp(path);
    if (fd < 0) {
        snd_fail_errno(err, errno, "stdin: cannot make a temporary file");
        return NULL;
    }
    if (write(fd, head, n) != (ssize_t)n)
        goto fail;
    while ((got = fread(buf, 1, sizeof buf, stdin)) > 0)
        if (write(fd, buf, got) != (ssize_t)got)
            goto fail;
    close(fd);
    r = snd_ff_reader_new(path, "stdin", err);
    unlink(path);
    return r;
fail:
    snd_fail_errno(err, errno, "stdin: cannot copy to a temporary file");
    close(fd);
    unlink(path);
    return NULL;
}

struct snd_feat_reader *snd_feat_open(const char *path, struct snd_err *err)
{
    int use_stdin = path == NULL || strcmp(path, "-") == 0;
    struct snd_feat_reader *r = calloc(1, sizeof *r);
    unsigned char head[8];
    size_t n;
    FILE *f;

    if (r == NULL || (r->name = strdup(use_stdin ? "stdin" : path)) == NULL) {
        free(r);
        snd_fail(err, "out of memory");
        return NULL;
    }
    f = use_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        snd_fail_errno(err, errno, "%s", path);
        goto fail;
    }
    if (!use_stdin)
        r->f = f;
    n = fread(head, 1, 8, f);
    if (n == 0) {
        snd_fail(err, "%s: empty: no features", r->name);
        goto fail;
    }
    if (snd_h5_is_hdf5(head, n)) {
        if (r->f != NULL)
            fclose(r->f), r->f = NULL;
        r->file = use_stdin ? open_h5_stdin(head, n, err) : snd_ff_reader_new(path, path, err);
        if (r->file == NULL)
            goto fail;
        return r;
    }
    if (n < 8 || memcmp(head, SND_FS_MAGIC, 8) != 0) {
        snd_fail(err, "%s: not snd features (neither an HDF5 feature file nor a frame stream)",
                 r->name);
        goto fail;
    }
    r->stream = snd_fs_reader_new(f, r->name, 8, err);
    if (r->stream == NULL)
        goto fail;
    return r;
fail:
    snd_feat_close(r);
    return NULL;
}

const struct snd_feat_params *snd_feat_reader_params(const struct snd_feat_reader *r)
{
    return r->file ? snd_ff_params(r->file) : snd_fs_params(r->stream);
}

const char *snd_feat_reader_name(const struct snd_feat_reader *r)
{
    return r->name;
}

int snd_feat_next_clip(struct snd_feat_reader *r, const char **id, double *start_sec,
                       long long *n_frames, struct snd_err *err)
{
    if (r->file)
        return snd_ff_next_clip(r->file, id, start_sec, n_frames, err);
    *n_frames = -1;
    return snd_fs_next_clip(r->stream, id, start_sec, err);
}

long snd_feat_read_frames(struct snd_feat_reader *r, float *out, long max, struct snd_err *err)
{
    return r->file ? snd_ff_read_frames(r->file, out, max, err)
                   : snd_fs_read_frames(r->stream, out, max, err);
}

int snd_feat_load_params(const char *path, struct snd_feat_params *p, struct snd_err *err)
{
    return snd_ff_load_params(path, p, err);
}

void snd_feat_close(struct snd_feat_reader *r)
{
    if (r == NULL)
        return;
    snd_ff_reader_free(r->file);
    snd_fs_reader_free(r->stream);
    if (r->f != NULL)
        fclose(r->f);
    free(r->name);
    free(r);
}
