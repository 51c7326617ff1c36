/* err: filling struct snd_err. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int snd_fail(struct snd_err *e, const char *fmt, ...)
{
    va_list ap;

    if (e == NULL)
        return -1;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->errnum = 0;
    return -1;
}

int snd_fail_errno(struct snd_err *e, int errnum, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    if (e == NULL)
        return -1;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    n = strlen(e->msg);
    snprintf(e->msg + n, sizeof e->msg - n, ": %s", strerror(errnum));
    e->errnum = errnum;
    return -1;
}
