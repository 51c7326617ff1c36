/* blas: make sure OpenBLAS runs the matrix kernels this CPU deserves.
 *
 * OpenBLAS picks its kernels when it is loaded, from the CPU's model number. The 0.3.21
 * of Debian 12 does not know some newer CPUs (Intel's Sapphire Rapids, for one) and
 * falls back to its SSE3 "Prescott" kernels, which run the network two to five times
 * slower than the AVX-512 ones the CPU supports. Its choice cannot be changed once made,
 * but the environment variable OPENBLAS_CORETYPE decides it at load time. */
#ifndef SND_BLAS_H
#define SND_BLAS_H

/* When OpenBLAS fell back to kernels older than the CPU's instruction set and
 * OPENBLAS_CORETYPE is unset, set it (SkylakeX for AVX-512, Haswell for AVX2 with FMA)
 * and execute the program again with argv, before it has done anything else. Call it
 * first in main(). Returns only when no new start is needed, or when it failed. */
void snd_blas_tune(char **argv);

/* The name of the kernels in use ("SkylakeX", "Haswell", ...), for reports. */
const char *snd_blas_kernels(void);

#endif
