/* cli: option-argument parsing and the exit conventions of DESIGN.md. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct dur_unit {
    const char *name;
    double sec;
};

static const struct dur_unit dur_units[] = {
    {"", 1.0}, {"s", 1.0}, {"ms", 1e-3}, {"m", 60.0}, {"min", 60.0}, {"h", 3600.0},
};

int snd_parse_dur(const char *s, double *sec, struct snd_err *err)
{
    char *end;
    double v;
    size_t i;

    errno = 0;
    /* strtod would accept leading blanks, hex, "inf" and "nan": refuse them up front. */
    if (s[0] == '\0' || !(s[0] == '.' || (s[0] >= '0' && s[0] <= '9')))
        return snd_fail(err, "invalid duration '%s' (expected e.g. 3s, 250ms, 10m, 1.5)", s);
    v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v) || memchr(s, 'x', (size_t)(end - s)) ||
        memchr(s, 'X', (size_t)(end - s)))
        return snd_fail(err, "invalid duration '%s' (expected e.g. 3s, 250ms, 10m, 1.5)", s);
    for (i = 0; i < sizeof dur_units / sizeof dur_units[0]; i++) {
        if (strcmp(end, dur_units[i].name) == 0) {
            v *= dur_units[i].sec;
            if (!isfinite(v))
                break;
            *sec = v;
            return 0;
        }
    }
    return snd_fail(err, "invalid duration '%s' (units: ms, s, m, h)", s);
}

int snd_parse_double(const char *s, double min, double max, double *out, struct snd_err *err)
{
    char *end;
    double v;

    errno = 0;
    if (s[0] == '\0' || s[0] == ' ' || s[0] == '\t')
        return snd_fail(err, "invalid number '%s'", s);
    v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v) || strpbrk(s, "xX"))
        return snd_fail(err, "invalid number '%s'", s);
    if (v < min || v > max)
        return snd_fail(err, "%s is out of range [%g, %g]", s, min, max);
    *out = v;
    return 0;
}

int snd_parse_long(const char *s, long min, long max, long *out, struct snd_err *err)
{
    char *end;
    long v;

    errno = 0;
    if (!(s[0] == '-' || s[0] == '+' || (s[0] >= '0' && s[0] <= '9')))
        return snd_fail(err, "invalid integer '%s'", s);
    v = strtol(s, &end, 10);
    if (end == s || *end != '\0')
        return snd_fail(err, "invalid integer '%s'", s);
    if (errno == ERANGE || v < min || v > max)
        return snd_fail(err, "%s is out of range [%ld, %ld]", s, min, max);
    *out = v;
    return 0;
}

void snd_cli_init(void)
{
    signal(SIGPIPE, SIG_IGN);
}

void snd_cli_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(SND_EXIT_USAGE);
}

void snd_cli_bad_option(const char *prog, char **argv, int c)
{
    extern int optind, optopt;
    const char *opt = argv[optind - 1];

    if (c == ':')
        snd_cli_usage_error(prog, "option %s needs an argument", opt);
    if (optopt != 0 && strncmp(opt, "--", 2) != 0)
        snd_cli_usage_error(prog, "unknown option -%c (see --help)", optopt);
    snd_cli_usage_error(prog, "unknown option %s (see --help)", opt);
}

double snd_cli_dur(const char *prog, const char *opt, const char *arg, double min_sec,
                   double max_sec)
{
    struct snd_err err = {0};
    double v;

    if (snd_parse_dur(arg, &v, &err) != 0)
        snd_cli_usage_error(prog, "%s: %s", opt, err.msg);
    if (v < min_sec || v > max_sec)
        snd_cli_usage_error(prog, "%s: %s is out of range [%gs, %gs]", opt, arg, min_sec, max_sec);
    return v;
}

double snd_cli_double(const char *prog, const char *opt, const char *arg, double min, double max)
{
    struct snd_err err = {0};
    double v;

    if (snd_parse_double(arg, min, max, &v, &err) != 0)
        snd_cli_usage_error(prog, "%s: %s", opt, err.msg);
    return v;
}

long snd_cli_long(const char *prog, const char *opt, const char *arg, long min, long max)
{
    struct snd_err err = {0};
    long v;

    if (snd_parse_long(arg, min, max, &v, &err) != 0)
        snd_cli_usage_error(prog, "%s: %s", opt, err.msg);
    return v;
}

int snd_cli_pcm_option(const char *prog, int c, const char *arg, struct snd_pcm_fmt *fmt)
{
    struct snd_err err = {0};

    switch (c) {
    case 'r':
        fmt->rate_hz = (int)snd_cli_long(prog, "--rate", arg, 1000, SND_PCM_MAX_RATE_HZ);
        return 1;
    case 'c':
        fmt->channels = (int)snd_cli_long(prog, "--channels", arg, 1, SND_PCM_MAX_CHANNELS);
        return 1;
    case 'e':
        if (snd_pcm_parse_encoding(arg, &fmt->enc, &err) != 0)
            snd_cli_usage_error(prog, "--encoding: %s", err.msg);
        return 1;
    }
    return 0;
}

void snd_cli_version(const char *prog)
{
    printf("%s %s\n", prog, SND_VERSION);
    exit(SND_EXIT_OK);
}

int snd_cli_each_source(const char *prog, int n, char **paths, snd_cli_source_fn fn, void *ctx)
{
    struct snd_err err = {0};
    int status = SND_EXIT_OK, i;

    if (n == 0)
        return fn(ctx, "-", &err) == 0 ? SND_EXIT_OK : snd_cli_fail(prog, &err);
    for (i = 0; i < n; i++) {
        if (fn(ctx, paths[i], &err) == 0)
            continue;
        if (snd_cli_fail(prog, &err) == SND_EXIT_OK) /* stdout closed: stop quietly */
            break;
        status = SND_EXIT_FAILURE;
    }
    return status;
}

const char *snd_cli_source_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "stdin" : path;
}

int snd_cli_fail(const char *prog, const struct snd_err *err)
{
    if (err->errnum == EPIPE)
        return SND_EXIT_OK;
    fprintf(stderr, "%s: %s\n", prog, err->msg);
    return SND_EXIT_FAILURE;
}

int snd_cli_finish(const char *prog, int status)
{
    struct snd_err err = {0};

    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        /* errno 0: the error flag is left from a write whose failure was already
         * reported (or was a closed pipe), so say nothing more. */
        if (errno == 0)
            return status;
        snd_fail_errno(&err, errno, "stdout");
        return snd_cli_fail(prog, &err) == SND_EXIT_OK ? status : SND_EXIT_FAILURE;
    }
    return status;
}
