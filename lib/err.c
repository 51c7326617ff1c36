/* err: filling struct snd_err. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

/* Format the message, append strerror(errnum) when errnum is set, and return -1. */
static int vfail(struct snd_err *e, int errnum, const char *fmt, va_list ap)
{
    size_t n;

    if (e == NULL)
        return -1;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    if (errnum != 0) {
        n = strlen(e->msg);
        snprintf(e->msg + n, sizeof e->msg - n, ": %s", strerror(errnum));
    }
    e->errnum = errnum;
    return -1;
}

int snd_fail(struct snd_err *e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail(e, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int snd_fail_errno(struct snd_err *e, int errnum, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail(e, errnum, fmt, ap);
    va_end(ap);
    return -1;
}
