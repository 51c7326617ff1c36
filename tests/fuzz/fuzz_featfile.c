/* fuzz_featfile: the HDF5 feature reader on arbitrary files: checking the layout, then
 * reading every clip. The bytes go to a memory file that HDF5 opens by its /proc path. A
 * crash inside libhdf5 itself is HDF5's to fix; one in our code is ours. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "features.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snd_err err = {0};
    struct snd_feat_reader *r;
    char path[64];
    int fd = memfd_create("fuzz.h5", 0);
    const char *id;
    double start;
    long long n;
    float *frames;

    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        r = snd_feat_open(path, &err);
        if (r != NULL) {
            frames = malloc(64 * (size_t)snd_feat_reader_params(r)->n_mels * sizeof *frames);
            while (frames != NULL && snd_feat_next_clip(r, &id, &start, &n, &err) == 1)
                while (snd_feat_read_frames(r, frames, 64, &err) > 0)
                    ;
            free(frames);
            snd_feat_close(r);
        }
    }
    close(fd);
    return 0;
}
