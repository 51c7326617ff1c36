/* harness: the unit tests' few macros. Each test is a function; RUN prints "ok NAME" or
 * "FAIL NAME" with the failed checks, which tests/run.sh counts. */
#ifndef SND_TEST_HARNESS_H
#define SND_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>

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

#endif
