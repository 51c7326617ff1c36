/* h5util: small helpers over the HDF5 C API, shared by feature files and models. */
#ifndef SND_H5UTIL_H
#define SND_H5UTIL_H

#include <stddef.h>

#include <hdf5.h>

#include "atomic.h"
#include "err.h"

/* HDF5 prints an error stack on stderr for every failed call unless told not to; the
 * library never prints, so every entry point that opens a file calls this first. It
 * changes HDF5's process-wide setting, which is why it is one idempotent function. */
void snd_h5_quiet(void);

/* Create (truncating) or open for writing the HDF5 file at an atomic file's temporary.
 * An unnamed temporary's name, /proc/self/fd/N, is a symbolic link, which HDF5's default
 * driver resolves to the path the file no longer has and fails; its stdio driver takes the
 * name as it is. Return a file id, or -1. */
hid_t snd_h5_create_temp(const struct snd_atomic *a);
hid_t snd_h5_open_temp(const struct snd_atomic *a);

/* Write a scalar attribute on loc, replacing one of the same name: int64, float64, or a
 * variable-length UTF-8 string. Return 0, or -1. */
int snd_h5_attr_write_int(hid_t loc, const char *name, long long v);
int snd_h5_attr_write_real(hid_t loc, const char *name, double v);
int snd_h5_attr_write_str(hid_t loc, const char *name, const char *s);

/* Read a scalar attribute: an integer, a number (integer or float), or a string (fixed or
 * variable length, at most cap - 1 bytes). A missing attribute, or one of another class
 * or shape, is an error naming where and the attribute. Return 0, or -1 with err. */
int snd_h5_attr_read_int(hid_t loc, const char *name, long long *v, const char *where,
                         struct snd_err *err);
int snd_h5_attr_read_real(hid_t loc, const char *name, double *v, const char *where,
                          struct snd_err *err);
int snd_h5_attr_read_str(hid_t loc, const char *name, char *buf, size_t cap, const char *where,
                         struct snd_err *err);

/* Datasets of numbers: write float32 of any rank, or a float64 vector, replacing nothing
 * (the name must be new). Return 0, or -1. */
int snd_h5_write_floats(hid_t loc, const char *name, const float *v, int rank, const hsize_t *dims);
int snd_h5_write_doubles(hid_t loc, const char *name, const double *v, long n);

/* Read a floating-point dataset whose shape must be exactly dims (rank values) into out,
 * converted to float. Anything else (missing, integer, another shape) is an error naming
 * where and the dataset, read before any byte of data. Returns 0, or -1 with err. */
int snd_h5_read_floats(hid_t loc, const char *name, float *out, int rank, const hsize_t *dims,
                       const char *where, struct snd_err *err);

/* Read a floating-point vector of any length, allocated into *out (caller frees). */
int snd_h5_read_doubles(hid_t loc, const char *name, double **out, long *n, const char *where,
                        struct snd_err *err);

/* A vector of UTF-8 strings, written variable-length; read back into *out, an array of n
 * strings allocated as one block (free(*out) releases all). */
int snd_h5_write_strings(hid_t loc, const char *name, const char *const *s, long n);
int snd_h5_read_strings(hid_t loc, const char *name, char ***out, long *n, const char *where,
                        struct snd_err *err);

/* Whether path begins with HDF5's signature (at offset 0: the only place snd writes it). */
int snd_h5_is_hdf5(const unsigned char *head, size_t n);

#define SND_H5_SIGNATURE "\211HDF\r\n\032\n"

#endif
