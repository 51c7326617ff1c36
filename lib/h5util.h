/* h5util: small helpers over the HDF5 C API, shared by feature files and models. */
#ifndef SND_H5UTIL_H
#define SND_H5UTIL_H

#include <stddef.h>

#include <hdf5.h>

#include "err.h"

/* HDF5 prints an error stack on stderr for every failed call unless told not to; the
 * library never prints, so every entry point that opens a file calls this first. It
 * changes HDF5's process-wide setting, which is why it is one idempotent function. */
void snd_h5_quiet(void);

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

/* Whether path begins with HDF5's signature (at offset 0: the only place snd writes it). */
int snd_h5_is_hdf5(const unsigned char *head, size_t n);

#define SND_H5_SIGNATURE "\211HDF\r\n\032\n"

#endif
