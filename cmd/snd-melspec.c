/* snd-melspec: audio to log-mel spectrograms, as an HDF5 file or a frame stream. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "features.h"
#include "melspec.h"
#include "pool.h"

static const char *const prog = "snd-melspec";

static const char usage[] =
    "usage: snd-melspec [-o FILE.h5 [-a]] [-j N] [--like MODEL.h5] [FEATURE OPTIONS]\n"
    "                   [--png FILE|TEMPLATE] [-r HZ] [-c N] [-e ENC] [-q] [AUDIO...|-]\n"
    "\n"
    "Compute log-mel spectrograms of audio files or of a stream on stdin. Each source is\n"
    "a clip whose id is its path. Without -o, a frame stream goes to stdout.\n"
    "\n"
    "Output:\n"
    "  -o, --output FILE.h5  an HDF5 feature file (appears when complete)\n"
    "  -a, --append          add to an existing feature file of the same parameters\n"
    "  -j, --threads N       spread files over N threads (default: all cores); the\n"
    "                        output order is the input order\n"
    "      --id NAME         the id of the clip read from stdin (default stdin)\n"
    "Features (the defaults are torchaudio's with these settings):\n"
    "  -r, --rate HZ         feature sample rate; files are resampled to it (16000)\n"
    "      --n-fft N         FFT size (512)\n"
    "      --win-length N    window length, centred in the FFT frame (400)\n"
    "      --hop-length N    samples between frames (160)\n"
    "      --window NAME     hann, hamming, blackman or rect, periodic (hann)\n"
    "      --center          frames centred on their time, reflect padding (default)\n"
    "      --no-center       frames start at their time\n"
    "      --power X         2: power spectrum, 1: magnitude (2)\n"
    "      --n-mels N        mel bands (64)\n"
    "      --fmin HZ         lowest band edge (0)\n"
    "      --fmax HZ         highest band edge (default: half the rate)\n"
    "      --mel-scale NAME  slaney or htk (slaney)\n"
    "      --norm NAME       slaney (bands of equal area) or none (slaney)\n"
    "      --log NAME        db, ln or none (db: 10 log10 of a power, whatever --power)\n"
    "      --amin X          floor before the log (1e-10)\n"
    "      --like FILE.h5    take every feature parameter from a model or feature file\n"
    "Pictures:\n"
    "      --png FILE        draw the spectrogram; with several sources a template such\n"
    "                        as pics/{base}.png ({base}, {n}, {n:W})\n"
    "      --cmap NAME       viridis or magma (viridis)\n"
    "      --png-range LO:HI dB mapped onto the colour map (-80:20)\n"
    "      --png-scale N     pixels per frame and band (1)\n"
    "Input:\n" SND_CLI_RAW_INPUT_HELP "  -q, --quiet           no chatter on stderr\n"
    "  -h, --help            show this help\n"
    "      --version         show the version\n";

enum {
    OPT_ID = 256,
    OPT_N_FFT,
    OPT_WIN_LENGTH,
    OPT_HOP_LENGTH,
    OPT_WINDOW,
    OPT_CENTER,
    OPT_NO_CENTER,
    OPT_POWER,
    OPT_N_MELS,
    OPT_FMIN,
    OPT_FMAX,
    OPT_MEL_SCALE,
    OPT_NORM,
    OPT_LOG,
    OPT_AMIN,
    OPT_LIKE,
    OPT_PNG,
    OPT_CMAP,
    OPT_PNG_RANGE,
    OPT_PNG_SCALE,
    OPT_VERSION,
};

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"append", no_argument, NULL, 'a'},
    {"threads", required_argument, NULL, 'j'},
    {"id", required_argument, NULL, OPT_ID},
    {"rate", required_argument, NULL, 'r'},
    {"n-fft", required_argument, NULL, OPT_N_FFT},
    {"win-length", required_argument, NULL, OPT_WIN_LENGTH},
    {"hop-length", required_argument, NULL, OPT_HOP_LENGTH},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"center", no_argument, NULL, OPT_CENTER},
    {"no-center", no_argument, NULL, OPT_NO_CENTER},
    {"power", required_argument, NULL, OPT_POWER},
    {"n-mels", required_argument, NULL, OPT_N_MELS},
    {"fmin", required_argument, NULL, OPT_FMIN},
    {"fmax", required_argument, NULL, OPT_FMAX},
    {"mel-scale", required_argument, NULL, OPT_MEL_SCALE},
    {"norm", required_argument, NULL, OPT_NORM},
    {"log", required_argument, NULL, OPT_LOG},
    {"amin", required_argument, NULL, OPT_AMIN},
    {"like", required_argument, NULL, OPT_LIKE},
    {"png", required_argument, NULL, OPT_PNG},
    {"cmap", required_argument, NULL, OPT_CMAP},
    {"png-range", required_argument, NULL, OPT_PNG_RANGE},
    {"png-scale", required_argument, NULL, OPT_PNG_SCALE},
    {"channels", required_argument, NULL, 'c'},
    {"encoding", required_argument, NULL, 'e'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

struct args {
    struct snd_melspec_opts ms;
    const char *like;
    const char *feature_opt; /* the last feature option given, for --like's conflict */
    int fmax_given;
    int quiet;
};

