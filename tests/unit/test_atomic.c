/* test_atomic: files that appear whole or not at all, and leave nothing beside them. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic.h"
#include "harness.h"

static char dir[] = "/tmp/snd-test-atomic.XXXXXX";

/* Entries of dir other than . and .. */
static int entries(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void in_dir(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static int read_all(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, size - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return (int)n;
}

static int write_str(int fd, const char *s)
{
    return write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
}

/* Nothing named appears while the file is written; it appears whole at commit. */
static void commits_whole_and_unseen(void)
{
    struct snd_atomic a;
    struct snd_err err = {0};
    char path[256], buf[64];
    int empty = entries();

    in_dir(path, sizeof path, "out.txt");
    CHECK(snd_atomic_create(&a, path, &err) == 0);
    CHECK(write_str(a.fd, "hello\n") == 0);
    CHECK(entries() == empty); /* an unnamed temporary: not in the directory */
    CHECK(a.unnamed);
    CHECK(snd_atomic_commit(&a, &err) == 0);
    CHECK(read_all(path, buf, sizeof buf) == 6 && strcmp(buf, "hello\n") == 0);
    CHECK(entries() == empty + 1);
    unlink(path);
}

/* A target that exists is replaced, and nothing else is left. */
static void replaces_an_existing_file(void)
{
    struct snd_atomic a;
    struct snd_err err = {0};
    char path[256], buf[64];
    int fd;

    in_dir(path, sizeof path, "old.txt");
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && write_str(fd, "old\n") == 0);
    close(fd);
    CHECK(snd_atomic_create(&a, path, &err) == 0);
    CHECK(write_str(a.fd, "new\n") == 0);
    CHECK(read_all(path, buf, sizeof buf) == 4 && strcmp(buf, "old\n") == 0);
    CHECK(snd_atomic_commit(&a, &err) == 0);
    CHECK(read_all(path, buf, sizeof buf) == 4 && strcmp(buf, "new\n") == 0);
    CHECK(entries() == 1);
    unlink(path);
}

/* The writer may close a.fd and reopen the temporary by name, as HDF5 does: the file
 * outlives its descriptor until commit. */
static void survives_the_writer_closing_its_descriptor(void)
{
    struct snd_atomic a;
    struct snd_err err = {0};
    char path[256], buf[64];
    int fd;

    in_dir(path, sizeof path, "named.txt");
    CHECK(snd_atomic_create(&a, path, &err) == 0);
    close(a.fd);
    a.fd = -1;
    fd = open(a.tmp_path, O_WRONLY | O_TRUNC);
    CHECK(fd >= 0 && write_str(fd, "by name\n") == 0);
    close(fd);
    CHECK(snd_atomic_commit(&a, &err) == 0);
    CHECK(read_all(path, buf, sizeof buf) == 8 && strcmp(buf, "by name\n") == 0);
    unlink(path);
    CHECK(entries() == 0);
}

static void abort_leaves_nothing(void)
{
    struct snd_atomic a, zero;
    struct snd_err err = {0};
    char path[256];

    in_dir(path, sizeof path, "dropped.txt");
    CHECK(snd_atomic_create(&a, path, &err) == 0);
    CHECK(write_str(a.fd, "half") == 0);
    snd_atomic_abort(&a);
    snd_atomic_abort(&a); /* twice is harmless */
    CHECK(entries() == 0);
    memset(&zero, 0, sizeof zero);
    zero.fd = -1;
    snd_atomic_abort(&zero);
}

/* A writer killed mid-file leaves neither the target nor a temporary. */
static void a_killed_writer_leaves_nothing(void)
{
    char path[256];
    int trial, status, left = 0;

    in_dir(path, sizeof path, "killed.txt");
    for (trial = 0; trial < 20; trial++) {
        int ready[2];
        char c;
        pid_t pid;

        CHECK(pipe(ready) == 0);
        pid = fork();
        if (pid == 0) {
            struct snd_atomic a;
            struct snd_err err = {0};

            close(ready[0]);
            if (snd_atomic_create(&a, path, &err) != 0 || write_str(a.fd, "partial") != 0)
                _exit(1);
            if (write(ready[1], "x", 1) != 1)
                _exit(1);
            for (;;)
                pause();
        }
        close(ready[1]);
        CHECK(read(ready[0], &c, 1) == 1);
        close(ready[0]);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        left += entries();
    }
    CHECK(left == 0);
}

/* With SND_NAMED_TEMPORARIES, the temporary is a hidden file beside the target. */
static void named_temporaries_on_request(void)
{
    struct snd_atomic a;
    struct snd_err err = {0};
    char path[256], buf[64];

    in_dir(path, sizeof path, "hidden.txt");
    setenv("SND_NAMED_TEMPORARIES", "1", 1);
    CHECK(snd_atomic_create(&a, path, &err) == 0);
    unsetenv("SND_NAMED_TEMPORARIES");
    CHECK(!a.unnamed && strstr(a.tmp_path, "/.hidden.txt.") != NULL);
    CHECK(entries() == 1);
    CHECK(write_str(a.fd, "named\n") == 0);
    CHECK(snd_atomic_commit(&a, &err) == 0);
    CHECK(read_all(path, buf, sizeof buf) == 6 && entries() == 1);
    unlink(path);
}

static void a_missing_directory_is_an_error(void)
{
    struct snd_atomic a;
    struct snd_err err = {0};
    char path[256];

    in_dir(path, sizeof path, "no/such/dir.txt");
    CHECK(snd_atomic_create(&a, path, &err) != 0);
    CHECK(strstr(err.msg, "no/such/dir.txt") != NULL);
}

int main(void)
{
    if (mkdtemp(dir) == NULL)
        return 1;
    RUN(commits_whole_and_unseen);
    RUN(replaces_an_existing_file);
    RUN(survives_the_writer_closing_its_descriptor);
    RUN(abort_leaves_nothing);
    RUN(a_killed_writer_leaves_nothing);
    RUN(named_temporaries_on_request);
    RUN(a_missing_directory_is_an_error);
    rmdir(dir);
    return HARNESS_STATUS();
}
