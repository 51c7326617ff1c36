/* featfile: writing and validating HDF5 feature files. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "atomic.h"
#include "featfile.h"
#include "h5util.h"

/* Rows per chunk of /mel: 1024 x 64 floats is 256 KiB, a read of a few clips at once. */
#define CHUNK_ROWS 1024
#define META_CHUNK 512 /* clip-table entries per chunk: small files stay small */
/* A bound on the clip table a reader loads, against corrupt sizes: 100 million clips. */
#define MAX_CLIPS 100000000LL

struct snd_ff_writer {
    char *name;
    struct snd_atomic file;
    hid_t f, mel, offsets, ids, starts, str_type;
    int n_mels;
    long long rows;       /* rows in /mel, including those of an appended file */
    long long first_clip; /* clips already in an appended file */
    float *pending;       /* rows not yet written, up to CHUNK_ROWS */
    long n_pending;
    int in_clip;
    long long clip_rows; /* rows when the current clip began, for an abort */
    /* The new clips' table, written at the end. */
    long long *ends;
    char **id_list;
    double *start_list;
    long n_clips, cap_clips;
};

struct snd_ff_reader {
    char *name;
    hid_t f, mel, ids;
    struct snd_feat_params p;
    long long n_clips, *offsets;
    double *starts;
    long long clip;     /* the current clip, -1 before the first */
    long long row, end; /* the next row to read, and the current clip's end */
    char *id;
};

static hid_t utf8_string_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);

    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

/* An extendable dataset of rank 1 or 2 (second dimension cols), chunked. */
static hid_t create_extendable(hid_t f, const char *name, hid_t type, int rank, hsize_t rows,
                               hsize_t cols, hsize_t chunk_rows)
{
    hsize_t dims[2] = {rows, cols}, max[2] = {H5S_UNLIMITED, cols}, chunk[2] = {chunk_rows, cols};
    hid_t space = H5Screate_simple(rank, dims, max), dcpl = H5Pcreate(H5P_DATASET_CREATE), d = -1;

    /* No modification times: the same features make the same bytes, run after run. */
    if (space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, rank, chunk) >= 0 &&
        H5Pset_obj_track_times(dcpl, 0) >= 0)
        d = H5Dcreate2(f, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return d;
}

/* Grow dataset d along its first dimension from at to at + n rows and write buf there. */
static int append_rows(hid_t d, hid_t mem_type, long long at, long long n, hsize_t cols,
                       const void *buf)
{
    hsize_t size[2] = {(hsize_t)(at + n), cols}, start[2] = {(hsize_t)at, 0},
            count[2] = {(hsize_t)n, cols};
    hid_t fspace, mspace;
    int rank, r = -1;

    if (n == 0)
        return 0;
    if (H5Dset_extent(d, size) < 0 || (fspace = H5Dget_space(d)) < 0)
        return -1;
    rank = H5Sget_simple_extent_ndims(fspace);
    mspace = H5Screate_simple(rank, count, NULL);
    if (mspace >= 0 && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
        H5Dwrite(d, mem_type, mspace, fspace, H5P_DEFAULT, buf) >= 0)
        r = 0;
    if (mspace >= 0)
        H5Sclose(mspace);
    H5Sclose(fspace);
    return r;
}

static int copy_file(const char *from, int to_fd, struct snd_err *err)
{
    char buf[1 << 16];
    int fd = open(from, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return snd_fail_errno(err, errno, "%s", from);
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        if (write(to_fd, buf, (size_t)n) != n) {
            int e = errno;
            close(fd);
            return snd_fail_errno(err, e, "%s: cannot copy for appending", from);
        }
    }
    close(fd);
    return n < 0 ? snd_fail_errno(err, errno, "%s", from) : 0;
}

static void writer_close_h5(struct snd_ff_writer *w)
{
    hid_t *ids[] = {&w->mel, &w->offsets, &w->ids, &w->starts};
    size_t i;

    for (i = 0; i < 4; i++)
        if (*ids[i] >= 0)
            H5Dclose(*ids[i]), *ids[i] = -1;
    if (w->str_type >= 0)
        H5Tclose(w->str_type), w->str_type = -1;
    if (w->f >= 0)
        H5Fclose(w->f), w->f = -1;
}