/* Match arg against names (n of them), exiting 2 when it is none of them. */
static int pick(const char *opt, const char *arg, const char *const *names, int n)
{
    int i;

    for (i = 0; i < n; i++)
        if (strcmp(arg, names[i]) == 0)
            return i;
    snd_cli_usage_error(prog, "%s: unknown value '%s'", opt, arg);
}

static void parse_png_range(struct args *a, const char *arg)
{
    const char *colon = strchr(arg, ':');
    char lo[64];

    if (colon == NULL || (size_t)(colon - arg) >= sizeof lo)
        snd_cli_usage_error(prog, "--png-range: expected LO:HI in dB, e.g. -80:20");
    memcpy(lo, arg, (size_t)(colon - arg));
    lo[colon - arg] = '\0';
    a->ms.png_db_min = snd_cli_double(prog, "--png-range", lo, -400.0, 400.0);
    a->ms.png_db_max = snd_cli_double(prog, "--png-range", colon + 1, -400.0, 400.0);
}

/* A feature option: remember it was given (--like takes them all). Returns 1 if c was one. */
static int feature_option(struct args *a, int c, const char *arg, char **argv)
{
    static const char *const windows[] = {"hann", "hamming", "blackman", "rect"};
    static const char *const scales[] = {"slaney", "htk"}, *const norms[] = {"slaney", "none"};
    static const char *const logs[] = {"db", "ln", "none"};
    struct snd_feat_params *p = &a->ms.feat;

    switch (c) {
    case 'r':
        p->sample_rate = (int)snd_cli_long(prog, "--rate", arg, 1000, 768000);
        break;
    case OPT_N_FFT:
        p->n_fft = (int)snd_cli_long(prog, "--n-fft", arg, 16, 65536);
        break;
    case OPT_WIN_LENGTH:
        p->win_length = (int)snd_cli_long(prog, "--win-length", arg, 1, 65536);
        break;
    case OPT_HOP_LENGTH:
        p->hop_length = (int)snd_cli_long(prog, "--hop-length", arg, 1, 1000000);
        break;
    case OPT_WINDOW:
        p->window = (enum snd_window)pick("--window", arg, windows, 4);
        break;
    case OPT_CENTER:
    case OPT_NO_CENTER:
        p->center = c == OPT_CENTER;
        break;
    case OPT_POWER:
        p->power = snd_cli_double(prog, "--power", arg, 0.25, 4.0);
        break;
    case OPT_N_MELS:
        p->n_mels = (int)snd_cli_long(prog, "--n-mels", arg, 1, 2048);
        break;
    case OPT_FMIN:
        p->f_min = snd_cli_double(prog, "--fmin", arg, 0.0, 384000.0);
        break;
    case OPT_FMAX:
        p->f_max = snd_cli_double(prog, "--fmax", arg, 0.0, 1e9);
        a->fmax_given = 1;
        break;
    case OPT_MEL_SCALE:
        p->mel_scale = (enum snd_mel_scale)pick("--mel-scale", arg, scales, 2);
        break;
    case OPT_NORM:
        p->norm = (enum snd_mel_norm)pick("--norm", arg, norms, 2);
        break;
    case OPT_LOG:
        p->log = (enum snd_log)pick("--log", arg, logs, 3);
        break;
    case OPT_AMIN:
        p->amin = snd_cli_double(prog, "--amin", arg, 1e-30, 0.5);
        break;
    default:
        return 0;
    }
    /* The option's own word: its argument, when separate, is the word after it. */
    a->feature_opt = argv[optind - (arg != NULL && arg == argv[optind - 1] ? 2 : 1)];
    return 1;
}

