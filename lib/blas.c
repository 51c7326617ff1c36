/* blas: OpenBLAS's kernels on CPUs its version does not recognise. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>

#include "blas.h"

/* The kernels OpenBLAS falls back to on an x86-64 model it does not know. */
static int is_fallback(const char *core)
{
    static const char *const old[] = {"Prescott", "Core2",     "Penryn",    "Dunnington",
                                      "Nehalem",  "Atom",      "Northwood", "Banias",
                                      "Katmai",   "Coppermine"};
    for (size_t i = 0; i < sizeof old / sizeof *old; i++)
        if (strcmp(core, old[i]) == 0)
            return 1;
    return 0;
}

/* The best kernels for what this CPU can do, or NULL when the fallback is right. */
static const char *deserved(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
#endif
    return NULL;
}

void snd_blas_tune(char **argv)
{
    const char *want;
    if (getenv("OPENBLAS_CORETYPE") != NULL || !is_fallback(snd_blas_kernels()))
        return;
    if ((want = deserved()) == NULL || setenv("OPENBLAS_CORETYPE", want, 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    /* No new start (no /proc, say): go on with the kernels there are. */
}

const char *snd_blas_kernels(void)
{
    const char *name = openblas_get_corename();
    return name != NULL ? name : "unknown";
}
