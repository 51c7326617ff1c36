/* tsv: reading and writing tab-separated tables with a header row. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "tsv.h"

struct snd_tsv_reader {
    FILE *f;
    int own_f;
    char *name;
    char *line; /* the current line, split in place */
    size_t line_cap;
    long line_no;
    char *header; /* the header line, split in place */
    char **cols;
    char **fields;
    int ncols;
};

struct snd_tsv_writer {
    FILE *f;
    char *name;
    int ncols;
    int flush_each_row;
    int errnum;             /* the first write error, kept: a stream's error flag outlives errno */
    struct snd_atomic file; /* when writing a file: f is its temporary */
    int own_file;
};

int snd_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;

    while (p < end) {
        unsigned c = *p;
        int k;
        unsigned cp;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            k = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            k = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            k = 3, cp = c & 0x07;
        else
            return 0;
        if (end - p <= k)
            return 0;
        for (int i = 1; i <= k; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += k + 1;
    }
    return 1;
}

/* Read one line without its "\n" (and a "\r" before it). Returns its length, -1 at the
 * end, or -2 with err. */
static long read_line(struct snd_tsv_reader *r, struct snd_err *err)
{
    ssize_t n;

    errno = 0;
    n = getline(&r->line, &r->line_cap, r->f);
    if (n < 0) {
        if (ferror(r->f))
            return snd_fail_errno(err, errno ? errno : EIO, "%s", r->name) - 1;
        return -1;
    }
    r->line_no++;
    if (n > 0 && r->line[n - 1] == '\n')
        r->line[--n] = '\0';
    if (n > 0 && r->line[n - 1] == '\r')
        r->line[--n] = '\0';
    if (strlen(r->line) != (size_t)n)
        return snd_fail(err, "%s:%ld: NUL byte in line", r->name, r->line_no) - 1;
    if (!snd_utf8_valid(r->line, (size_t)n))
        return snd_fail(err, "%s:%ld: invalid UTF-8", r->name, r->line_no) - 1;
    return n;
}

/* Split s at tabs into out[0..max); returns the field count, which may exceed max. */
static int split_tabs(char *s, char **out, int max)
{
    int n = 0;

    for (;;) {
        char *tab = strchr(s, '\t');
        if (n < max)
            out[n] = s;
        n++;
        if (tab == NULL)
            return n;
        *tab = '\0';
        s = tab + 1;
    }
}

static int count_fields(const char *s)
{
    int n = 1;

    for (; *s; s++)
        n += *s == '\t';
    return n;
}

static int read_header(struct snd_tsv_reader *r, struct snd_err *err)
{
    long n = read_line(r, err);
    char *h;
    int i, j;

    if (n == -2)
        return -1;
    if (n == -1)
        return snd_fail(err, "%s: empty table (no header line)", r->name);
    h = r->line;
    if (strncmp(h, "\xEF\xBB\xBF", 3) == 0) /* a byte-order mark from a spreadsheet */
        h += 3;
    r->header = strdup(h);
    if (r->header == NULL)
        return snd_fail(err, "%s: out of memory", r->name);
    r->ncols = count_fields(r->header);
    r->cols = calloc((size_t)r->ncols, sizeof *r->cols);
    r->fields = calloc((size_t)r->ncols, sizeof *r->fields);
    if (r->cols == NULL || r->fields == NULL)
        return snd_fail(err, "%s: out of memory", r->name);
    split_tabs(r->header, r->cols, r->ncols);
    for (i = 0; i < r->ncols; i++) {
        if (r->cols[i][0] == '\0')
            return snd_fail(err, "%s:1: column %d of the header has no name", r->name, i + 1);
        for (j = 0; j < i; j++)
            if (strcmp(r->cols[i], r->cols[j]) == 0)
                return snd_fail(err, "%s:1: column '%s' appears twice in the header", r->name,
                                r->cols[i]);
    }
    return 0;
}

struct snd_tsv_reader *snd_tsv_open_stream(FILE *f, const char *name, struct snd_err *err)
{
    struct snd_tsv_reader *r = calloc(1, sizeof *r);

    if (r == NULL || (r->name = strdup(name)) == NULL) {
        free(r);
        snd_fail(err, "%s: out of memory", name);
        return NULL;
    }
    r->f = f;
    if (read_header(r, err) != 0) {
        snd_tsv_close(r);
        return NULL;
    }
    return r;
}

