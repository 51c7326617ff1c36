/* audio: decoding every source to mono float at the working rate, and writing clips. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sndfile.h>

#include "atomic.h"
#include "audio.h"
#include "resample.h"

/* Frames decoded per read: 4096 is 256 ms at 16 kHz, small enough for live latency. */
#define CHUNK_FRAMES 4096

/* A WAV written to a pipe cannot know its length, so its data chunk says 0, 0xFFFFFFFF or
 * 0x7FFFF000 (sox and espeak-ng's placeholder: the largest size that keeps the RIFF size
 * under 2^31). A size that large means "to the end", never "truncated". */
#define WAV_SIZE_PLACEHOLDER_MIN 0x7FFFF000u

static int wav_size_known(uint32_t size)
{
    return size != 0 && size < WAV_SIZE_PLACEHOLDER_MIN;
}

struct snd_audio_in {
    char *name;
    int working_rate_hz;
    struct snd_pcm_fmt src; /* the source's own rate, channels and (raw) encoding */

    /* Raw PCM source: a descriptor and the bytes read but not yet decoded. */
    int fd;
    int own_fd;
    unsigned char *bytes;
    size_t n_bytes;
    long long bytes_left; /* a WAV data chunk's remaining size, or -1: to the end */

    /* Container source. */
    SNDFILE *sf;
    sf_count_t sf_frames_expected; /* from the header, or -1 when unknown */
    sf_count_t sf_frames_read;

    float *frames; /* CHUNK_FRAMES interleaved frames */
    float *mono;   /* mono samples waiting for the resampler */
    long mono_len;
    long long samples_read; /* mono source samples so far, to locate bad samples */
    int may_be_nonfinite;   /* float samples: a NaN or infinity must be refused */
    int live;               /* stdin is a pipe or a terminal, not a file */
    struct snd_resampler *rs;
    long long samples_out; /* resampled samples handed out */
    int src_eof;
};

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned le16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int is_raw_path(const char *path)
{
    return has_suffix(path, ".raw") || has_suffix(path, ".pcm");
}