static int create_layout(struct snd_ff_writer *w, const struct snd_feat_params *p,
                         struct snd_err *err)
{
    long long zero = 0;

    w->f = snd_h5_create_temp(&w->file);
    if (w->f < 0)
        return snd_fail(err, "%s: cannot create an HDF5 file", w->name);
    w->mel = create_extendable(w->f, "mel", H5T_IEEE_F32LE, 2, 0, (hsize_t)p->n_mels, CHUNK_ROWS);
    w->offsets = create_extendable(w->f, "offsets", H5T_STD_I64LE, 1, 0, 1, META_CHUNK);
    w->ids = create_extendable(w->f, "id", w->str_type, 1, 0, 1, META_CHUNK);
    w->starts = create_extendable(w->f, "start", H5T_IEEE_F64LE, 1, 0, 1, META_CHUNK);
    if (w->mel < 0 || w->offsets < 0 || w->ids < 0 || w->starts < 0 ||
        append_rows(w->offsets, H5T_NATIVE_LLONG, 0, 1, 1, &zero) != 0 ||
        snd_h5_attr_write_str(w->f, "format", SND_FF_FORMAT) != 0 ||
        snd_h5_attr_write_int(w->f, "version", SND_FF_VERSION) != 0)
        return snd_fail(err, "%s: cannot lay out the feature file", w->name);
    return snd_feat_params_write_h5(w->f, p, w->name, err);
}

/* Whether a dataset's first dimension is unlimited, as appending needs. */
static int can_grow(hid_t d)
{
    hsize_t dims[2], max[2] = {0, 0};
    hid_t s = H5Dget_space(d);
    int ok = s >= 0 && H5Sget_simple_extent_dims(s, dims, max) >= 1 && max[0] == H5S_UNLIMITED;

    if (s >= 0)
        H5Sclose(s);
    return ok;
}

/* Appending: the original must be a feature file with the same parameters; its copy is
 * opened for writing and extended. */
static int open_for_append(struct snd_ff_writer *w, const struct snd_feat_params *p,
                           struct snd_err *err)
{
    struct snd_ff_reader *old = snd_ff_reader_new(w->name, w->name, err);
    int r;

    if (old == NULL)
        return -1;
    r = snd_feat_params_compare(snd_ff_params(old), w->name, p, "this run", err);
    w->first_clip = snd_ff_n_clips(old);
    w->rows = old->offsets[old->n_clips];
    snd_ff_reader_free(old);
    if (r != 0) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return snd_fail(err, "cannot append: %s", msg);
    }
    if (copy_file(w->name, w->file.fd, err) != 0)
        return -1;
    w->f = snd_h5_open_temp(&w->file);
    if (w->f < 0)
        return snd_fail(err, "%s: cannot reopen for appending", w->name);
    w->mel = H5Dopen2(w->f, "mel", H5P_DEFAULT);
    w->offsets = H5Dopen2(w->f, "offsets", H5P_DEFAULT);
    w->ids = H5Dopen2(w->f, "id", H5P_DEFAULT);
    w->starts = H5Dopen2(w->f, "start", H5P_DEFAULT);
    if (w->mel < 0 || w->offsets < 0 || w->ids < 0 || w->starts < 0)
        return snd_fail(err, "%s: cannot reopen its datasets for appending", w->name);
    if (!can_grow(w->mel) || !can_grow(w->offsets) || !can_grow(w->ids) || !can_grow(w->starts))
        return snd_fail(err,
                        "%s: cannot append: its datasets have a fixed size (not written "
                        "by snd-melspec?)",
                        w->name);
    return 0;
}

