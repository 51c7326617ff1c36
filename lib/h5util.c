/* h5util: attributes and quiet errors. */
#include <stdlib.h>
#include <string.h>

#include "h5util.h"

void snd_h5_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* Create (replacing) a scalar attribute of type and write *value. */
static int attr_write(hid_t loc, const char *name, hid_t type, const void *value)
{
    hid_t space, attr;
    int r = -1;

    if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0)
        return -1;
    space = H5Screate(H5S_SCALAR);
    if (space < 0)
        return -1;
    attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr >= 0) {
        r = H5Awrite(attr, type, value) < 0 ? -1 : 0;
        H5Aclose(attr);
    }
    H5Sclose(space);
    return r;
}

int snd_h5_attr_write_int(hid_t loc, const char *name, long long v)
{
    return attr_write(loc, name, H5T_NATIVE_LLONG, &v);
}

int snd_h5_attr_write_real(hid_t loc, const char *name, double v)
{
    return attr_write(loc, name, H5T_NATIVE_DOUBLE, &v);
}

int snd_h5_attr_write_str(hid_t loc, const char *name, const char *s)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    int r;

    if (type < 0)
        return -1;
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    r = attr_write(loc, name, type, &s);
    H5Tclose(type);
    return r;
}

/* Open attribute name on loc, check it holds one value of class want (or of either
 * numeric class when want is H5T_FLOAT), and return it with its type in *type. */
static hid_t attr_open(hid_t loc, const char *name, H5T_class_t want, hid_t *type,
                       const char *where, struct snd_err *err)
{
    hid_t attr, space;
    H5T_class_t cls;
    hssize_t n;

    if (H5Aexists(loc, name) <= 0) {
        snd_fail(err, "%s: attribute %s missing", where, name);
        return -1;
    }
    attr = H5Aopen(loc, name, H5P_DEFAULT);
    if (attr < 0) {
        snd_fail(err, "%s: cannot open attribute %s", where, name);
        return -1;
    }
    *type = H5Aget_type(attr);
    space = H5Aget_space(attr);
    n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    if (space >= 0)
        H5Sclose(space);
    cls = *type >= 0 ? H5Tget_class(*type) : H5T_NO_CLASS;
    if (cls == H5T_ENUM && want != H5T_STRING) /* h5py stores a NumPy bool as an enum */
        cls = H5T_INTEGER;
    if (n != 1 || !(cls == want || (want == H5T_FLOAT && cls == H5T_INTEGER))) {
        if (*type >= 0)
            H5Tclose(*type);
        H5Aclose(attr);
        snd_fail(err, "%s: attribute %s is not a single %s", where, name,
                 want == H5T_STRING ? "string" : "number");
        return -1;
    }
    return attr;
}

static int attr_read_as(hid_t loc, const char *name, H5T_class_t want, hid_t mem_type, void *out,
                        const char *where, struct snd_err *err)
{
    hid_t type, attr = attr_open(loc, name, want, &type, where, err);
    herr_t r;

    if (attr < 0)
        return -1;
    if (H5Tget_class(type) == H5T_ENUM) {
        /* HDF5 converts enums only to enums: read the raw integer, then convert it. */
        hid_t base = H5Tget_super(type);
        unsigned char buf[16] = {0};
        r = base >= 0 && H5Tget_size(base) <= 8 ? H5Aread(attr, base, buf) : -1;
        if (r >= 0)
            r = H5Tconvert(base, mem_type, 1, buf, NULL, H5P_DEFAULT);
        if (r >= 0)
            memcpy(out, buf, H5Tget_size(mem_type));
        if (base >= 0)
            H5Tclose(base);
    } else {
        r = H5Aread(attr, mem_type, out);
    }
    H5Tclose(type);
    H5Aclose(attr);
    if (r < 0)
        return snd_fail(err, "%s: cannot read attribute %s", where, name);
    return 0;
}

int snd_h5_attr_read_int(hid_t loc, const char *name, long long *v, const char *where,
                         struct snd_err *err)
{
    return attr_read_as(loc, name, H5T_INTEGER, H5T_NATIVE_LLONG, v, where, err);
}

