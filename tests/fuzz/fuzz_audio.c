/* fuzz_audio: the audio reader on arbitrary bytes, through stdin (raw PCM, a streamed WAV
 * header, spooled containers) and as a named file (libsndfile and the truncation check).
 * The first byte picks the path, the raw format and the working rate. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audio.h"

static int bytes_in_memfd(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz", 0);

    if (fd < 0)
        return -1;
    if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int rates[4] = {8000, 16000, 22050, 44100};
    struct snd_pcm_fmt fmt;
    struct snd_err err = {0};
    struct snd_audio_in *a;
    float buf[1024];
    char path[64];
    int fd, saved_stdin = -1, as_file;

    if (size < 1)
        return 0;
    as_file = data[0] & 1;
    fmt.enc = (enum snd_encoding)((data[0] >> 1) % 3);
    fmt.channels = 1 + (data[0] >> 3) % 3;
    fmt.rate_hz = rates[(data[0] >> 5) % 4];
    fd = bytes_in_memfd(data + 1, size - 1);
    if (fd < 0)
        return 0;
    if (as_file) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    } else {
        saved_stdin = dup(0);
        dup2(fd, 0);
    }
    a = snd_audio_open(as_file ? path : "-", &fmt, &err);
    if (a != NULL) {
        while (snd_audio_read(a, buf, 1024, &err) > 0)
            ;
        snd_audio_close(a);
    }
    if (saved_stdin >= 0) {
        dup2(saved_stdin, 0);
        close(saved_stdin);
    }
    close(fd);
    return 0;
}