struct snd_ff_writer *snd_ff_writer_new(const char *path, const struct snd_feat_params *p,
                                        int append, struct snd_err *err)
{
    struct snd_ff_writer *w = calloc(1, sizeof *w);
    int r;

    snd_h5_quiet();
    if (w == NULL || (w->name = strdup(path)) == NULL) {
        free(w);
        snd_fail(err, "%s: out of memory", path);
        return NULL;
    }
    w->f = w->mel = w->offsets = w->ids = w->starts = -1;
    w->file.fd = -1;
    w->str_type = utf8_string_type();
    w->n_mels = p->n_mels;
    w->pending = malloc((size_t)CHUNK_ROWS * (size_t)p->n_mels * sizeof *w->pending);
    if (w->pending == NULL || snd_atomic_create(&w->file, path, err) != 0) {
        if (w->pending == NULL)
            snd_fail(err, "%s: out of memory", path);
        snd_ff_writer_free(w);
        return NULL;
    }
    if (w->file.direct) {
        snd_ff_writer_free(w);
        snd_fail(err,
                 "%s: an HDF5 file cannot be written to a pipe or device (leave out -o "
                 "for a frame stream)",
                 path);
        return NULL;
    }
    r = append && access(path, F_OK) == 0 ? open_for_append(w, p, err) : create_layout(w, p, err);
    if (r != 0) {
        snd_ff_writer_free(w);
        return NULL;
    }
    return w;
}

static int flush_rows(struct snd_ff_writer *w, struct snd_err *err)
{
    if (append_rows(w->mel, H5T_NATIVE_FLOAT, w->rows, w->n_pending, (hsize_t)w->n_mels,
                    w->pending) != 0)
        return snd_fail(err, "%s: cannot write frames", w->name);
    w->rows += w->n_pending;
    w->n_pending = 0;
    return 0;
}

int snd_ff_begin_clip(struct snd_ff_writer *w, const char *id, double start_sec,
                      struct snd_err *err)
{
    if (w->in_clip)
        return snd_fail(err, "%s: clip '%s' begun inside another", w->name, id);
    if (w->n_clips == w->cap_clips) {
        long cap = w->cap_clips ? 2 * w->cap_clips : 256;
        long long *e = realloc(w->ends, (size_t)cap * sizeof *e);
        char **i = e ? realloc(w->id_list, (size_t)cap * sizeof *i) : NULL;
        double *s = i ? realloc(w->start_list, (size_t)cap * sizeof *s) : NULL;
        if (e)
            w->ends = e;
        if (i)
            w->id_list = i;
        if (s == NULL)
            return snd_fail(err, "%s: out of memory", w->name);
        w->start_list = s;
        w->cap_clips = cap;
    }
    w->id_list[w->n_clips] = strdup(id);
    if (w->id_list[w->n_clips] == NULL)
        return snd_fail(err, "%s: out of memory", w->name);
    w->start_list[w->n_clips] = start_sec;
    w->in_clip = 1;
    w->clip_rows = w->rows + w->n_pending;
    return 0;
}

int snd_ff_write_frames(struct snd_ff_writer *w, const float *frames, long n, struct snd_err *err)
{
    if (!w->in_clip)
        return snd_fail(err, "%s: frames outside a clip", w->name);
    while (n > 0) {
        long take = CHUNK_ROWS - w->n_pending;
        if (take > n)
            take = n;
        memcpy(w->pending + (size_t)w->n_pending * w->n_mels, frames,
               (size_t)take * (size_t)w->n_mels * sizeof *frames);
        w->n_pending += take;
        frames += (size_t)take * w->n_mels;
        n -= take;
        if (w->n_pending == CHUNK_ROWS && flush_rows(w, err) != 0)
            return -1;
    }
    return 0;
}

int snd_ff_end_clip(struct snd_ff_writer *w, struct snd_err *err)
{
    if (!w->in_clip)
        return snd_fail(err, "%s: no clip to end", w->name);
    w->ends[w->n_clips++] = w->rows + w->n_pending;
    w->in_clip = 0;
    return 0;
}

void snd_ff_abort_clip(struct snd_ff_writer *w)
{
    if (!w->in_clip)
        return;
    /* Rows already flushed past clip_rows are overwritten by later clips, and the extent
     * is cut to the rows kept when the file is finished. */
    if (w->clip_rows >= w->rows) {
        w->n_pending = (long)(w->clip_rows - w->rows);
    } else {
        w->rows = w->clip_rows;
        w->n_pending = 0;
    }
    free(w->id_list[w->n_clips]);
    w->in_clip = 0;
}

