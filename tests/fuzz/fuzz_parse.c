/* fuzz_parse: durations, numbers and clip-name templates from arbitrary strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clipname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snd_err err = {0};
    struct snd_clipname_fields used;
    char *s = malloc(size + 1), out[64];
    double d;
    long l;

    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (snd_parse_dur(s, &d, &err) == 0 && !(d >= 0))
        abort(); /* a duration is never negative or NaN */
    if (snd_parse_double(s, -1.0, 1.0, &d, &err) == 0 && !(d >= -1.0 && d <= 1.0))
        abort();
    if (snd_parse_long(s, -5, 5, &l, &err) == 0 && !(l >= -5 && l <= 5))
        abort();
    if (snd_clipname_check(s, &used, &err) == 0)
        snd_clipname_expand(s, "base", 12345, 1.5, out, sizeof out, &err);
    free(s);
    return 0;
}
