/* clipname: names of output files from a template, for tools that write one file per
 * clip or per source (snd-split, snd-silence --trim). */
#ifndef SND_CLIPNAME_H
#define SND_CLIPNAME_H

#include <stddef.h>

#include "err.h"

/* What a template uses, found by snd_clipname_check(). */
struct snd_clipname_fields {
    int base;  /* {base} */
    int index; /* {n} or {n:W} */
    int start; /* {start} */
};

/* Check a template: fields are {base} (the source's file name without directory and
 * extension; "stdin" for stdin), {n} (the clip's index from 0 within its source), {n:W}
 * (the same, zero-padded to W digits, W 1..9) and {start} (the clip's start in seconds,
 * three decimals); "{{" and "}}" are literal braces. Returns 0 and fills *used, or -1 with
 * err naming the problem (an unknown field, an unclosed brace). */
int snd_clipname_check(const char *tmpl, struct snd_clipname_fields *used, struct snd_err *err);

/* Expand a template that passed snd_clipname_check() into out (cap bytes). Returns 0, or
 * -1 with err when the name does not fit. */
int snd_clipname_expand(const char *tmpl, const char *base, long n, double start_sec, char *out,
                        size_t cap, struct snd_err *err);

/* The {base} of a source: its last path component without its extension. Borrowed from
 * out, which receives at most cap bytes. */
const char *snd_clipname_base(const char *source, char *out, size_t cap);

#endif