static int write_table(struct snd_ff_writer *w, struct snd_err *err)
{
    long long at = w->first_clip;
    hsize_t mel_dims[2] = {(hsize_t)w->rows, (hsize_t)w->n_mels};

    if (H5Dset_extent(w->mel, mel_dims) < 0)
        return snd_fail(err, "%s: cannot size /mel", w->name);

    if (append_rows(w->offsets, H5T_NATIVE_LLONG, at + 1, w->n_clips, 1, w->ends) != 0 ||
        append_rows(w->ids, w->str_type, at, w->n_clips, 1, w->id_list) != 0 ||
        append_rows(w->starts, H5T_NATIVE_DOUBLE, at, w->n_clips, 1, w->start_list) != 0)
        return snd_fail(err, "%s: cannot write the clip table", w->name);
    return 0;
}

/* HDF5 wrote through its own descriptor: make the temporary durable before the rename. */
static int sync_path(const char *path, const char *name, struct snd_err *err)
{
    int fd = open(path, O_RDONLY), r = 0;

    if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL))
        r = snd_fail_errno(err, errno, "%s", name);
    if (fd >= 0)
        close(fd);
    return r;
}

int snd_ff_writer_finish(struct snd_ff_writer *w, struct snd_err *err)
{
    int r = 0;

    if (w->in_clip)
        r = snd_ff_end_clip(w, err);
    if (r == 0 && w->n_pending > 0)
        r = flush_rows(w, err);
    if (r == 0)
        r = write_table(w, err);
    if (r == 0 && w->f >= 0 && H5Fflush(w->f, H5F_SCOPE_GLOBAL) < 0)
        r = snd_fail(err, "%s: cannot write the file", w->name);
    writer_close_h5(w);
    if (r == 0)
        r = sync_path(w->file.tmp_path, w->name, err);
    if (r == 0) {
        close(w->file.fd);
        w->file.fd = -1;
        r = snd_atomic_commit(&w->file, err);
    }
    snd_ff_writer_free(w);
    return r;
}

void snd_ff_writer_free(struct snd_ff_writer *w)
{
    long i;

    if (w == NULL)
        return;
    writer_close_h5(w);
    snd_atomic_abort(&w->file);
    for (i = 0; i < w->n_clips + w->in_clip; i++)
        free(w->id_list[i]);
    free(w->id_list);
    free(w->ends);
    free(w->start_list);
    free(w->pending);
    free(w->name);
    free(w);
}

/* Reading. */

/* Open dataset name and check its class, element size (0: any), rank, and (for a second
 * dimension) its width; *rows receives the first dimension. */
static hid_t open_checked(struct snd_ff_reader *r, const char *name, H5T_class_t cls, size_t size,
                          int rank, hsize_t cols, long long *rows, struct snd_err *err)
{
    hid_t d, t, s;
    hsize_t dims[2] = {0, 0};
    int ok;

    if (H5Lexists(r->f, name, H5P_DEFAULT) <= 0 || (d = H5Dopen2(r->f, name, H5P_DEFAULT)) < 0) {
        snd_fail(err, "%s: no dataset /%s", r->name, name);
        return -1;
    }
    t = H5Dget_type(d);
    s = H5Dget_space(d);
    ok = t >= 0 && s >= 0 && H5Tget_class(t) == cls && (size == 0 || H5Tget_size(t) == size) &&
         H5Sget_simple_extent_ndims(s) == rank &&
         H5Sget_simple_extent_dims(s, dims, NULL) == rank && (rank == 1 || dims[1] == cols);
    if (ok && cls == H5T_INTEGER)
        ok = H5Tget_sign(t) == H5T_SGN_2;
    if (t >= 0)
        H5Tclose(t);
    if (s >= 0)
        H5Sclose(s);
    if (!ok) {
        H5Dclose(d);
        if (rank == 2)
            snd_fail(err, "%s: /%s is not a %s%zu array of %llu columns", r->name, name,
                     cls == H5T_FLOAT ? "float" : "int", size * 8, (unsigned long long)cols);
        else
            snd_fail(err, "%s: /%s is not a one-dimensional %s array", r->name, name,
                     cls == H5T_STRING  ? "string"
                     : cls == H5T_FLOAT ? "float64"
                                        : "int64");
        return -1;
    }
    *rows = (long long)dims[0];
    return d;
}

static int read_all(hid_t d, hid_t mem_type, void *buf)
{
    return H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0 ? -1 : 0;
}