/* Parse argv into a; returns the index of the first operand. Exits 2 on bad usage. */
static int parse_args(int argc, char **argv, struct args *a)
{
    struct snd_err err = {0};
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:aj:r:c:e:qh", long_opts, NULL)) != -1) {
        if (feature_option(a, c, optarg, argv))
            continue;
        if (snd_cli_pcm_option(prog, c, optarg, &a->ms.pcm))
            continue;
        switch (c) {
        case 'o':
            a->ms.output = optarg;
            break;
        case 'a':
            a->ms.append = 1;
            break;
        case 'j':
            a->ms.threads = (int)snd_cli_long(prog, "--threads", optarg, 1, 1024);
            break;
        case OPT_ID:
            a->ms.stdin_id = optarg;
            break;
        case OPT_LIKE:
            a->like = optarg;
            break;
        case OPT_PNG:
            a->ms.png = optarg;
            break;
        case OPT_CMAP:
            if (snd_cmap_parse(optarg, &a->ms.cmap, &err) != 0)
                snd_cli_usage_error(prog, "--cmap: %s", err.msg);
            break;
        case OPT_PNG_RANGE:
            parse_png_range(a, optarg);
            break;
        case OPT_PNG_SCALE:
            a->ms.png_scale = (int)snd_cli_long(prog, "--png-scale", optarg, 1, 16);
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
    if (a->like != NULL && a->feature_opt != NULL)
        snd_cli_usage_error(prog, "--like takes every feature parameter from %s; leave out %s",
                            a->like, a->feature_opt);
    /* As librosa: the highest band edge follows the rate unless it is given. */
    if (!a->fmax_given)
        a->ms.feat.f_max = a->ms.feat.sample_rate / 2.0;
    return optind;
}

static void report_failure(void *ctx, const struct snd_err *err)
{
    (void)ctx;
    fprintf(stderr, "%s: %s\n", prog, err->msg);
}

int main(int argc, char **argv)
{
    struct args a = {.ms = SND_MELSPEC_OPTS_DEFAULT};
    struct snd_err err = {0};
    long failed;
    int i;

    snd_cli_init();
    a.ms.threads = snd_pool_cores();
    i = parse_args(argc, argv, &a);
    if (a.like != NULL && snd_feat_load_params(a.like, &a.ms.feat, &err) != 0)
        return snd_cli_fail(prog, &err);
    if (snd_melspec_check(&a.ms, argc - i, &err) != 0)
        snd_cli_usage_error(prog, "%s", err.msg);
    failed = snd_melspec_run(&a.ms, argc - i, argv + i, report_failure, NULL, &err);
    if (failed < 0)
        return snd_cli_finish(prog, snd_cli_fail(prog, &err));
    return snd_cli_finish(prog, failed > 0 ? SND_EXIT_FAILURE : SND_EXIT_OK);
}