/* Read exactly n bytes unless the input ends first. Returns the count, or -1 (errno). */
static ssize_t read_full(int fd, unsigned char *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static int write_full(int fd, const unsigned char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

static struct snd_audio_in *in_new(const char *name, const struct snd_pcm_fmt *raw)
{
    struct snd_audio_in *a = calloc(1, sizeof *a);

    if (a == NULL)
        return NULL;
    a->name = strdup(name);
    a->fd = -1;
    a->bytes_left = -1;
    a->sf_frames_expected = -1;
    a->working_rate_hz = raw->rate_hz;
    a->src = *raw;
    a->mono = malloc(2 * CHUNK_FRAMES * sizeof *a->mono);
    if (a->name == NULL || a->mono == NULL) {
        snd_audio_close(a);
        return NULL;
    }
    return a;
}

/* Allocate the per-source buffers once the source's channel count is known, and a
 * resampler when its rate is not the working rate. */
static int in_prepare(struct snd_audio_in *a, struct snd_err *err)
{
    size_t frame_bytes = (size_t)a->src.channels * snd_pcm_sample_bytes(a->src.enc);

    if (a->src.channels < 1 || a->src.channels > SND_PCM_MAX_CHANNELS)
        return snd_fail(err, "%s: unsupported channel count %d", a->name, a->src.channels);
    if (a->src.rate_hz < 1 || a->src.rate_hz > SND_PCM_MAX_RATE_HZ)
        return snd_fail(err, "%s: unsupported sample rate %d Hz", a->name, a->src.rate_hz);
    a->frames = malloc((size_t)CHUNK_FRAMES * (size_t)a->src.channels * sizeof *a->frames);
    if (a->sf == NULL)
        a->bytes = malloc((size_t)CHUNK_FRAMES * frame_bytes);
    if (a->frames == NULL || (a->sf == NULL && a->bytes == NULL))
        return snd_fail(err, "%s: out of memory", a->name);
    if (a->src.rate_hz != a->working_rate_hz) {
        a->rs = snd_resampler_new(a->src.rate_hz, a->working_rate_hz, err);
        if (a->rs == NULL)
            return snd_fail(err, "%s: cannot resample %d Hz to %d Hz", a->name, a->src.rate_hz,
                            a->working_rate_hz);
    }
    return 0;
}

/* libsndfile reads a WAV whose data chunk is cut short without complaint, shortening it;
 * a truncated file must be an error, so walk the RIFF chunks and compare sizes. */
static int check_wav_truncated(int fd, const char *name, off_t file_size, struct snd_err *err)
{
    unsigned char h[12];
    off_t off = 12;
    int chunks;

    if (pread(fd, h, 12, 0) != 12 || memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0)
        return 0;
    for (chunks = 0; chunks < 64 && off + 8 <= file_size; chunks++) {
        uint32_t size;
        if (pread(fd, h, 8, off) != 8)
            return 0;
        size = le32(h + 4);
        if (memcmp(h, "data", 4) == 0) {
            if (wav_size_known(size) && (off_t)size > file_size - off - 8)
                return snd_fail(err, "%s: truncated WAV: data chunk holds %lld of %lu bytes", name,
                                (long long)(file_size - off - 8), (unsigned long)size);
            return 0;
        }
        off += 8 + (off_t)size + (size & 1);
    }
    return 0;
}

static int open_sndfile(struct snd_audio_in *a, int fd, struct snd_err *err)
{
    SF_INFO info = {0};

    a->sf = sf_open_fd(fd, SFM_READ, &info, 1);
    if (a->sf == NULL) {
        close(fd);
        return snd_fail(err, "%s: not a readable audio file (%s)", a->name, sf_strerror(NULL));
    }
    a->src.rate_hz = info.samplerate;
    a->src.channels = info.channels;
    a->src.enc = SND_ENC_F32;
    /* Integer and compressed formats decode to finite values; only stored floats can hold
     * a NaN or an infinity. */
    a->may_be_nonfinite = (info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT ||
                          (info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_DOUBLE;
    if (info.frames > 0 && info.frames < SF_COUNT_MAX / 2)
        a->sf_frames_expected = info.frames;
    return in_prepare(a, err);
}

/* Copy stdin, after the bytes already taken from it, into an unlinked temporary file so
 * that libsndfile can seek in it: FLAC, Ogg and other headers need that. */
static int spool_stdin(struct snd_audio_in *a, const unsigned char *head, size_t n_head,
                       struct snd_err *err)
{
    unsigned char buf[65536];
    FILE *tmp = tmpfile();
    int fd;

    if (tmp == NULL)
        return snd_fail_errno(err, errno, "%s: cannot make a temporary file", a->name);
    fd = dup(fileno(tmp));
    fclose(tmp);
    if (fd < 0)
        return snd_fail_errno(err, errno, "%s", a->name);
    if (write_full(fd, head, n_head) != 0)
        goto fail;
    for (;;) {
        ssize_t r = read(0, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            return snd_fail_errno(err, e, "%s", a->name);
        }
        if (r == 0)
            break;
        if (write_full(fd, buf, (size_t)r) != 0)
            goto fail;
    }
    if (lseek(fd, 0, SEEK_SET) != 0)
        goto fail;
    return open_sndfile(a, fd, err);
fail : {
    int e = errno;
    close(fd);
    return snd_fail_errno(err, e, "%s: cannot spool to a temporary file", a->name);
}
}

/* Parse a WAV header arriving on stdin and stream its data as raw PCM, so that
 * `sox … -t wav - | snd-…` stays live. head holds the 12 bytes of the RIFF header and
 * hdr collects every byte consumed, for the fallback to libsndfile on formats the raw
 * decoder lacks. Returns 1 when streaming is set up, 0 to fall back, -1 on error. */
static int stream_wav_stdin(struct snd_audio_in *a, unsigned char *hdr, size_t *n_hdr,
                            size_t hdr_cap, struct snd_err *err)
{
    int have_fmt = 0, chunks;

    for (chunks = 0; chunks < 64; chunks++) {
        unsigned char *ch = hdr + *n_hdr;
        uint32_t size;

        if (*n_hdr + 8 > hdr_cap)
            return 0;
        if (read_full(0, ch, 8) != 8)
            return snd_fail(err, "%s: truncated WAV header", a->name);
        *n_hdr += 8;
        size = le32(ch + 4);
        if (memcmp(ch, "data", 4) == 0) {
            if (!have_fmt)
                return snd_fail(err, "%s: WAV data before its fmt chunk", a->name);
            if (wav_size_known(size))
                a->bytes_left = size;
            return 1;
        }
        if (*n_hdr + size + (size & 1) > hdr_cap)
            return 0;
        if (read_full(0, hdr + *n_hdr, size + (size & 1)) != (ssize_t)(size + (size & 1)))
            return snd_fail(err, "%s: truncated WAV header", a->name);
        *n_hdr += size + (size & 1);
        if (memcmp(ch, "fmt ", 4) == 0 && size >= 16) {
            const unsigned char *f = ch + 8;
            unsigned tag = le16(f), bits = le16(f + 14);
            if (tag == 0xFFFE && size >= 26)
                tag = le16(f + 24); /* WAVE_FORMAT_EXTENSIBLE: the sub-format's tag */
            a->src.channels = (int)le16(f + 2);
            a->src.rate_hz = (int)le32(f + 4);
            if (tag == 1 && bits == 16)
                a->src.enc = SND_ENC_S16;
            else if (tag == 1 && bits == 32)
                a->src.enc = SND_ENC_S32;
            else if (tag == 3 && bits == 32)
                a->src.enc = SND_ENC_F32;
            else
                return 0;
            have_fmt = 1;
        }
    }
    return 0;
}

static int has_container_magic(const unsigned char *h, size_t n)
{
    static const char *const magics[] = {"RIFF", "RIFX", "RF64", "fLaC", "OggS",
                                         "FORM", ".snd", "caff", "ID3"};
    size_t i;

    for (i = 0; i < sizeof magics / sizeof magics[0]; i++) {
        size_t k = strlen(magics[i]);
        if (n >= k && memcmp(h, magics[i], k) == 0)
            return 1;
    }
    return 0;
}

static int open_stdin(struct snd_audio_in *a, struct snd_err *err)
{
    unsigned char hdr[4096];
    struct stat st;
    size_t n_hdr;
    ssize_t got = read_full(0, hdr, 12);
    int r;

    if (got < 0)
        return snd_fail_errno(err, errno, "%s", a->name);
    n_hdr = (size_t)got;
    a->fd = 0;
    a->live = fstat(0, &st) == 0 && !S_ISREG(st.st_mode);
    if (!has_container_magic(hdr, n_hdr)) {
        if (in_prepare(a, err) != 0)
            return -1;
        /* Raw PCM: the sniffed bytes are the first samples. */
        memcpy(a->bytes, hdr, n_hdr);
        a->n_bytes = n_hdr;
        return 0;
    }
    if (n_hdr == 12 && memcmp(hdr, "RIFF", 4) == 0 && memcmp(hdr + 8, "WAVE", 4) == 0) {
        r = stream_wav_stdin(a, hdr, &n_hdr, sizeof hdr, err);
        if (r < 0)
            return -1;
        if (r == 1)
            return in_prepare(a, err);
    }
    a->fd = -1;
    return spool_stdin(a, hdr, n_hdr, err);
}

static int open_file(struct snd_audio_in *a, const char *path, struct snd_err *err)
{
    struct stat st;
    int fd = open(path, O_RDONLY);

    if (fd < 0)
        return snd_fail_errno(err, errno, "%s", path);
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        close(fd);
        return snd_fail(err, "%s: is a directory", path);
    }
    if (S_ISREG(st.st_mode) && st.st_size == 0) {
        close(fd);
        return snd_fail(err, "%s: empty file", path);
    }
    if (is_raw_path(path)) {
        a->fd = fd;
        a->own_fd = 1;
        return in_prepare(a, err);
    }
    if (S_ISREG(st.st_mode) && check_wav_truncated(fd, path, st.st_size, err) != 0) {
        close(fd);
        return -1;
    }
    return open_sndfile(a, fd, err);
}

struct snd_audio_in *snd_audio_open(const char *path, const struct snd_pcm_fmt *raw,
                                    struct snd_err *err)
{
    int use_stdin = path == NULL || strcmp(path, "-") == 0;
    struct snd_audio_in *a = in_new(use_stdin ? "stdin" : path, raw);
    int r;

    if (a == NULL) {
        snd_fail(err, "%s: out of memory", use_stdin ? "stdin" : path);
        return NULL;
    }
    r = use_stdin ? open_stdin(a, err) : open_file(a, path, err);
    if (r != 0) {
        snd_audio_close(a);
        return NULL;
    }
    return a;
}

static void mix_down(float *mono, const float *frames, long n, int channels)
{
    long i;
    int c;

    if (channels == 1) {
        memcpy(mono, frames, (size_t)n * sizeof *mono);
        return;
    }
    for (i = 0; i < n; i++) {
        float sum = 0.0f;
        for (c = 0; c < channels; c++)
            sum += frames[i * channels + c];
        mono[i] = sum / (float)channels;
    }
}

/* Read up to max interleaved raw frames; returns the count, 0 at the end, -1 on error. */
static long read_raw_frames(struct snd_audio_in *a, long max, struct snd_err *err)
{
    size_t frame_bytes = (size_t)a->src.channels * snd_pcm_sample_bytes(a->src.enc);
    size_t want = (size_t)max * frame_bytes;
    long n;

    while (a->n_bytes < frame_bytes) {
        size_t room = want - a->n_bytes;
        ssize_t r;
        if (a->bytes_left >= 0 && (long long)room > a->bytes_left)
            room = (size_t)a->bytes_left;
        r = room == 0 ? 0 : read(a->fd, a->bytes + a->n_bytes, room);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return snd_fail_errno(err, errno, "%s", a->name);
        if (r == 0) {
            if (a->n_bytes > 0)
                return snd_fail(err,
                                "%s: truncated stream: %zu stray byte%s at the end (a frame is "
                                "%d x %s, %zu bytes)",
                                a->name, a->n_bytes, a->n_bytes == 1 ? "" : "s", a->src.channels,
                                snd_pcm_encoding_name(a->src.enc), frame_bytes);
            if (a->bytes_left > 0)
                return snd_fail(err, "%s: truncated WAV: %lld bytes of data missing", a->name,
                                a->bytes_left);
            return 0;
        }
        a->n_bytes += (size_t)r;
        if (a->bytes_left >= 0)
            a->bytes_left -= r;
    }
    n = (long)(a->n_bytes / frame_bytes);
    snd_pcm_decode(a->frames, a->bytes, (size_t)n * (size_t)a->src.channels, a->src.enc);
    a->n_bytes -= (size_t)n * frame_bytes;
    memmove(a->bytes, a->bytes + (size_t)n * frame_bytes, a->n_bytes);
    return n;
}

static long read_sf_frames(struct snd_audio_in *a, long max, struct snd_err *err)
{
    sf_count_t n = sf_readf_float(a->sf, a->frames, max);

    if (n > 0) {
        a->sf_frames_read += n;
        return (long)n;
    }
    if (sf_error(a->sf) != SF_ERR_NO_ERROR)
        return snd_fail(err, "%s: %s", a->name, sf_strerror(a->sf));
    if (a->sf_frames_expected >= 0 && a->sf_frames_read < a->sf_frames_expected)
        return snd_fail(err, "%s: truncated: %lld of %lld frames readable", a->name,
                        (long long)a->sf_frames_read, (long long)a->sf_frames_expected);
    return 0;
}

/* Read up to max mono samples at the source rate. */
static long read_source(struct snd_audio_in *a, float *mono, long max, struct snd_err *err)
{
    long n;
    size_t bad;

    if (max > CHUNK_FRAMES)
        max = CHUNK_FRAMES;
    n = a->sf != NULL ? read_sf_frames(a, max, err) : read_raw_frames(a, max, err);
    if (n <= 0)
        return n;
    mix_down(mono, a->frames, n, a->src.channels);
    bad =
        a->may_be_nonfinite || a->sf == NULL ? snd_pcm_first_nonfinite(mono, (size_t)n) : (size_t)n;
    if (bad < (size_t)n)
        return snd_fail(err, "%s: non-finite sample at %.3f s", a->name,
                        (double)(a->samples_read + (long long)bad) / a->src.rate_hz);
    a->samples_read += n;
    return n;
}

/* Resample, handing out exactly round(n_in * ratio) samples for n_in source samples: at
 * the end, libsamplerate's own flush can fall a sample short, so the input is continued
 * with silence (what the flush assumes anyway) until the count is reached. */
static long read_resampled(struct snd_audio_in *a, float *out, long max, struct snd_err *err)
{
    const long cap = 2 * CHUNK_FRAMES;
    long long expected = -1;

    for (;;) {
        long used = 0, got;
        if (!a->src_eof && a->mono_len < CHUNK_FRAMES) {
            long n = read_source(a, a->mono + a->mono_len, cap - a->mono_len, err);
            if (n < 0)
                return -1;
            if (n == 0)
                a->src_eof = 1;
            a->mono_len += n;
        }
        if (a->src_eof) {
            expected = llround((double)a->samples_read * a->working_rate_hz / a->src.rate_hz);
            if (a->samples_out >= expected)
                return 0;
            if (max > expected - a->samples_out)
                max = (long)(expected - a->samples_out);
            memset(a->mono + a->mono_len, 0, (size_t)(cap - a->mono_len) * sizeof *a->mono);
        }
        got = snd_resampler_run(a->rs, a->mono, a->src_eof ? cap : a->mono_len, &used, out, max, 0,
                                err);
        if (got < 0)
            return snd_fail(err, "%s: %s", a->name, err->msg);
        if (used > a->mono_len)
            used = a->mono_len; /* the silence after the end is not kept */
        a->mono_len -= used;
        memmove(a->mono, a->mono + used, (size_t)a->mono_len * sizeof *a->mono);
        a->samples_out += got;
        if (got > 0)
            return got;
    }
}

long snd_audio_read(struct snd_audio_in *a, float *out, long max, struct snd_err *err)
{
    if (max <= 0)
        return 0;
    if (a->rs != NULL)
        return read_resampled(a, out, max, err);
    return read_source(a, out, max, err);
}

const char *snd_audio_name(const struct snd_audio_in *a)
{
    return a->name;
}

int snd_audio_is_live(const struct snd_audio_in *a)
{
    return a->live;
}

void snd_audio_close(struct snd_audio_in *a)
{
    if (a == NULL)
        return;
    if (a->sf != NULL)
        sf_close(a->sf);
    if (a->own_fd && a->fd >= 0)
        close(a->fd);
    snd_resampler_free(a->rs);
    free(a->frames);
    free(a->bytes);
    free(a->mono);
    free(a->name);
    free(a);
}

/* Writing. */

struct out_container {
    const char *ext;
    int major;
};

static const struct out_container out_containers[] = {
    {".wav", SF_FORMAT_WAV}, {".flac", SF_FORMAT_FLAC}, {".ogg", SF_FORMAT_OGG},
    {".oga", SF_FORMAT_OGG}, {".aif", SF_FORMAT_AIFF},  {".aiff", SF_FORMAT_AIFF},
    {".au", SF_FORMAT_AU},   {".caf", SF_FORMAT_CAF},   {".w64", SF_FORMAT_W64},
};

struct snd_audio_out {
    struct snd_pcm_fmt fmt;
    int to_stdout;
    int raw; /* raw PCM, to stdout or to the temporary's descriptor */
    struct snd_atomic file;
    SNDFILE *sf;
    int subtype; /* libsndfile's sample type, for files */
    unsigned char *bytes;
    size_t bytes_cap;
};

static int container_for(const char *path)
{
    size_t i;

    for (i = 0; i < sizeof out_containers / sizeof out_containers[0]; i++)
        if (has_suffix(path, out_containers[i].ext))
            return out_containers[i].major;
    return 0;
}

int snd_audio_check_out_path(const char *path, struct snd_err *err)
{
    if (path == NULL || strcmp(path, "-") == 0 || is_raw_path(path) || container_for(path))
        return 0;
    return snd_fail(err,
                    "%s: unknown audio file extension (use .wav, .flac, .ogg, .aiff, .au, "
                    ".caf, .w64, or .raw for raw PCM)",
                    path);
}

static int subtype_for(int major, enum snd_encoding enc)
{
    if (major == SF_FORMAT_OGG)
        return SF_FORMAT_VORBIS;
    if (enc == SND_ENC_F32 && major != SF_FORMAT_FLAC)
        return SF_FORMAT_FLOAT;
    if (enc == SND_ENC_S16)
        return SF_FORMAT_PCM_16;
    return major == SF_FORMAT_FLAC ? SF_FORMAT_PCM_24 : SF_FORMAT_PCM_32;
}

static int open_sf_out(struct snd_audio_out *o, const char *path, struct snd_err *err)
{
    SF_INFO info = {0};
    int major = container_for(path);

    info.samplerate = o->fmt.rate_hz;
    info.channels = o->fmt.channels;
    o->subtype = subtype_for(major, o->fmt.enc);
    info.format = major | o->subtype;
    if (!sf_format_check(&info))
        return snd_fail(err, "%s: libsndfile cannot write %s samples in this container", path,
                        snd_pcm_encoding_name(o->fmt.enc));
    o->sf = sf_open_fd(o->file.fd, SFM_WRITE, &info, 0);
    if (o->sf == NULL)
        return snd_fail(err, "%s: %s", path, sf_strerror(NULL));
    return 0;
}

struct snd_audio_out *snd_audio_create(const char *path, const struct snd_pcm_fmt *fmt,
                                       struct snd_err *err)
{
    struct snd_audio_out *o;

    if (snd_audio_check_out_path(path, err) != 0)
        return NULL;
    o = calloc(1, sizeof *o);
    if (o == NULL) {
        snd_fail(err, "%s: out of memory", path ? path : "stdout");
        return NULL;
    }
    if (fmt->channels < 1 || fmt->channels > SND_PCM_MAX_CHANNELS) {
        free(o);
        snd_fail(err, "%s: cannot write %d channels", path ? path : "stdout", fmt->channels);
        return NULL;
    }
    o->fmt = *fmt;
    o->file.fd = -1;
    o->to_stdout = path == NULL || strcmp(path, "-") == 0;
    o->raw = o->to_stdout || is_raw_path(path);
    if (o->to_stdout)
        return o;
    if (snd_atomic_create(&o->file, path, err) != 0 ||
        (!o->raw && open_sf_out(o, path, err) != 0)) {
        snd_audio_discard(o);
        return NULL;
    }
    return o;
}

/* Samples go to libsndfile as integers we scaled ourselves: its own float-to-int scale
 * differs from the one raw PCM uses, and clips must match the raw stream bit for bit. */
static int write_sf(struct snd_audio_out *o, const float *x, long n, struct snd_err *err)
{
    size_t n_samples = (size_t)n * (size_t)o->fmt.channels;
    sf_count_t wrote;

    if (o->subtype == SF_FORMAT_PCM_16) {
        snd_pcm_to_s16((short *)o->bytes, x, n_samples);
        wrote = sf_writef_short(o->sf, (short *)o->bytes, n);
    } else if (o->subtype == SF_FORMAT_PCM_24 || o->subtype == SF_FORMAT_PCM_32) {
        snd_pcm_to_s32((int *)o->bytes, x, n_samples);
        wrote = sf_writef_int(o->sf, (int *)o->bytes, n);
    } else {
        wrote = sf_writef_float(o->sf, x, n);
    }
    if (wrote != n)
        return snd_fail(err, "%s: %s", o->file.path, sf_strerror(o->sf));
    return 0;
}

int snd_audio_write(struct snd_audio_out *o, const float *x, long n, struct snd_err *err)
{
    size_t n_samples = (size_t)n * (size_t)o->fmt.channels, need = n_samples * 4;

    if (n <= 0)
        return 0;
    if (need > o->bytes_cap) {
        unsigned char *b = realloc(o->bytes, need);
        if (b == NULL)
            return snd_fail(err, "%s: out of memory", o->to_stdout ? "stdout" : o->file.path);
        o->bytes = b;
        o->bytes_cap = need;
    }
    if (!o->raw)
        return write_sf(o, x, n, err);
    snd_pcm_encode(o->bytes, x, n_samples, o->fmt.enc);
    if (write_full(o->to_stdout ? 1 : o->file.fd, o->bytes,
                   n_samples * snd_pcm_sample_bytes(o->fmt.enc)) != 0)
        return snd_fail_errno(err, errno, "%s", o->to_stdout ? "stdout" : o->file.path);
    return 0;
}

/* Grow o->bytes to hold need bytes. */
static int reserve_bytes(struct snd_audio_out *o, size_t need, struct snd_err *err)
{
    unsigned char *b;

    if (need <= o->bytes_cap)
        return 0;
    b = realloc(o->bytes, need);
    if (b == NULL)
        return snd_fail(err, "%s: out of memory", o->to_stdout ? "stdout" : o->file.path);
    o->bytes = b;
    o->bytes_cap = need;
    return 0;
}

int snd_audio_write_pcm(struct snd_audio_out *o, const void *pcm, long n, struct snd_err *err)
{
    const unsigned char *in = pcm;
    size_t n_samples = (size_t)n * (size_t)o->fmt.channels, i;
    sf_count_t wrote;

    if (n <= 0)
        return 0;
    if (o->raw) {
        if (write_full(o->to_stdout ? 1 : o->file.fd, in,
                       n_samples * snd_pcm_sample_bytes(o->fmt.enc)) != 0)
            return snd_fail_errno(err, errno, "%s", o->to_stdout ? "stdout" : o->file.path);
        return 0;
    }
    if (o->fmt.enc == SND_ENC_F32) {
        /* Floats take snd_audio_write()'s path, which scales them as raw PCM does; it
         * uses o->bytes itself, so they are decoded elsewhere. */
        float *x = malloc(n_samples * sizeof *x);
        int r;
        if (x == NULL)
            return snd_fail(err, "%s: out of memory", o->file.path);
        snd_pcm_decode(x, in, n_samples, SND_ENC_F32);
        r = snd_audio_write(o, x, n, err);
        free(x);
        return r;
    }
    if (reserve_bytes(o, n_samples * 4, err) != 0)
        return -1;
    if (o->fmt.enc == SND_ENC_S16) {
        short *s = (short *)o->bytes;
        for (i = 0; i < n_samples; i++)
            s[i] = (short)(uint16_t)(in[2 * i] | in[2 * i + 1] << 8);
        wrote = sf_writef_short(o->sf, s, n);
    } else {
        int *s = (int *)o->bytes;
        for (i = 0; i < n_samples; i++)
            s[i] = (int)le32(in + 4 * i);
        wrote = sf_writef_int(o->sf, s, n);
    }
    if (wrote != n)
        return snd_fail(err, "%s: %s", o->file.path, sf_strerror(o->sf));
    return 0;
}

struct snd_pcm_fmt snd_audio_mono(const struct snd_pcm_fmt *fmt)
{
    struct snd_pcm_fmt mono = *fmt;

    mono.channels = 1;
    return mono;
}

int snd_audio_finish(struct snd_audio_out *o, struct snd_err *err)
{
    int r = 0;

    if (o->sf != NULL) {
        sf_write_sync(o->sf);
        if (sf_close(o->sf) != 0)
            r = snd_fail(err, "%s: cannot finish the file", o->file.path);
        o->sf = NULL;
    }
    if (!o->to_stdout) {
        if (r == 0)
            r = snd_atomic_commit(&o->file, err);
        else
            snd_atomic_abort(&o->file);
    }
    free(o->bytes);
    free(o);
    return r;
}

void snd_audio_discard(struct snd_audio_out *o)
{
    if (o == NULL)
        return;
    if (o->sf != NULL)
        sf_close(o->sf);
    snd_atomic_abort(&o->file);
    free(o->bytes);
    free(o);
}

long snd_audio_read_block(struct snd_audio_in *a, float *out, long max, struct snd_err *err)
{
    long total = 0, n;

    do {
        n = snd_audio_read(a, out + total, max - total, err);
        if (n < 0)
            return -1;
        total += n;
    } while (n > 0 && total < max && !snd_audio_is_live(a));
    return total;
}
