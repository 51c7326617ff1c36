/* err: the error record every libsnd function fills instead of printing. */
#ifndef SND_ERR_H
#define SND_ERR_H

/* A failure message that already names the file: "FILE: problem". cmd/ prints it after
 * "snd-NAME: ". errnum keeps errno when a system call failed, so a caller can tell a
 * closed pipe (EPIPE) from a real failure; it is 0 otherwise. */
struct snd_err {
    char msg[256];
    int errnum;
};

/* Fill e->msg like printf, set e->errnum to 0 and return -1, so a failure is one
 * statement. e may be NULL (the message is dropped). */
int snd_fail(struct snd_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* As snd_fail, with ": strerror(errnum)" appended and e->errnum set to errnum. */
int snd_fail_errno(struct snd_err *e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
