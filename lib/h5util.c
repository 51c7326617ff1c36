/* h5util: attributes and quiet errors. */
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
