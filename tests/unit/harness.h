/* harness: the unit tests' few macros. Each test is a function; RUN prints "ok NAME" or
 * "FAIL NAME" with the failed checks, which tests/run.sh counts. */
#ifndef SND_TEST_HARNESS_H
#define SND_TEST_HARNESS_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int harness_failures; /* failed checks in the current test */
static int harness_failed_tests;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("    %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                    \
            harness_failures++;                                                                    \
        }                                                                                          \
    } while (0)

/* |a - b| <= tol, printing both values when not. */
#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (tol))) {                                                           \
            printf("    %s:%d: %s = %.9g, expected %.9g within %g\n", __FILE__, __LINE__, #a, a_,  \
                   b_, (double)(tol));                                                             \
            harness_failures++;                                                                    \
        }                                                                                          \
    } while (0)

#define RUN(test)                                                                                  \
    do {                                                                                           \
        harness_failures = 0;                                                                      \
        test();                                                                                    \
        printf("%s %s: %s\n", harness_failures ? "FAIL" : "ok", __FILE__, #test);                  \
        harness_failed_tests += harness_failures != 0;                                             \
    } while (0)

#define HARNESS_STATUS() (harness_failed_tests ? 1 : 0)

/* A private temporary directory for the test program, made on first use. */
static inline const char *harness_dir(void)
{
    static char dir[] = "/tmp/snd-test-XXXXXX";
    static int made;

    if (!made && mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    made = 1;
    return dir;
}

/* name inside that directory; the last four results stay valid. */
static inline const char *path_in(const char *name)
{
    static char p[4][256];
    static int k;

    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", harness_dir(), name);
    return p[k];
}

/* The entries in the directory, hidden ones (temporaries) included. */
static inline int entries_in_dir(void)
{
    DIR *d = opendir(harness_dir());
    struct dirent *e;
    int n = 0;

    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static inline void clear_dir(void)
{
    DIR *d = opendir(harness_dir());
    struct dirent *e;

    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlink(path_in(e->d_name));
    closedir(d);
}

static inline void harness_dir_remove(void)
{
    clear_dir();
    rmdir(harness_dir());
}

#endif