int snd_h5_attr_read_real(hid_t loc, const char *name, double *v, const char *where,
                          struct snd_err *err)
{
    return attr_read_as(loc, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, v, where, err);
}

int snd_h5_attr_read_str(hid_t loc, const char *name, char *buf, size_t cap, const char *where,
                         struct snd_err *err)
{
    hid_t type, mem, attr = attr_open(loc, name, H5T_STRING, &type, where, err);
    herr_t r;

    if (attr < 0)
        return -1;
    mem = H5Tcopy(H5T_C_S1);
    if (H5Tis_variable_str(type) > 0) {
        char *s = NULL;
        H5Tset_size(mem, H5T_VARIABLE);
        H5Tset_cset(mem, H5Tget_cset(type));
        r = H5Aread(attr, mem, &s);
        if (r >= 0 && (s == NULL || strlen(s) >= cap))
            r = -2;
        if (r >= 0)
            strcpy(buf, s);
        H5free_memory(s);
    } else {
        size_t size = H5Tget_size(type);
        if (size == 0 || size >= cap) {
            r = -2;
        } else {
            H5Tset_size(mem, size + 1); /* room for a terminator HDF5 may not store */
            memset(buf, 0, cap);
            r = H5Aread(attr, mem, buf);
        }
    }
    H5Tclose(mem);
    H5Tclose(type);
    H5Aclose(attr);
    if (r == -2)
        return snd_fail(err, "%s: attribute %s is too long", where, name);
    if (r < 0)
        return snd_fail(err, "%s: cannot read attribute %s", where, name);
    return 0;
}

int snd_h5_is_hdf5(const unsigned char *head, size_t n)
{
    return n >= 8 && memcmp(head, SND_H5_SIGNATURE, 8) == 0;
}

static int write_dataset(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                         const void *v, int rank, const hsize_t *dims)
{
    hid_t space = H5Screate_simple(rank, dims, NULL), d;
    int r = -1;
    if (space < 0)
        return -1;
    d = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d >= 0) {
        r = H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0 ? -1 : 0;
        H5Dclose(d);
    }
    H5Sclose(space);
    return r;
}

int snd_h5_write_floats(hid_t loc, const char *name, const float *v, int rank, const hsize_t *dims)
{
    return write_dataset(loc, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, v, rank, dims);
}

int snd_h5_write_doubles(hid_t loc, const char *name, const double *v, long n)
{
    hsize_t dim = (hsize_t)n;
    return write_dataset(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v, 1, &dim);
}

/* Open dataset name, check its class, and return its rank and dims (up to 4). */
static hid_t dataset_open(hid_t loc, const char *name, H5T_class_t want, int *rank, hsize_t *dims,
                          const char *where, struct snd_err *err)
{
    hid_t d, type, space;
    int ok;
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0 || (d = H5Dopen2(loc, name, H5P_DEFAULT)) < 0) {
        snd_fail(err, "%s: no dataset %s", where, name);
        return -1;
    }
    type = H5Dget_type(d);
    space = H5Dget_space(d);
    ok = type >= 0 && space >= 0 && H5Tget_class(type) == want;
    *rank = ok ? H5Sget_simple_extent_ndims(space) : -1;
    ok = ok && *rank >= 0 && *rank <= 4 && H5Sget_simple_extent_dims(space, dims, NULL) >= 0;
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    if (!ok) {
        H5Dclose(d);
        snd_fail(err, "%s: dataset %s is not %s", where, name,
                 want == H5T_FLOAT ? "floating-point numbers" : "strings");
        return -1;
    }
    return d;
}

int snd_h5_read_floats(hid_t loc, const char *name, float *out, int rank, const hsize_t *dims,
                       const char *where, struct snd_err *err)
{
    hsize_t have[4];
    int have_rank, same;
    hid_t d = dataset_open(loc, name, H5T_FLOAT, &have_rank, have, where, err);
    if (d < 0)
        return -1;
    same = have_rank == rank;
    for (int i = 0; same && i < rank; i++)
        same = have[i] == dims[i];
    if (!same) {
        H5Dclose(d);
        return snd_fail(err, "%s: dataset %s has the wrong shape", where, name);
    }
    herr_t r = H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
    H5Dclose(d);
    return r < 0 ? snd_fail(err, "%s: cannot read dataset %s", where, name) : 0;
}

