/* tsv: the toolkit's tables: UTF-8, tab-separated, a header naming the columns. Readers
 * find columns by name, so unknown columns pass through untouched. */
#ifndef SND_TSV_H
#define SND_TSV_H

#include <stdio.h>

#include "err.h"

struct snd_tsv_reader;
struct snd_tsv_writer;

/* Open path ("-" or NULL: stdin) and read its header. Refused: an empty input, an empty
 * or duplicate column name, invalid UTF-8. Returns NULL with err naming the file.
 * The caller owns the result; release it with snd_tsv_close(). */
struct snd_tsv_reader *snd_tsv_open(const char *path, struct snd_err *err);

/* As snd_tsv_open() on a stream the caller keeps (and closes after snd_tsv_close()),
 * printed as name in messages. */
struct snd_tsv_reader *snd_tsv_open_stream(FILE *f, const char *name, struct snd_err *err);

/* The header: column count, and a column's name (borrowed until snd_tsv_close()). */
int snd_tsv_ncols(const struct snd_tsv_reader *r);
const char *snd_tsv_colname(const struct snd_tsv_reader *r, int col);

/* A column's index by name, or -1 when the header lacks it. */
int snd_tsv_col(const struct snd_tsv_reader *r, const char *name);

/* As snd_tsv_col(), but a missing column is an error: -1 with err "FILE: no column …". */
int snd_tsv_require(const struct snd_tsv_reader *r, const char *name, struct snd_err *err);

/* Read the next row. Returns 1 when a row is ready, 0 at the end, or -1 with err naming
 * FILE:LINE: a field count other than the header's, an empty line, invalid UTF-8, a NUL
 * byte. A final line without its newline is still a row. */
int snd_tsv_next(struct snd_tsv_reader *r, struct snd_err *err);

/* A field of the current row (borrowed until the next snd_tsv_next()), and its line. */
const char *snd_tsv_field(const struct snd_tsv_reader *r, int col);
long snd_tsv_line(const struct snd_tsv_reader *r);

/* Parse a field of the current row as a finite number. Returns 0, or -1 with err
 * "FILE:LINE: column NAME: …". */
int snd_tsv_field_double(const struct snd_tsv_reader *r, int col, double *out, struct snd_err *err);

/* As snd_tsv_field_double(), for a probability: a number in [0, 1]. An empty field or
 * one outside the range is refused with err "FILE:LINE: column NAME: …". */
int snd_tsv_field_prob(const struct snd_tsv_reader *r, int col, double *out, struct snd_err *err);

/* The start and end columns of the current row, as a span of time: each a number of
 * seconds from 0 on, the end not before the start. Anything else is refused with err
 * "FILE:LINE: column start: …" or "FILE:LINE: end E is before start S". */
int snd_tsv_field_span(const struct snd_tsv_reader *r, int c_start, int c_end, double *start,
                       double *end, struct snd_err *err);

void snd_tsv_close(struct snd_tsv_reader *r); /* NULL is fine */

/* Start a table on f (which the caller keeps), named name in messages, and write its
 * header of ncols names (cols NULL: a table without a header line, such as an Audacity
 * label track, whose rows still have ncols fields). When f is a pipe every row is flushed as it is
 * written, so a live pipeline sees it at once. Returns NULL with err on failure; end the table with
 * snd_tsv_finish() or snd_tsv_discard(). */
struct snd_tsv_writer *snd_tsv_create_stream(FILE *f, const char *name, const char *const *cols,
                                             int ncols, struct snd_err *err);

/* As snd_tsv_create_stream() on path ("-" or NULL: stdout). A file is written to a
 * temporary that appears under its name only at snd_tsv_finish(). */
struct snd_tsv_writer *snd_tsv_create(const char *path, const char *const *cols, int ncols,
                                      struct snd_err *err);

/* Write one row of the header's field count. A field holding a tab, newline or carriage
 * return is refused (-1 with err) before anything is written, rather than corrupting the
 * table. Returns 0, or -1 with err (err->errnum is EPIPE when the reader has gone). */
int snd_tsv_write_row(struct snd_tsv_writer *w, const char *const *fields, struct snd_err *err);

/* Flush and free the writer; a file made by snd_tsv_create() is renamed into place.
 * Returns 0, or -1 with err (no file then appears). NULL is fine. */
int snd_tsv_finish(struct snd_tsv_writer *w, struct snd_err *err);

/* Free the writer; a file made by snd_tsv_create() never appears. NULL is fine. */
void snd_tsv_discard(struct snd_tsv_writer *w);

/* Format a time in seconds for a table: up to six decimals, trailing zeros dropped
 * ("1.25", "3", "0.000063"). Returns buf, which must hold SND_TSV_TIME_LEN bytes. */
#define SND_TSV_TIME_LEN 32
char *snd_tsv_fmt_sec(char *buf, double sec);

/* Whether s is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
int snd_utf8_valid(const char *s, size_t n);

#endif