static int check_layout(struct snd_ff_reader *r, struct snd_err *err)
{
    long long mel_rows, n_offsets, n_ids, n_starts, i;
    hid_t offsets, starts;
    int ok = 0;

    r->mel = open_checked(r, "mel", H5T_FLOAT, 4, 2, (hsize_t)r->p.n_mels, &mel_rows, err);
    if (r->mel < 0)
        return -1;
    r->ids = open_checked(r, "id", H5T_STRING, 0, 1, 0, &n_ids, err);
    if (r->ids < 0)
        return -1;
    offsets = open_checked(r, "offsets", H5T_INTEGER, 8, 1, 0, &n_offsets, err);
    if (offsets < 0)
        return -1;
    starts = open_checked(r, "start", H5T_FLOAT, 8, 1, 0, &n_starts, err);
    if (starts < 0) {
        H5Dclose(offsets);
        return -1;
    }
    r->n_clips = n_ids;
    if (n_offsets != n_ids + 1 || n_starts != n_ids)
        snd_fail(err, "%s: %lld ids, %lld starts and %lld offsets do not describe one set of clips",
                 r->name, n_ids, n_starts, n_offsets);
    else if (n_ids > MAX_CLIPS)
        snd_fail(err, "%s: %lld clips is more than snd reads", r->name, n_ids);
    else if ((r->offsets = malloc((size_t)n_offsets * sizeof *r->offsets)) == NULL ||
             (r->starts = malloc((size_t)(n_ids + 1) * sizeof *r->starts)) == NULL)
        snd_fail(err, "%s: out of memory for %lld clips", r->name, n_ids);
    else if (read_all(offsets, H5T_NATIVE_LLONG, r->offsets) != 0 ||
             (n_ids > 0 && read_all(starts, H5T_NATIVE_DOUBLE, r->starts) != 0))
        snd_fail(err, "%s: cannot read the clip table (truncated?)", r->name);
    else
        ok = 1;
    H5Dclose(offsets);
    H5Dclose(starts);
    if (!ok)
        return -1;
    if (r->offsets[0] != 0)
        return snd_fail(err, "%s: /offsets does not start at 0", r->name);
    for (i = 0; i < n_ids; i++)
        if (r->offsets[i + 1] < r->offsets[i])
            return snd_fail(err, "%s: /offsets decreases at clip %lld", r->name, i);
    if (r->offsets[n_ids] != mel_rows)
        return snd_fail(err, "%s: /offsets ends at %lld but /mel has %lld rows", r->name,
                        r->offsets[n_ids], mel_rows);
    return 0;
}

struct snd_ff_reader *snd_ff_reader_new(const char *path, const char *name, struct snd_err *err)
{
    struct snd_ff_reader *r = calloc(1, sizeof *r);
    char format[64];
    long long version;

    snd_h5_quiet();
    if (r == NULL || (r->name = strdup(name)) == NULL) {
        free(r);
        snd_fail(err, "%s: out of memory", name);
        return NULL;
    }
    r->f = r->mel = r->ids = -1;
    r->clip = -1;
    r->f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (r->f < 0) {
        snd_fail(err, "%s: cannot open as HDF5 (not HDF5, or truncated)", name);
        goto fail;
    }
    if (H5Aexists(r->f, "format") <= 0 ||
        snd_h5_attr_read_str(r->f, "format", format, sizeof format, name, err) != 0 ||
        strcmp(format, SND_FF_FORMAT) != 0) {
        snd_fail(err, "%s: not an snd feature file (no format = \"%s\" attribute)", name,
                 SND_FF_FORMAT);
        goto fail;
    }
    if (snd_h5_attr_read_int(r->f, "version", &version, name, err) != 0)
        goto fail;
    if (version < 1 || version > SND_FF_VERSION) {
        snd_fail(err, "%s: feature file version %lld; this snd reads up to version %d", name,
                 version, SND_FF_VERSION);
        goto fail;
    }
    if (snd_feat_params_read_h5(r->f, &r->p, name, err) != 0)
        goto fail;
    if (snd_feat_params_check(&r->p, err) != 0) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        snd_fail(err, "%s: %s", name, msg);
        goto fail;
    }
    if (check_layout(r, err) != 0)
        goto fail;
    return r;
fail:
    snd_ff_reader_free(r);
    return NULL;
}

