/* test_features: HDF5 feature files and frame streams: round trips, appending, and
 * refusing every kind of bad file or stream. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "featfile.h"
#include "featstream.h"
#include "features.h"
#include "h5util.h"
#include "harness.h"

/* Frames of clip c: distinct values so any mix-up shows. */
static void fill(float *v, long n, int n_mels, int c)
{
    long i;

    for (i = 0; i < n * n_mels; i++)
        v[i] = (float)(c * 1000 + i) * 0.5f - 40.0f;
}

static const long clip_frames[3] = {7, 0, 2500}; /* an empty clip, one past a chunk */

/* Write the three test clips through the features API. */
static int write_clips(const char *path, const struct snd_feat_params *p, int append,
                       struct snd_err *err)
{
    struct snd_feat_writer *w = snd_feat_create(path, p, append, err);
    float *v = malloc(2500 * 64 * sizeof *v);
    char id[32];
    int c;

    if (w == NULL)
        return free(v), -1;
    for (c = 0; c < 3; c++) {
        snprintf(id, sizeof id, "clip-%d.wav", c + (append ? 3 : 0));
        fill(v, clip_frames[c], p->n_mels, c);
        if (snd_feat_begin_clip(w, id, 1.5 * c, err) != 0 ||
            snd_feat_write_frames(w, v, clip_frames[c] / 2, err) != 0 ||
            snd_feat_write_frames(w, v + clip_frames[c] / 2 * p->n_mels,
                                  clip_frames[c] - clip_frames[c] / 2, err) != 0 ||
            snd_feat_end_clip(w, err) != 0) {
            snd_feat_discard(w);
            return free(v), -1;
        }
    }
    free(v);
    return snd_feat_finish(w, err);
}

/* Read every clip of r back and check it against what write_clips() wrote. */
static int check_clips(struct snd_feat_reader *r, int n_expected)
{
    struct snd_err err = {0};
    float *v = malloc(2500 * 64 * sizeof *v), *want = malloc(2500 * 64 * sizeof *want);
    const char *id;
    double start;
    long long n_frames;
    int c = 0, k, ok = 1;

    while ((k = snd_feat_next_clip(r, &id, &start, &n_frames, &err)) == 1) {
        long got = 0, n;
        char want_id[32];
        snprintf(want_id, sizeof want_id, "clip-%d.wav", c);
        ok &= strcmp(id, want_id) == 0 && start == 1.5 * (c % 3);
        ok &= n_frames == -1 || n_frames == clip_frames[c % 3];
        while ((n = snd_feat_read_frames(r, v + got * 64, 100, &err)) > 0)
            got += n;
        fill(want, clip_frames[c % 3], 64, c % 3);
        ok &= n == 0 && got == clip_frames[c % 3] &&
              memcmp(v, want, (size_t)got * 64 * sizeof *v) == 0;
        c++;
    }
    free(v);
    free(want);
    if (k != 0)
        printf("    %s\n", err.msg);
    return ok && k == 0 && c == n_expected;
}

static void hdf5_round_trip_and_append(void)
{
    struct snd_feat_params p = SND_FEAT_PARAMS_DEFAULT;
    struct snd_err err = {0};
    struct snd_feat_reader *r;

    CHECK(write_clips(path_in("f.h5"), &p, 0, &err) == 0);
    r = snd_feat_open(path_in("f.h5"), &err);
    CHECK(r != NULL);
    if (r == NULL)
        return;
    CHECK(snd_feat_reader_params(r)->n_mels == 64);
    CHECK(check_clips(r, 3));
    snd_feat_close(r);
    CHECK(write_clips(path_in("f.h5"), &p, 1, &err) == 0);
    r = snd_feat_open(path_in("f.h5"), &err);
    CHECK(r != NULL && check_clips(r, 6));
    snd_feat_close(r);
    p.n_mels = 40;
    CHECK(write_clips(path_in("f.h5"), &p, 1, &err) == -1);
    CHECK(strstr(err.msg, "n_mels=40") != NULL && strstr(err.msg, "n_mels=64") != NULL);
}

static void stream_round_trip(void)
{
    struct snd_feat_params p = SND_FEAT_PARAMS_DEFAULT;
    struct snd_err err = {0};
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size), *saved = stdout;
    struct snd_fs_reader *r;
    const char *id;
    double start;
    float v[64 * 7];
    int c = 0;

    stdout = f; /* the features API writes streams to stdout */
    CHECK(write_clips("-", &p, 0, &err) == 0);
    stdout = saved;
    fclose(f);
    CHECK(memcmp(buf, SND_FS_MAGIC, 8) == 0);
    f = fmemopen(buf, size, "r");
    r = snd_fs_reader_new(f, "s", 0, &err);
    CHECK(r != NULL);
    while (r != NULL && snd_fs_next_clip(r, &id, &start, &err) == 1)
        c++;
    CHECK(c == 3);
    snd_fs_reader_free(r);
    fclose(f);
    /* The first clip's frames, as written. */
    f = fmemopen(buf, size, "r");
    r = snd_fs_reader_new(f, "s", 0, &err);
    CHECK(snd_fs_next_clip(r, &id, &start, &err) == 1 && strcmp(id, "clip-0.wav") == 0);
    CHECK(snd_fs_read_frames(r, v, 7, &err) == 7); /* a file holds whole records */
    snd_fs_reader_free(r);
    fclose(f);
    free(buf);
}

