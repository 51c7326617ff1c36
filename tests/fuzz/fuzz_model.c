/* fuzz_model: the model reader on arbitrary files: header, labels, normalisation, every
 * tensor against the network its spec builds, history and provenance; a model that loads
 * then runs one forward pass. The bytes go to a memory file HDF5 opens by its /proc path. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snd_err err = {0};
    char path[64];
    int fd = memfd_create("fuzz-model.h5", 0);

    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        struct snd_model *m = snd_model_load(path, 1, NULL, &err);
        if (m != NULL) {
            size_t n = (size_t)m->window_frames * (size_t)m->feat.n_mels;
            float *x = snd_net_input(m->net);
            for (size_t i = 0; i < n; i++)
                x[i] = (float)(i % 7) - 3.0f;
            snd_net_forward(m->net, 1, SND_NET_EVAL);
            snd_model_free(m);
        }
    }
    close(fd);
    return 0;
}