const struct snd_feat_params *snd_ff_params(const struct snd_ff_reader *r)
{
    return &r->p;
}

long long snd_ff_n_clips(const struct snd_ff_reader *r)
{
    return r->n_clips;
}

/* Read id i, fixed or variable length, into r->id. */
static int read_id(struct snd_ff_reader *r, long long i, struct snd_err *err)
{
    hsize_t start = (hsize_t)i, one = 1;
    hid_t ftype = H5Dget_type(r->ids), space = H5Dget_space(r->ids), mspace, mtype;
    int ok = -1;

    mspace = H5Screate_simple(1, &one, NULL);
    mtype = H5Tcopy(H5T_C_S1);
    H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &one, NULL);
    free(r->id);
    r->id = NULL;
    if (H5Tis_variable_str(ftype) > 0) {
        char *s = NULL;
        H5Tset_size(mtype, H5T_VARIABLE);
        if (H5Dread(r->ids, mtype, mspace, space, H5P_DEFAULT, &s) >= 0 && s != NULL) {
            r->id = strdup(s);
            ok = r->id ? 0 : -1;
        }
        H5free_memory(s);
    } else {
        size_t size = H5Tget_size(ftype);
        r->id = calloc(1, size + 1);
        H5Tset_size(mtype, size + 1);
        if (r->id != NULL && H5Dread(r->ids, mtype, mspace, space, H5P_DEFAULT, r->id) >= 0)
            ok = 0;
    }
    H5Tclose(mtype);
    H5Sclose(mspace);
    H5Sclose(space);
    H5Tclose(ftype);
    if (ok != 0)
        return snd_fail(err, "%s: cannot read the id of clip %lld", r->name, i);
    return 0;
}

int snd_ff_next_clip(struct snd_ff_reader *r, const char **id, double *start_sec,
                     long long *n_frames, struct snd_err *err)
{
    if (r->clip + 1 >= r->n_clips)
        return 0;
    r->clip++;
    if (read_id(r, r->clip, err) != 0)
        return -1;
    r->row = r->offsets[r->clip];
    r->end = r->offsets[r->clip + 1];
    *id = r->id;
    *start_sec = r->starts[r->clip];
    *n_frames = r->end - r->row;
    return 1;
}

long snd_ff_read_frames(struct snd_ff_reader *r, float *out, long max, struct snd_err *err)
{
    hsize_t start[2] = {(hsize_t)r->row, 0}, count[2] = {0, (hsize_t)r->p.n_mels};
    hid_t space, mspace;
    long n = r->end - r->row < max ? (long)(r->end - r->row) : max;
    herr_t ok = -1;

    if (r->clip < 0 || n <= 0)
        return 0;
    count[0] = (hsize_t)n;
    space = H5Dget_space(r->mel);
    mspace = H5Screate_simple(2, count, NULL);
    if (H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0)
        ok = H5Dread(r->mel, H5T_NATIVE_FLOAT, mspace, space, H5P_DEFAULT, out);
    H5Sclose(mspace);
    H5Sclose(space);
    if (ok < 0)
        return snd_fail(err, "%s: cannot read frames of clip %lld (truncated?)", r->name, r->clip);
    r->row += n;
    return n;
}

int snd_ff_load_params(const char *path, struct snd_feat_params *p, struct snd_err *err)
{
    hid_t f;
    int r;

    snd_h5_quiet();
    if (access(path, R_OK) != 0)
        return snd_fail_errno(err, errno, "%s", path);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return snd_fail(err, "%s: cannot open as HDF5 (not HDF5, or truncated)", path);
    r = snd_feat_params_read_h5(f, p, path, err);
    H5Fclose(f);
    if (r == 0 && snd_feat_params_check(p, err) != 0) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return snd_fail(err, "%s: %s", path, msg);
    }
    return r;
}

void snd_ff_reader_free(struct snd_ff_reader *r)
{
    if (r == NULL)
        return;
    if (r->mel >= 0)
        H5Dclose(r->mel);
    if (r->ids >= 0)
        H5Dclose(r->ids);
    if (r->f >= 0)
        H5Fclose(r->f);
    free(r->offsets);
    free(r->starts);
    free(r->id);
    free(r->name);
    free(r);
}
