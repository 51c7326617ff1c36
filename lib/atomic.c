/* atomic: write to a temporary in the target's directory, then put it in the target's
 * place. Where the file system allows, the temporary has no name at all (O_TMPFILE), so a
 * writer killed at any moment leaves nothing behind; elsewhere it is a hidden file. */
#define _GNU_SOURCE /* O_TMPFILE, linkat's AT_SYMLINK_FOLLOW */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

/* A named temporary is ".NAME.SUFFIX" in the target's directory: rename() must not cross
 * file systems, and the dot keeps a half-written file out of globs like *.wav. */
static char *tmp_name_for(const char *path, const char *suffix)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path + 1) : 0;
    size_t len = strlen(path) + strlen(suffix) + 3;
    char *tmp = malloc(len);

    if (tmp == NULL)
        return NULL;
    snprintf(tmp, len, "%.*s.%s.%s", (int)dir_len, path, path + dir_len, suffix);
    return tmp;
}

/* The directory path lives in, "." when it names none. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static int open_direct(struct snd_atomic *a, const char *path, struct snd_err *err)
{
    a->direct = 1;
    a->path = strdup(path);
    a->tmp_path = strdup(path);
    if (a->path == NULL || a->tmp_path == NULL) {
        snd_atomic_abort(a);
        return snd_fail(err, "%s: out of memory", path);
    }
    a->fd = open(path, O_WRONLY | O_TRUNC);
    if (a->fd < 0) {
        int e = errno;
        snd_atomic_abort(a);
        return snd_fail_errno(err, e, "%s", path);
    }
    return 0;
}

/* An unnamed file in path's directory, its name for writers that need one being
 * /proc/self/fd/N. a->anchor holds it open, whatever the writer does with a->fd: its last
 * descriptor closed, an unnamed file is gone. Returns 0, or -1 where the file system, the
 * kernel or a missing /proc does not allow it (the caller then names a temporary). */
static int open_unnamed(struct snd_atomic *a, const char *path)
{
    char *dir = dir_of(path);
    char name[64];

    if (dir == NULL)
        return -1;
    a->anchor = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666); /* the umask applies */
    free(dir);
    if (a->anchor < 0)
        return -1;
    snprintf(name, sizeof name, "/proc/self/fd/%d", a->anchor);
    a->fd = access(name, W_OK) == 0 ? dup(a->anchor) : -1;
    a->tmp_path = a->fd >= 0 ? strdup(name) : NULL;
    if (a->tmp_path == NULL) {
        if (a->fd >= 0)
            close(a->fd);
        close(a->anchor);
        a->fd = a->anchor = -1;
        return -1;
    }
    a->unnamed = 1;
    return 0;
}

static int open_named(struct snd_atomic *a, const char *path, struct snd_err *err)
{
    mode_t mask;

    a->tmp_path = tmp_name_for(path, "XXXXXX"); /* for mkstemp */
    if (a->tmp_path == NULL) {
        snd_atomic_abort(a);
        return snd_fail(err, "%s: out of memory", path);
    }
    a->fd = mkstemp(a->tmp_path);
    if (a->fd < 0) {
        int e = errno;
        free(a->tmp_path);
        a->tmp_path = NULL;
        snd_atomic_abort(a);
        return snd_fail_errno(err, e, "%s", path);
    }
    mask = umask(0);
    umask(mask);
    fchmod(a->fd, 0666 & ~mask);
    return 0;
}

int snd_atomic_create(struct snd_atomic *a, const char *path, struct snd_err *err)
{
    struct stat st;

    a->fd = a->anchor = -1;
    a->direct = a->unnamed = 0;
    a->path = a->tmp_path = NULL;
    if (lstat(path, &st) == 0 &&
        (S_ISLNK(st.st_mode) || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))))
        return open_direct(a, path, err);
    a->path = strdup(path);
    if (a->path == NULL)
        return snd_fail(err, "%s: out of memory", path);
    if (getenv("SND_NAMED_TEMPORARIES") == NULL && open_unnamed(a, path) == 0)
        return 0;
    return open_named(a, path, err);
}

/* Give the unnamed file the target's name. link() never replaces a file, so a target that
 * exists is replaced by way of a hidden name, renamed over it at once: a kill between the
 * two calls is the one moment that leaves a (whole) temporary behind. */
static int link_unnamed(struct snd_atomic *a)
{
    static unsigned long serial;
    char *tmp = NULL;
    int r = -1, tries;

    if (linkat(AT_FDCWD, a->tmp_path, AT_FDCWD, a->path, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno != EEXIST)
        return -1;
    for (tries = 0; r != 0 && tries < 100; tries++) {
        char suffix[48];

        snprintf(suffix, sizeof suffix, "%ld-%lu", (long)getpid(), serial++);
        free(tmp);
        if ((tmp = tmp_name_for(a->path, suffix)) == NULL) {
            errno = ENOMEM;
            return -1;
        }
        r = linkat(AT_FDCWD, a->tmp_path, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW);
        if (r != 0 && errno != EEXIST)
            break;
    }
    if (r == 0 && rename(tmp, a->path) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        r = -1;
    }
    free(tmp);
    return r;
}

/* fsync and close what the writer left open. */
static int close_written(struct snd_atomic *a, struct snd_err *err)
{
    int sync_fd = a->unnamed ? a->anchor : a->fd;

    if (sync_fd >= 0 && fsync(sync_fd) != 0 && errno != EINVAL)
        return snd_fail_errno(err, errno, "%s", a->path);
    if (a->fd >= 0) {
        int r = close(a->fd);
        a->fd = -1;
        if (r != 0)
            return snd_fail_errno(err, errno, "%s", a->path);
    }
    return 0;
}

int snd_atomic_commit(struct snd_atomic *a, struct snd_err *err)
{
    int r;

    if (a->direct) {
        r = a->fd >= 0 && close(a->fd) != 0 ? snd_fail_errno(err, errno, "%s", a->path) : 0;
        a->fd = -1;
        snd_atomic_abort(a);
        return r;
    }
    if (close_written(a, err) != 0) {
        snd_atomic_abort(a);
        return -1;
    }
    r = a->unnamed ? link_unnamed(a) : rename(a->tmp_path, a->path);
    if (r != 0) {
        snd_fail_errno(err, errno, "%s", a->path);
        snd_atomic_abort(a);
        return -1;
    }
    if (a->unnamed)
        close(a->anchor);
    a->unnamed = 0;
    a->anchor = -1;
    free(a->tmp_path);
    free(a->path);
    a->tmp_path = a->path = NULL;
    return 0;
}

void snd_atomic_abort(struct snd_atomic *a)
{
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
    if (a->unnamed)
        close(a->anchor); /* the unnamed file goes with it */
    else if (a->tmp_path != NULL && !a->direct)
        unlink(a->tmp_path);
    a->unnamed = 0;
    a->anchor = -1;
    free(a->tmp_path);
    free(a->path);
    a->tmp_path = a->path = NULL;
}