int snd_h5_read_doubles(hid_t loc, const char *name, double **out, long *n, const char *where,
                        struct snd_err *err)
{
    hsize_t dims[4];
    int rank;
    hid_t d = dataset_open(loc, name, H5T_FLOAT, &rank, dims, where, err);
    if (d < 0)
        return -1;
    if (rank != 1 || dims[0] > (1u << 24)) {
        H5Dclose(d);
        return snd_fail(err, "%s: dataset %s is not a vector", where, name);
    }
    *n = (long)dims[0];
    *out = malloc((dims[0] + 1) * sizeof **out);
    herr_t r = *out ? H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) : -1;
    H5Dclose(d);
    if (r < 0) {
        free(*out), *out = NULL;
        return snd_fail(err, "%s: cannot read dataset %s", where, name);
    }
    return 0;
}

static hid_t vlen_utf8(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

int snd_h5_write_strings(hid_t loc, const char *name, const char *const *s, long n)
{
    hid_t t = vlen_utf8();
    hsize_t dim = (hsize_t)n;
    int r = write_dataset(loc, name, t, t, s, 1, &dim);
    H5Tclose(t);
    return r;
}

int snd_h5_read_strings(hid_t loc, const char *name, char ***out, long *n, const char *where,
                        struct snd_err *err)
{
    hsize_t dims[4];
    int rank;
    hid_t d = dataset_open(loc, name, H5T_STRING, &rank, dims, where, err), t, ft;
    char **raw = NULL;
    size_t bytes = 0;
    if (d < 0)
        return -1;
    ft = H5Dget_type(d);
    if (rank != 1 || dims[0] > (1u << 24) || H5Tis_variable_str(ft) <= 0) {
        H5Tclose(ft);
        H5Dclose(d);
        return snd_fail(err, "%s: dataset %s is not a vector of strings", where, name);
    }
    H5Tclose(ft);
    t = vlen_utf8();
    raw = calloc(dims[0] + 1, sizeof *raw);
    herr_t r = raw ? H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) : -1;
    *out = NULL;
    for (hsize_t i = 0; r >= 0 && i < dims[0]; i++) {
        if (raw[i] == NULL)
            r = -1;
        else
            bytes += strlen(raw[i]) + 1;
    }
    /* One block: the pointers, then the strings, so a single free() releases it. */
    if (r >= 0 && (*out = malloc(dims[0] * sizeof(char *) + bytes + 1)) != NULL) {
        char *dst = (char *)(*out + dims[0]);
        for (hsize_t i = 0; i < dims[0]; i++) {
            (*out)[i] = strcpy(dst, raw[i]);
            dst += strlen(raw[i]) + 1;
        }
        *n = (long)dims[0];
    }
    if (r >= 0) {
        hid_t space = H5Dget_space(d);
        H5Dvlen_reclaim(t, space, H5P_DEFAULT, raw);
        H5Sclose(space);
    }
    free(raw);
    H5Tclose(t);
    H5Dclose(d);
    if (*out == NULL)
        return snd_fail(err, "%s: cannot read dataset %s", where, name);
    return 0;
}

/* The file-access properties for a's temporary: see snd_h5_create_temp. */
static hid_t temp_fapl(const struct snd_atomic *a)
{
    hid_t p;

    if (!a->unnamed)
        return H5P_DEFAULT;
    p = H5Pcreate(H5P_FILE_ACCESS);
    if (p >= 0 && H5Pset_fapl_stdio(p) < 0) {
        H5Pclose(p);
        return -1;
    }
    return p;
}

static hid_t open_temp(const struct snd_atomic *a, int create)
{
    hid_t p = temp_fapl(a), f;

    if (p < 0)
        return -1;
    f = create ? H5Fcreate(a->tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, p)
               : H5Fopen(a->tmp_path, H5F_ACC_RDWR, p);
    if (p != H5P_DEFAULT)
        H5Pclose(p);
    return f;
}

hid_t snd_h5_create_temp(const struct snd_atomic *a)
{
    return open_temp(a, 1);
}

hid_t snd_h5_open_temp(const struct snd_atomic *a)
{
    return open_temp(a, 0);
}
