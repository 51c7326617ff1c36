/* snd-record: capture from a sound device to raw PCM on stdout or to an audio file. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "record.h"

static const char *const prog = "snd-record";

static const char usage[] =
    "usage: snd-record [-D DEVICE] [-d DUR] [-o FILE] [-r HZ] [-c N] [-e ENC]\n"
    "                  [--period DUR] [--strict] [-q]\n"
    "       snd-record --list-devices\n"
    "\n"
    "Capture from a sound device (ALSA) until -d or until interrupted (SIGINT, SIGTERM),\n"
    "as raw PCM on stdout, period by period, or into a file.\n"
    "\n"
    "  -D, --device NAME     ALSA capture device (default: the system default)\n"
    "      --list-devices    list capture devices, NAME<TAB>description, and exit\n"
    "  -d, --duration DUR    stop after DUR of audio (default: run until stopped)\n"
    "  -o, --output FILE     write FILE, its format from its extension (.wav, .flac,\n"
    "                        .ogg, ...; .raw for raw PCM); it appears when the run ends\n"
    "                        (default: raw PCM on stdout)\n"
    "  -r, --rate HZ         sample rate, exactly as the device gives it (default 16000)\n"
    "  -c, --channels N      channels, interleaved (default 1)\n"
    "  -e, --encoding ENC    sample encoding: s16, s32 or f32 (default s16)\n"
    "      --period DUR      capture and write this much at a time (default 50ms)\n"
    "      --strict          an overrun (samples lost) is an error, not a warning\n"
    "  -q, --quiet           no summary on stderr (overruns are still reported)\n"
    "  -h, --help            show this help\n"
    "      --version         show the version\n";

enum {
    OPT_LIST_DEVICES = 256,
    OPT_PERIOD,
    OPT_STRICT,
    OPT_VERSION,
};

static const struct option long_opts[] = {
    {"device", required_argument, NULL, 'D'},
    {"list-devices", no_argument, NULL, OPT_LIST_DEVICES},
    {"duration", required_argument, NULL, 'd'},
    {"output", required_argument, NULL, 'o'},
    {"rate", required_argument, NULL, 'r'},
    {"channels", required_argument, NULL, 'c'},
    {"encoding", required_argument, NULL, 'e'},
    {"period", required_argument, NULL, OPT_PERIOD},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

struct args {
    struct snd_record_opts record;
    int list_devices;
    int quiet;
};

/* Set by SIGINT and SIGTERM: the capture loop finishes its period and the file. */
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* Exits 2 on bad usage. */
static void parse_args(int argc, char **argv, struct args *a)
{
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":D:d:o:r:c:e:qh", long_opts, NULL)) != -1) {
        if (snd_cli_pcm_option(prog, c, optarg, &a->record.fmt))
            continue;
        switch (c) {
        case 'D':
            if (optarg[0] == '\0')
                snd_cli_usage_error(prog, "--device: empty device name");
            a->record.device = optarg;
            break;
        case OPT_LIST_DEVICES:
            a->list_devices = 1;
            break;
        case 'd':
            /* A year of audio is the most anyone means; beyond, it is a typo. */
            a->record.duration_sec = snd_cli_dur(prog, "--duration", optarg, 1e-9, 366 * 86400.0);
            break;
        case 'o':
            a->record.output = optarg;
            break;
        case OPT_PERIOD:
            a->record.period_sec = snd_cli_dur(prog, "--period", optarg, 1e-6, 1.0);
            break;
        case OPT_STRICT:
            a->record.strict = 1;
            break;
        case 'q':
            a->quiet = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(SND_EXIT_OK);
        case OPT_VERSION:
            snd_cli_version(prog);
        default:
            snd_cli_bad_option(prog, argv, c);
        }
    }
    if (optind < argc)
        snd_cli_usage_error(prog, "unexpected operand '%s' (the output is -o FILE)", argv[optind]);
}

static void print_device(void *ctx, const char *name, const char *description)
{
    (void)ctx;
    printf("%s\t%s\n", name, description);
}

static void print_overrun(void *ctx, const char *device, double at_sec, long count)
{
    (void)ctx;
    fprintf(stderr, "%s: %s: overrun at %.2f s (%ld so far)\n", prog, device, at_sec, count);
}

static int list_devices(void)
{
    struct snd_err err = {0};

    if (snd_capture_list(print_device, NULL, &err) < 0)
        return snd_cli_fail(prog, &err);
    return SND_EXIT_OK;
}

static int record(struct args *a)
{
    struct snd_err err = {0};
    struct snd_record_stats st;
    struct sigaction sa;
    int status = SND_EXIT_OK;

    if (snd_record_check_opts(&a->record, &err) != 0)
        snd_cli_usage_error(prog, "%s", err.msg);
    /* No SA_RESTART: a signal interrupts the device's read, so the run stops within a
     * period even when the device delivers nothing. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    a->record.stop = &stop;
    a->record.on_overrun = print_overrun;
    if (snd_record_run(&a->record, &st, &err) != 0)
        status = snd_cli_fail(prog, &err);
    if (st.kept)
        fprintf(stderr, "%s: %s: kept the %.2f s captured before the failure\n", prog,
                a->record.output, (double)st.frames / a->record.fmt.rate_hz);
    if (st.overruns > 0)
        fprintf(stderr, "%s: %ld overrun%s: samples were lost\n", prog, st.overruns,
                st.overruns == 1 ? "" : "s");
    if (!a->quiet && status == SND_EXIT_OK && err.errnum == 0)
        fprintf(stderr, "%s: %s: %.2f s captured (%lld frames at %d Hz, periods of %ld)\n", prog,
                a->record.device ? a->record.device : "default",
                (double)st.frames / a->record.fmt.rate_hz, st.frames, a->record.fmt.rate_hz,
                st.period_frames);
    return status;
}

int main(int argc, char **argv)
{
    struct args a = {.record = SND_RECORD_OPTS_DEFAULT};

    snd_cli_init();
    parse_args(argc, argv, &a);
    if (a.list_devices)
        return snd_cli_finish(prog, list_devices());
    return snd_cli_finish(prog, record(&a));
}
