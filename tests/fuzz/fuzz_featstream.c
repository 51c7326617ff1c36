/* fuzz_featstream: the frame-stream reader on arbitrary bytes: every clip and frame read,
 * as snd-classify will read a pipe. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "featstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snd_err err = {0};
    FILE *f;
    struct snd_fs_reader *r;
    const char *id;
    double start;
    float *frames;

    if (size == 0 || (f = fmemopen((void *)data, size, "r")) == NULL)
        return 0;
    r = snd_fs_reader_new(f, "fuzz", 0, &err);
    if (r != NULL) {
        frames = malloc(16 * (size_t)snd_fs_params(r)->n_mels * sizeof *frames);
        while (frames != NULL && snd_fs_next_clip(r, &id, &start, &err) == 1)
            while (snd_fs_read_frames(r, frames, 16, &err) > 0)
                ;
        free(frames);
        snd_fs_reader_free(r);
    }
    fclose(f);
    return 0;
}