struct snd_tsv_reader *snd_tsv_open(const char *path, struct snd_err *err)
{
    int use_stdin = path == NULL || strcmp(path, "-") == 0;
    FILE *f = use_stdin ? stdin : fopen(path, "r");
    struct snd_tsv_reader *r;

    if (f == NULL) {
        snd_fail_errno(err, errno, "%s", path);
        return NULL;
    }
    r = snd_tsv_open_stream(f, use_stdin ? "stdin" : path, err);
    if (r == NULL) {
        if (!use_stdin)
            fclose(f);
        return NULL;
    }
    r->own_f = !use_stdin;
    return r;
}

int snd_tsv_ncols(const struct snd_tsv_reader *r)
{
    return r->ncols;
}

const char *snd_tsv_colname(const struct snd_tsv_reader *r, int col)
{
    return r->cols[col];
}

int snd_tsv_col(const struct snd_tsv_reader *r, const char *name)
{
    int i;

    for (i = 0; i < r->ncols; i++)
        if (strcmp(r->cols[i], name) == 0)
            return i;
    return -1;
}

int snd_tsv_require(const struct snd_tsv_reader *r, const char *name, struct snd_err *err)
{
    int i = snd_tsv_col(r, name);

    if (i < 0)
        return snd_fail(err, "%s: no column '%s' in the header", r->name, name);
    return i;
}

int snd_tsv_next(struct snd_tsv_reader *r, struct snd_err *err)
{
    long n = read_line(r, err);
    int got;

    if (n == -2)
        return -1;
    if (n == -1)
        return 0;
    if (n == 0 && r->ncols > 1)
        return snd_fail(err, "%s:%ld: empty line", r->name, r->line_no);
    got = split_tabs(r->line, r->fields, r->ncols);
    if (got != r->ncols)
        return snd_fail(err, "%s:%ld: %d fields, but the header has %d", r->name, r->line_no, got,
                        r->ncols);
    return 1;
}

const char *snd_tsv_field(const struct snd_tsv_reader *r, int col)
{
    return r->fields[col];
}

long snd_tsv_line(const struct snd_tsv_reader *r)
{
    return r->line_no;
}

int snd_tsv_field_double(const struct snd_tsv_reader *r, int col, double *out, struct snd_err *err)
{
    struct snd_err e = {0};

    if (snd_parse_double(r->fields[col], -1e300, 1e300, out, &e) != 0)
        return snd_fail(err, "%s:%ld: column %s: %s", r->name, r->line_no, r->cols[col], e.msg);
    return 0;
}

int snd_tsv_field_prob(const struct snd_tsv_reader *r, int col, double *out, struct snd_err *err)
{
    if (r->fields[col][0] == '\0')
        return snd_fail(err, "%s:%ld: column %s is empty", r->name, r->line_no, r->cols[col]);
    if (snd_tsv_field_double(r, col, out, err) != 0)
        return -1;
    if (!(*out >= 0.0 && *out <= 1.0))
        return snd_fail(err, "%s:%ld: column %s: %s is outside [0, 1]", r->name, r->line_no,
                        r->cols[col], r->fields[col]);
    return 0;
}

/* A time in seconds: a number, not below 0. */
static int field_seconds(const struct snd_tsv_reader *r, int col, double *out, struct snd_err *err)
{
    if (snd_tsv_field_double(r, col, out, err) != 0)
        return -1;
    if (*out < 0.0)
        return snd_fail(err, "%s:%ld: column %s: %s is negative (seconds from the start)",
                        r->name, r->line_no, r->cols[col], r->fields[col]);
    return 0;
}

int snd_tsv_field_span(const struct snd_tsv_reader *r, int c_start, int c_end, double *start,
                       double *end, struct snd_err *err)
{
    if (field_seconds(r, c_start, start, err) != 0 || field_seconds(r, c_end, end, err) != 0)
        return -1;
    if (*end < *start)
        return snd_fail(err, "%s:%ld: end %s is before start %s", r->name, r->line_no,
                        r->fields[c_end], r->fields[c_start]);
    return 0;
}

void snd_tsv_close(struct snd_tsv_reader *r)
{
    if (r == NULL)
        return;
    if (r->own_f)
        fclose(r->f);
    free(r->line);
    free(r->header);
    free(r->cols);
    free(r->fields);
    free(r->name);
    free(r);
}