/* Read a whole stream; 0 when it is valid to its end, -1 with err otherwise. */
static int read_stream(const char *buf, size_t size, struct snd_err *err)
{
    FILE *f = fmemopen((void *)buf, size, "r");
    struct snd_fs_reader *r = snd_fs_reader_new(f, "cut", 0, err);
    const char *id;
    double start;
    float v[64 * 16];
    int k = -1;
    long n;

    if (r != NULL) {
        while ((k = snd_fs_next_clip(r, &id, &start, err)) == 1)
            while ((n = snd_fs_read_frames(r, v, 16, err)) > 0)
                ;
        snd_fs_reader_free(r);
    }
    fclose(f);
    return k == 0 ? 0 : -1;
}

/* A stream cut at any byte is an error, never a shorter valid stream. */
static void stream_cut_anywhere_refused(void)
{
    struct snd_feat_params p = SND_FEAT_PARAMS_DEFAULT;
    struct snd_err err = {0};
    char *buf = NULL;
    size_t size = 0, cut, accepted = 0;
    FILE *f = open_memstream(&buf, &size), *saved = stdout;
    struct snd_feat_writer *w;
    float v[64 * 3];

    fill(v, 3, 64, 1);
    stdout = f;
    w = snd_feat_create("-", &p, 0, &err);
    snd_feat_begin_clip(w, "a", 0, &err);
    snd_feat_write_frames(w, v, 3, &err);
    snd_feat_end_clip(w, &err);
    snd_feat_begin_clip(w, "b", 2, &err);
    snd_feat_write_frames(w, v, 1, &err);
    snd_feat_end_clip(w, &err);
    CHECK(snd_feat_finish(w, &err) == 0);
    stdout = saved;
    fclose(f);
    CHECK(read_stream(buf, size, &err) == 0);
    for (cut = 0; cut < size; cut++)
        accepted += read_stream(buf, cut, &err) == 0;
    CHECK(accepted == 0);
    CHECK(read_stream(buf, size - 3, &err) == -1 && strstr(err.msg, "truncated") != NULL);
    /* A flipped record tag and a count that disagrees are corrupt, not truncated. */
    buf[size - 9] = 'Q';
    CHECK(read_stream(buf, size, &err) == -1 && strstr(err.msg, "corrupt") != NULL);
    buf[size - 9] = 'Z';
    buf[size - 8] = 9;
    CHECK(read_stream(buf, size, &err) == -1 && strstr(err.msg, "clip count") != NULL);
    free(buf);
}

/* Make an HDF5 file shaped like a feature file, with one thing wrong. */
enum flaw { NONE, NO_FORMAT, NEW_VERSION, INT_MEL, RANK3_MEL, BAD_OFFSETS, SHORT_IDS };

static void make_flawed(const char *path, enum flaw flaw)
{
    struct snd_feat_params p = SND_FEAT_PARAMS_DEFAULT;
    struct snd_err err = {0};
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), s, d, t;
    hsize_t mel_dims[3] = {10, 64, 2}, n2 = 3, n1 = 2;
    long long offsets[3] = {0, 6, 10};
    double starts[2] = {0, 0};
    const char *ids[2] = {"a", "b"};
    float *mel = calloc(10 * 64 * 2, sizeof *mel);

    if (flaw != NO_FORMAT)
        snd_h5_attr_write_str(f, "format", "snd-features");
    snd_h5_attr_write_int(f, "version", flaw == NEW_VERSION ? 2 : 1);
    snd_feat_params_write_h5(f, &p, path, &err);
    s = H5Screate_simple(flaw == RANK3_MEL ? 3 : 2, mel_dims, NULL);
    d = H5Dcreate2(f, "mel", flaw == INT_MEL ? H5T_STD_I32LE : H5T_IEEE_F32LE, s, H5P_DEFAULT,
                   H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, mel);
    H5Dclose(d), H5Sclose(s);
    if (flaw == BAD_OFFSETS)
        offsets[1] = 11;
    s = H5Screate_simple(1, &n2, NULL);
    d = H5Dcreate2(f, "offsets", H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, offsets);
    H5Dclose(d), H5Sclose(s);
    n1 = flaw == SHORT_IDS ? 1 : 2;
    s = H5Screate_simple(1, &n1, NULL);
    t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    d = H5Dcreate2(f, "id", t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids);
    H5Dclose(d), H5Sclose(s), H5Tclose(t);
    n1 = 2;
    s = H5Screate_simple(1, &n1, NULL);
    d = H5Dcreate2(f, "start", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, starts);
    H5Dclose(d), H5Sclose(s);
    H5Fclose(f);
    free(mel);
}

