/* snd-silence: report, trim or gate silence in audio. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "silence.h"

static const char *const prog = "snd-silence";

static const char usage[] =
    "usage: snd-silence (--report | --trim | --gate) [-t DBFS] [--hysteresis DB]\n"
    "                   [--min-silence DUR] [--min-sound DUR] [--pad DUR] [--frame DUR]\n"
    "                   [-o FILE|TEMPLATE] [--log FILE] [-r HZ] [-c N] [-e ENC] [-q]\n"
    "                   [AUDIO...|-]\n"
    "\n"
    "Find silence by level (RMS per frame, in dBFS) and report, trim or gate it.\n"
    "\n"
    "Mode (one):\n"
    "      --report          TSV on stdout: id, start, end, state (sound or silence);\n"
    "                        the share of silence per source on stderr\n"
    "      --trim            drop leading and trailing silence (beyond --pad)\n"
    "      --gate            pass only sound (and --pad around it): a stream filter\n"
    "Detection:\n"
    "  -t, --threshold DBFS  frames at or above this RMS level are sound (default -40)\n"
    "      --hysteresis DB   sound ends only this far below the threshold (default 6)\n"
    "      --min-silence DUR shorter silences do not count (default 200ms)\n"
    "      --min-sound DUR   shorter sounds (clicks) do not count (default 50ms)\n"
    "      --pad DUR         silence kept either side of sound (default 100ms)\n"
    "      --frame DUR       level measurement frame (default 10ms)\n"
    "Output:\n"
    "  -o, --output FILE     trim or gate into FILE (format from its extension); with\n"
    "                        several sources, trim takes a template such as\n"
    "                        trimmed/{base}.wav. Default: raw PCM on stdout\n"
    "      --log FILE        gate: TSV of what was dropped (id, start, end, and the\n"
    "                        output time where the cut is), to map times back\n" SND_CLI_PCM_HELP
    "  -q, --quiet           no summary on stderr\n"
    "  -h, --help            show this help\n"
    "      --version         show the version\n";

enum {
    OPT_REPORT = 256,
    OPT_TRIM,
    OPT_GATE,
    OPT_HYSTERESIS,
    OPT_MIN_SILENCE,
    OPT_MIN_SOUND,
    OPT_PAD,
    OPT_FRAME,
    OPT_LOG,
    OPT_VERSION,
};

static const struct option long_opts[] = {
    {"report", no_argument, NULL, OPT_REPORT},
    {"trim", no_argument, NULL, OPT_TRIM},
    {"gate", no_argument, NULL, OPT_GATE},
    {"threshold", required_argument, NULL, 't'},
    {"hysteresis", required_argument, NULL, OPT_HYSTERESIS},
    {"min-silence", required_argument, NULL, OPT_MIN_SILENCE},
    {"min-sound", required_argument, NULL, OPT_MIN_SOUND},
    {"pad", required_argument, NULL, OPT_PAD},
    {"frame", required_argument, NULL, OPT_FRAME},
    {"output", required_argument, NULL, 'o'},
    {"log", required_argument, NULL, OPT_LOG},
    {"rate", required_argument, NULL, 'r'},
    {"channels", required_argument, NULL, 'c'},
    {"encoding", required_argument, NULL, 'e'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

struct args {
    struct snd_silence_opts silence;
    int n_modes;
    int quiet;
};

static double dur(const char *opt, const char *arg)
{
    return snd_cli_dur(prog, opt, arg, 0.0, 60.0);
}

/* Parse argv into a; returns the index of the first operand. Exits 2 on bad usage. */
static int parse_args(int argc, char **argv, struct args *a)
{
    struct snd_vad_opts *v = &a->silence.vad;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":t:o:r:c:e:qh", long_opts, NULL)) != -1) {
        if (snd_cli_pcm_option(prog, c, optarg, &a->silence.pcm))
            continue;
        switch (c) {
        case OPT_REPORT:
        case OPT_TRIM:
        case OPT_GATE:
            a->silence.mode = c == OPT_REPORT ? SND_SILENCE_REPORT
                              : c == OPT_TRIM ? SND_SILENCE_TRIM
                                              : SND_SILENCE_GATE;
            a->n_modes++;
            break;
        case 't':
            v->threshold_dbfs = snd_cli_double(prog, "--threshold", optarg, -150.0, 0.0);
            break;
        case OPT_HYSTERESIS:
            v->hysteresis_db = snd_cli_double(prog, "--hysteresis", optarg, 0.0, 60.0);
            break;
        case OPT_MIN_SILENCE:
            v->min_silence_sec = dur("--min-silence", optarg);
            break;
        case OPT_MIN_SOUND:
            v->min_sound_sec = dur("--min-sound", optarg);
            break;
        case OPT_PAD:
            v->pad_sec = dur("--pad", optarg);
            break;
        case OPT_FRAME:
            v->frame_sec = snd_cli_dur(prog, "--frame", optarg, 1e-6, 1.0);
            break;
        case 'o':
            a->silence.output = optarg;
            break;
        case OPT_LOG:
            a->silence.log_path = optarg;
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
    if (a->n_modes != 1)
        snd_cli_usage_error(prog, "give exactly one of --report, --trim, --gate");
    return optind;
}

static void print_summary(const char *name, const struct snd_silence_stats *st, int mode)
{
    double share = st->total_sec > 0 ? 100.0 * st->silence_sec / st->total_sec : 0.0;

    if (mode == SND_SILENCE_REPORT)
        fprintf(stderr, "%s: %s: %.1f%% silence (%.2f s of %.2f s)\n", prog, name, share,
                st->silence_sec, st->total_sec);
    else
        fprintf(stderr, "%s: %s: kept %.2f s of %.2f s (%.1f%% silence)\n", prog, name,
                st->kept_sec, st->total_sec, share);
}

struct run {
    const struct args *a;
    struct snd_silencer *silencer;
};

static int run_one(void *ctx, const char *path, struct snd_err *err)
{
    struct run *r = ctx;
    struct snd_silence_stats st;

    if (snd_silence_source(r->silencer, path, &st, err) != 0)
        return -1;
    if (!r->a->quiet)
        print_summary(snd_cli_source_name(path), &st, r->a->silence.mode);
    return 0;
}

static int run(const struct args *a, int n, char **paths)
{
    struct snd_err err = {0};
    struct run r = {a, NULL};
    int status;

    if (snd_silence_check_opts(&a->silence, n, &err) != 0)
        snd_cli_usage_error(prog, "%s", err.msg);
    r.silencer = snd_silence_new(&a->silence, &err);
    if (r.silencer == NULL)
        return snd_cli_fail(prog, &err);
    status = snd_cli_each_source(prog, n, paths, run_one, &r);
    if (snd_silence_finish(r.silencer, &err) != 0 && snd_cli_fail(prog, &err) != SND_EXIT_OK)
        status = SND_EXIT_FAILURE;
    return status;
}

int main(int argc, char **argv)
{
    struct args a = {.silence = SND_SILENCE_OPTS_DEFAULT};
    int i;

    snd_cli_init();
    i = parse_args(argc, argv, &a);
    return snd_cli_finish(prog, run(&a, argc - i, argv + i));
}
