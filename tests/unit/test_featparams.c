/* test_featparams: the feature parameters as text and as HDF5 attributes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "featparams.h"
#include "h5util.h"
#include "harness.h"

static void text_round_trip(void)
{
    struct snd_feat_params a = SND_FEAT_PARAMS_DEFAULT, b;
    struct snd_err err = {0};
    char buf[1024];
    int n;

    a.f_min = 20.123456789012345;
    a.mel_scale = SND_MEL_HTK;
    n = snd_feat_params_to_text(&a, buf, sizeof buf);
    CHECK(n > 0);
    CHECK(strstr(buf, "sample_rate=16000\nn_fft=512\n") == buf);
    CHECK(snd_feat_params_from_text(&b, buf, (size_t)n, "s", &err) == 0);
    CHECK(snd_feat_params_compare(&a, "a", &b, "b", &err) == 0);
    CHECK(b.f_min == a.f_min);
    CHECK(snd_feat_params_to_text(&a, buf, 20) == -1);
}

static void text_refused(void)
{
    struct snd_feat_params p;
    struct snd_err err = {0};
    char buf[1024];
    int n = snd_feat_params_to_text(&(struct snd_feat_params)SND_FEAT_PARAMS_DEFAULT, buf, 1024);

    CHECK(snd_feat_params_from_text(&p, buf, (size_t)n - 1, "s", &err) == -1); /* no newline */
    CHECK(snd_feat_params_from_text(&p, "n_fft=512\n", 10, "s", &err) == -1);
    CHECK(strstr(err.msg, "missing") != NULL);
    memcpy(buf, "color", 5);
    CHECK(snd_feat_params_from_text(&p, buf, (size_t)n, "s", &err) == -1);
    CHECK(strstr(err.msg, "unknown parameter") != NULL);
}

static void differences_named(void)
{
    struct snd_feat_params a = SND_FEAT_PARAMS_DEFAULT, b = SND_FEAT_PARAMS_DEFAULT;
    struct snd_err err = {0};

    b.n_mels = 128;
    CHECK(snd_feat_params_compare(&a, "x.h5", &b, "m.h5", &err) == -1);
    CHECK(strcmp(err.msg, "x.h5 has n_mels=64, m.h5 has n_mels=128") == 0);
    b = a;
    b.norm = SND_NORM_NONE;
    CHECK(snd_feat_params_compare(&a, "x", &b, "y", &err) == -1);
    CHECK(strcmp(err.msg, "x has norm=slaney, y has norm=none") == 0);
}

static void hdf5_round_trip(void)
{
    struct snd_feat_params a = SND_FEAT_PARAMS_DEFAULT, b;
    struct snd_err err = {0};
    char path[] = "/tmp/snd-test-params-XXXXXX";
    int fd = mkstemp(path);
    hid_t f;

    close(fd);
    snd_h5_quiet();
    a.log = SND_LOG_LN;
    a.power = 1.0;
    f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(snd_feat_params_write_h5(f, &a, path, &err) == 0);
    CHECK(snd_feat_params_read_h5(f, &b, path, &err) == 0);
    CHECK(snd_feat_params_compare(&a, "a", &b, "b", &err) == 0);
    H5Adelete(f, "n_mels");
    CHECK(snd_feat_params_read_h5(f, &b, "f.h5", &err) == -1);
    CHECK(strcmp(err.msg, "f.h5: attribute n_mels missing") == 0);
    snd_h5_attr_write_str(f, "n_mels", "64");
    CHECK(snd_feat_params_read_h5(f, &b, "f.h5", &err) == -1);
    CHECK(strstr(err.msg, "n_mels is not a single number") != NULL);
    H5Fclose(f);
    unlink(path);
}

int main(void)
{
    RUN(text_round_trip);
    RUN(text_refused);
    RUN(differences_named);
    RUN(hdf5_round_trip);
    return HARNESS_STATUS();
}
