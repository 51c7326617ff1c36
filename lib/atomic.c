/* atomic: write to a temporary in the target's directory, then rename over the target. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

/* The temporary is ".NAME.XXXXXX" in the target's directory: rename() must not cross
 * file systems, and the dot keeps a half-written file out of globs like *.wav. */
static char *tmp_name_for(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path + 1) : 0;
    size_t len = strlen(path) + 16;
    char *tmp = malloc(len);

    if (tmp == NULL)
        return NULL;
    snprintf(tmp, len, "%.*s.%s.XXXXXX", (int)dir_len, path, path + dir_len);
    return tmp;
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

int snd_atomic_create(struct snd_atomic *a, const char *path, struct snd_err *err)
{
    struct stat st;
    mode_t mask;

    a->fd = -1;
    a->direct = 0;
    if (lstat(path, &st) == 0 &&
        (S_ISLNK(st.st_mode) || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))))
        return open_direct(a, path, err);
    a->path = strdup(path);
    a->tmp_path = tmp_name_for(path);
    if (a->path == NULL || a->tmp_path == NULL) {
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

int snd_atomic_commit(struct snd_atomic *a, struct snd_err *err)
{
    if (a->direct) {
        int r = a->fd >= 0 && close(a->fd) != 0 ? snd_fail_errno(err, errno, "%s", a->path) : 0;
        a->fd = -1;
        snd_atomic_abort(a);
        return r;
    }
    if (a->fd >= 0) {
        if (fsync(a->fd) != 0 && errno != EINVAL) {
            snd_fail_errno(err, errno, "%s", a->path);
            snd_atomic_abort(a);
            return -1;
        }
        if (close(a->fd) != 0) {
            a->fd = -1;
            snd_fail_errno(err, errno, "%s", a->path);
            snd_atomic_abort(a);
            return -1;
        }
        a->fd = -1;
    }
    if (rename(a->tmp_path, a->path) != 0) {
        snd_fail_errno(err, errno, "%s", a->path);
        snd_atomic_abort(a);
        return -1;
    }
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
    if (a->tmp_path != NULL && !a->direct)
        unlink(a->tmp_path);
    free(a->tmp_path);
    free(a->path);
    a->tmp_path = a->path = NULL;
}