char *snd_tsv_fmt_sec(char *buf, double sec)
{
    char *end;

    snprintf(buf, SND_TSV_TIME_LEN, "%.6f", sec);
    end = buf + strlen(buf);
    while (end > buf && end[-1] == '0')
        *--end = '\0';
    if (end > buf && end[-1] == '.')
        *--end = '\0';
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
    return buf;
}

static int is_pipe(FILE *f)
{
    struct stat st;

    return fstat(fileno(f), &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* Fail with the stream's first write error, so that a closed pipe is reported as EPIPE
 * however many writes later it is noticed. */
static int write_failed(struct snd_tsv_writer *w, struct snd_err *err)
{
    if (w->errnum == 0)
        w->errnum = errno ? errno : EIO;
    return snd_fail_errno(err, w->errnum, "%s", w->name);
}

static int write_fields(struct snd_tsv_writer *w, const char *const *fields, struct snd_err *err)
{
    int i;

    for (i = 0; i < w->ncols; i++) {
        if (strpbrk(fields[i], "\t\n\r") != NULL)
            return snd_fail(err, "%s: field '%.40s' holds a tab or line break", w->name, fields[i]);
    }
    if (w->errnum != 0)
        return write_failed(w, err);
    errno = 0;
    for (i = 0; i < w->ncols; i++) {
        if (i > 0)
            putc('\t', w->f);
        fputs(fields[i], w->f);
    }
    putc('\n', w->f);
    if ((w->flush_each_row && fflush(w->f) != 0) || ferror(w->f))
        return write_failed(w, err);
    return 0;
}

struct snd_tsv_writer *snd_tsv_create_stream(FILE *f, const char *name, const char *const *cols,
                                             int ncols, struct snd_err *err)
{
    struct snd_tsv_writer *w = calloc(1, sizeof *w);

    if (w == NULL || (w->name = strdup(name)) == NULL) {
        free(w);
        snd_fail(err, "%s: out of memory", name);
        return NULL;
    }
    w->f = f;
    w->ncols = ncols;
    w->file.fd = -1;
    w->flush_each_row = is_pipe(f);
    if (cols != NULL && write_fields(w, cols, err) != 0) {
        free(w->name);
        free(w);
        return NULL;
    }
    return w;
}

struct snd_tsv_writer *snd_tsv_create(const char *path, const char *const *cols, int ncols,
                                      struct snd_err *err)
{
    struct snd_atomic file;
    struct snd_tsv_writer *w;
    FILE *f;

    if (path == NULL || strcmp(path, "-") == 0)
        return snd_tsv_create_stream(stdout, "stdout", cols, ncols, err);
    if (snd_atomic_create(&file, path, err) != 0)
        return NULL;
    f = fdopen(file.fd, "w");
    if (f == NULL) {
        snd_fail_errno(err, errno, "%s", path);
        snd_atomic_abort(&file);
        return NULL;
    }
    file.fd = -1; /* the stream owns the descriptor now */
    w = snd_tsv_create_stream(f, path, cols, ncols, err);
    if (w == NULL) {
        fclose(f);
        snd_atomic_abort(&file);
        return NULL;
    }
    w->file = file;
    w->own_file = 1;
    return w;
}

int snd_tsv_write_row(struct snd_tsv_writer *w, const char *const *fields, struct snd_err *err)
{
    return write_fields(w, fields, err);
}

static void free_writer(struct snd_tsv_writer *w)
{
    free(w->name);
    free(w);
}

int snd_tsv_finish(struct snd_tsv_writer *w, struct snd_err *err)
{
    int r = 0;

    if (w == NULL)
        return 0;
    errno = 0;
    if (w->errnum != 0 || fflush(w->f) != 0 || ferror(w->f))
        r = write_failed(w, err);
    if (w->own_file) {
        if (r == 0 && fsync(fileno(w->f)) != 0 && errno != EINVAL)
            r = snd_fail_errno(err, errno, "%s", w->name);
        if (fclose(w->f) != 0 && r == 0)
            r = snd_fail_errno(err, errno, "%s", w->name);
        if (r == 0)
            r = snd_atomic_commit(&w->file, err);
        else
            snd_atomic_abort(&w->file);
    }
    free_writer(w);
    return r;
}

void snd_tsv_discard(struct snd_tsv_writer *w)
{
    if (w == NULL)
        return;
    if (w->own_file) {
        fclose(w->f);
        snd_atomic_abort(&w->file);
    }
    free_writer(w);
}
