/* atomic: files that appear whole or not at all (an unnamed or hidden temporary, fsync,
 * then link or rename). */
#ifndef SND_ATOMIC_H
#define SND_ATOMIC_H

#include "err.h"

/* A file being written. tmp_path names the temporary, so that writers which need a name
 * rather than a descriptor (HDF5) can use it: /proc/self/fd/N for an unnamed file in the
 * target's directory (O_TMPFILE), which a killed writer cannot leave behind, or, where
 * the file system has no such files (or SND_NAMED_TEMPORARIES is set in the environment),
 * a hidden ".NAME.XXXXXX" beside the target. */
struct snd_atomic {
    char *path;     /* the target, owned */
    char *tmp_path; /* the temporary, owned; the target itself when direct */
    int fd;         /* open on tmp_path for writing, or -1 once closed */
    int direct;     /* the target is written in place, not renamed */
    int unnamed;    /* the temporary is unnamed, held open by anchor */
    int anchor;     /* the unnamed file's own descriptor, whatever the writer closes */
};

/* Create a temporary beside path, mode 0666 less the umask. A target that is a symbolic
 * link or not a regular file (/dev/stdout, a FIFO, a device) is opened and written in
 * place instead: a rename would replace the link or the device node itself. Returns 0,
 * or -1 with err naming path. On success release with snd_atomic_commit() or
 * snd_atomic_abort(). */
int snd_atomic_create(struct snd_atomic *a, const char *path, struct snd_err *err);

/* fsync and close the temporary (unless a->fd is already -1), then link or rename it
 * onto the target. Returns 0, or -1 with err after removing the temporary. Frees a's strings. */
int snd_atomic_commit(struct snd_atomic *a, struct snd_err *err);

/* Close and remove the temporary and free a's strings. Cannot fail; safe on a zeroed
 * struct or one already committed or aborted. */
void snd_atomic_abort(struct snd_atomic *a);

#endif
