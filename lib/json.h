/* json: the two pieces of JSON the tools' --json outputs are built from. */
#ifndef SND_JSON_H
#define SND_JSON_H

#include <stdio.h>

/* A string in quotes: quotes and backslashes escaped, other control characters as \u
 * escapes; the text is UTF-8 already (every table and id is). */
void snd_json_string(FILE *f, const char *s);

/* A number that reads back to the same double, or null when it is not finite (NaN, an
 * undefined metric). */
void snd_json_number(FILE *f, double v);

#endif