static const char *open_error(const char *path)
{
    static struct snd_err err;
    struct snd_feat_reader *r = snd_feat_open(path, &err);

    if (r != NULL) {
        snd_feat_close(r);
        return "";
    }
    return err.msg;
}

static void bad_files_refused(void)
{
    const char *p = path_in("bad.h5");
    FILE *f;

    snd_h5_quiet();
    make_flawed(p, NONE);
    CHECK(strcmp(open_error(p), "") == 0);
    make_flawed(p, NO_FORMAT);
    CHECK(strstr(open_error(p), "not an snd feature file") != NULL);
    make_flawed(p, NEW_VERSION);
    CHECK(strstr(open_error(p), "version 2; this snd reads up to version 1") != NULL);
    make_flawed(p, INT_MEL);
    CHECK(strstr(open_error(p), "/mel is not a float32 array of 64 columns") != NULL);
    make_flawed(p, RANK3_MEL);
    CHECK(strstr(open_error(p), "/mel is not") != NULL);
    make_flawed(p, BAD_OFFSETS);
    CHECK(strstr(open_error(p), "/offsets decreases") != NULL);
    make_flawed(p, SHORT_IDS);
    CHECK(strstr(open_error(p), "do not describe one set of clips") != NULL);
    /* Truncated: a valid file cut in half. */
    make_flawed(p, NONE);
    CHECK(truncate(p, 1500) == 0);
    CHECK(strstr(open_error(p), "cannot open as HDF5") != NULL);
    f = fopen(p, "w");
    fputs("id\tlabel\n", f);
    fclose(f);
    CHECK(strstr(open_error(p), "neither an HDF5 feature file nor a frame stream") != NULL);
    CHECK(strstr(open_error(path_in("none.h5")), "No such file") != NULL);
    unlink(p);
}

static void aborted_clip_leaves_no_trace(void)
{
    struct snd_feat_params p = SND_FEAT_PARAMS_DEFAULT;
    struct snd_err err = {0};
    struct snd_feat_writer *w = snd_feat_create(path_in("ab.h5"), &p, 0, &err);
    struct snd_feat_reader *r;
    float *v = malloc(3000 * 64 * sizeof *v);
    const char *id;
    double start;
    long long n;

    fill(v, 3000, 64, 0);
    CHECK(snd_feat_begin_clip(w, "gone", 0, &err) == 0);
    CHECK(snd_feat_write_frames(w, v, 3000, &err) == 0); /* past two chunks: flushed */
    CHECK(snd_feat_abort_clip(w, &err) == 0);
    CHECK(snd_feat_begin_clip(w, "kept", 0, &err) == 0);
    CHECK(snd_feat_write_frames(w, v, 5, &err) == 0);
    CHECK(snd_feat_end_clip(w, &err) == 0);
    CHECK(snd_feat_finish(w, &err) == 0);
    r = snd_feat_open(path_in("ab.h5"), &err);
    CHECK(r != NULL && snd_feat_next_clip(r, &id, &start, &n, &err) == 1);
    CHECK(strcmp(id, "kept") == 0 && n == 5);
    CHECK(snd_feat_next_clip(r, &id, &start, &n, &err) == 0);
    snd_feat_close(r);
    free(v);
}

static void unfinished_file_never_appears(void)
{
    struct snd_feat_params p = SND_FEAT_PARAMS_DEFAULT;
    struct snd_err err = {0};
    struct snd_feat_writer *w = snd_feat_create(path_in("half.h5"), &p, 0, &err);

    CHECK(snd_feat_begin_clip(w, "x", 0, &err) == 0);
    CHECK(access(path_in("half.h5"), F_OK) != 0);
    snd_feat_discard(w);
    CHECK(access(path_in("half.h5"), F_OK) != 0);
    CHECK(snd_feat_create("/dev/null", &p, 0, &err) == NULL);
    CHECK(strstr(err.msg, "cannot be written to a pipe or device") != NULL);
}

int main(void)
{
    RUN(hdf5_round_trip_and_append);
    RUN(stream_round_trip);
    RUN(stream_cut_anywhere_refused);
    RUN(bad_files_refused);
    RUN(aborted_clip_leaves_no_trace);
    RUN(unfinished_file_never_appears);
    unlink(path_in("f.h5"));
    unlink(path_in("ab.h5"));
    harness_dir_remove();
    return HARNESS_STATUS();
}
