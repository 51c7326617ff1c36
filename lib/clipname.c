/* clipname: expanding {base}, {n}, {n:W} and {start} in output file names. */
#include <stdio.h>
#include <string.h>

#include "clipname.h"

enum field { F_NONE, F_BASE, F_INDEX, F_START };

/* Parse the field at s (just after '{'); returns its kind and sets *width (0: none) and
 * *len (bytes up to and including '}'), or F_NONE when it is not a field. */
static enum field parse_field(const char *s, int *width, size_t *len)
{
    *width = 0;
    if (strncmp(s, "base}", 5) == 0)
        return *len = 5, F_BASE;
    if (strncmp(s, "start}", 6) == 0)
        return *len = 6, F_START;
    if (strncmp(s, "n}", 2) == 0)
        return *len = 2, F_INDEX;
    if (strncmp(s, "n:", 2) == 0 && s[2] >= '1' && s[2] <= '9' && s[3] == '}') {
        *width = s[2] - '0';
        return *len = 4, F_INDEX;
    }
    return F_NONE;
}

int snd_clipname_check(const char *tmpl, struct snd_clipname_fields *used, struct snd_err *err)
{
    const char *p = tmpl;

    memset(used, 0, sizeof *used);
    while (*p) {
        int width;
        size_t len;
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            p += 2;
            continue;
        }
        if (*p == '}')
            return snd_fail(err, "template '%s': unmatched '}' (write }} for a brace)", tmpl);
        if (*p != '{') {
            p++;
            continue;
        }
        switch (parse_field(p + 1, &width, &len)) {
        case F_BASE:
            used->base = 1;
            break;
        case F_INDEX:
            used->index = 1;
            break;
        case F_START:
            used->start = 1;
            break;
        case F_NONE:
            return snd_fail(err,
                            "template '%s': unknown field at '%.12s' (fields: {base}, {n}, "
                            "{n:W}, {start})",
                            tmpl, p);
        }
        p += 1 + len;
    }
    return 0;
}

int snd_clipname_expand(const char *tmpl, const char *base, long n, double start_sec, char *out,
                        size_t cap, struct snd_err *err)
{
    const char *p = tmpl;
    size_t o = 0;

    while (*p) {
        char piece[64];
        const char *add = piece;
        size_t add_len;
        int width;
        size_t len;
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            add = p;
            add_len = 1;
            p += 2;
        } else if (*p == '{') {
            switch (parse_field(p + 1, &width, &len)) {
            case F_BASE:
                add = base;
                break;
            case F_INDEX:
                snprintf(piece, sizeof piece, "%0*ld", width, n);
                break;
            case F_START:
                snprintf(piece, sizeof piece, "%.3f", start_sec);
                break;
            case F_NONE:
                return snd_fail(err, "template '%s': unknown field", tmpl);
            }
            add_len = strlen(add);
            p += 1 + len;
        } else {
            add = p;
            add_len = 1;
            p++;
        }
        if (o + add_len >= cap)
            return snd_fail(err, "template '%s': name too long", tmpl);
        memcpy(out + o, add, add_len);
        o += add_len;
    }
    out[o] = '\0';
    return 0;
}

const char *snd_clipname_base(const char *source, char *out, size_t cap)
{
    const char *slash = strrchr(source, '/');
    const char *name = slash ? slash + 1 : source;
    const char *dot = strrchr(name, '.');
    size_t len = dot && dot != name ? (size_t)(dot - name) : strlen(name);

    if (len >= cap)
        len = cap - 1;
    memcpy(out, name, len);
    out[len] = '\0';
    return out;
}
