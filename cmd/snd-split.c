/* snd-split: cut audio into clips, in fixed windows or at silences. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "split.h"

static const char *const prog = "snd-split";

static const char usage[] =
    "usage: snd-split (-l DUR [--hop DUR] [--last pad|drop|keep] | --at-silence [OPTIONS])\n"
    "                 [-o TEMPLATE] [--index FILE] [-r HZ] [-c N] [-e ENC] [-q] [AUDIO...|-]\n"
    "\n"
    "Cut audio into clips: fixed windows, or the sound between silences.\n"
    "\n"
    "Fixed windows:\n"
    "  -l, --length DUR      window length (3s, 250ms, 1.5)\n"
    "      --hop DUR         start-to-start distance (default: the length)\n"
    "      --last MODE       a last window shorter than the length: keep it short, pad\n"
    "                        it with zeros, or drop it (default keep)\n"
    "At silences:\n"
    "      --at-silence      one clip per stretch of sound\n"
    "  -t, --threshold DBFS  frames at or above this RMS level are sound (default -40)\n"
    "      --hysteresis DB   sound ends only this far below the threshold (default 6)\n"
    "      --min-silence DUR shorter silences do not cut (default 200ms)\n"
    "      --min-sound DUR   shorter sounds (clicks) are ignored (default 50ms)\n"
    "      --pad DUR         silence kept either side of each clip (default 100ms)\n"
    "      --min-length DUR  drop shorter clips (default 100ms)\n"
    "      --max-length DUR  cut longer sound into pieces of this length (default: none)\n"
    "      --frame DUR       level measurement frame (default 10ms)\n"
    "Output:\n"
    "  -o, --output TEMPLATE clip file names, e.g. clips/{base}_{n:3}.wav; fields {base},\n"
    "                        {n}, {n:W}, {start}; the extension picks the format.\n"
    "                        Without -o, clips go to stdout as raw PCM\n"
    "      --index FILE      the TSV index (id, source, start, end) of every clip\n"
    "                        (default: stdout when clips go to files)\n" SND_CLI_PCM_HELP
    "  -q, --quiet           no per-source summary on stderr\n"
    "  -h, --help            show this help\n"
    "      --version         show the version\n";

enum {
    OPT_HOP = 256,
    OPT_LAST,
    OPT_AT_SILENCE,
    OPT_HYSTERESIS,
    OPT_MIN_SILENCE,
    OPT_MIN_SOUND,
    OPT_PAD,
    OPT_MIN_LENGTH,
    OPT_MAX_LENGTH,
    OPT_FRAME,
    OPT_INDEX,
    OPT_VERSION,
};

static const struct option long_opts[] = {
    {"length", required_argument, NULL, 'l'},
    {"hop", required_argument, NULL, OPT_HOP},
    {"last", required_argument, NULL, OPT_LAST},
    {"at-silence", no_argument, NULL, OPT_AT_SILENCE},
    {"threshold", required_argument, NULL, 't'},
    {"hysteresis", required_argument, NULL, OPT_HYSTERESIS},
    {"min-silence", required_argument, NULL, OPT_MIN_SILENCE},
    {"min-sound", required_argument, NULL, OPT_MIN_SOUND},
    {"pad", required_argument, NULL, OPT_PAD},
    {"min-length", required_argument, NULL, OPT_MIN_LENGTH},
    {"max-length", required_argument, NULL, OPT_MAX_LENGTH},
    {"frame", required_argument, NULL, OPT_FRAME},
    {"output", required_argument, NULL, 'o'},
    {"index", required_argument, NULL, OPT_INDEX},
    {"rate", required_argument, NULL, 'r'},
    {"channels", required_argument, NULL, 'c'},
    {"encoding", required_argument, NULL, 'e'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

struct args {
    struct snd_split_opts split;
    int quiet;
    int have_length, have_hop, have_last, silence_opts;
};

static enum snd_split_last parse_last(const char *arg)
{
    if (strcmp(arg, "keep") == 0)
        return SND_SPLIT_LAST_KEEP;
    if (strcmp(arg, "pad") == 0)
        return SND_SPLIT_LAST_PAD;
    if (strcmp(arg, "drop") == 0)
        return SND_SPLIT_LAST_DROP;
    snd_cli_usage_error(prog, "--last: expected pad, drop or keep, not '%s'", arg);
}

/* A detector duration: the same range as snd-silence's. */
static double dur(const char *opt, const char *arg)
{
    return snd_cli_dur(prog, opt, arg, 0.0, 60.0);
}

/* A clip length: up to the bound on a clip's memory. */
static double clip_dur(const char *opt, const char *arg)
{
    return snd_cli_dur(prog, opt, arg, 0.0, SND_SPLIT_MAX_CLIP_SEC);
}

/* Parse argv into a; returns the index of the first operand. Exits 2 on bad usage. */
static int parse_args(int argc, char **argv, struct args *a)
{
    struct snd_vad_opts *v = &a->split.vad;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":l:t:o:r:c:e:qh", long_opts, NULL)) != -1) {
        if (snd_cli_pcm_option(prog, c, optarg, &a->split.pcm))
            continue;
        a->silence_opts += c == 't' || (c >= OPT_HYSTERESIS && c <= OPT_FRAME);
        switch (c) {
        case 'l':
            a->split.length_sec =
                snd_cli_dur(prog, "--length", optarg, 1e-6, SND_SPLIT_MAX_CLIP_SEC);
            a->have_length = 1;
            break;
        case OPT_HOP:
            a->split.hop_sec = snd_cli_dur(prog, "--hop", optarg, 1e-6, 1e9);
            a->have_hop = 1;
            break;
        case OPT_LAST:
            a->split.last = parse_last(optarg);
            a->have_last = 1;
            break;
        case OPT_AT_SILENCE:
            a->split.at_silence = 1;
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
        case OPT_MIN_LENGTH:
            a->split.min_length_sec = clip_dur("--min-length", optarg);
            break;
        case OPT_MAX_LENGTH:
            a->split.max_length_sec = clip_dur("--max-length", optarg);
            break;
        case OPT_FRAME:
            v->frame_sec = snd_cli_dur(prog, "--frame", optarg, 1e-6, 1.0);
            break;
        case 'o':
            a->split.out_template = optarg;
            break;
        case OPT_INDEX:
            a->split.index_path = optarg;
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
    if (a->have_length == a->split.at_silence)
        snd_cli_usage_error(prog, "give either -l/--length or --at-silence");
    if (a->split.at_silence && (a->have_hop || a->have_last))
        snd_cli_usage_error(prog, "--hop and --last go with -l/--length, not --at-silence");
    if (!a->split.at_silence && a->silence_opts)
        snd_cli_usage_error(prog, "silence options need --at-silence");
    if (!a->have_hop)
        a->split.hop_sec = a->split.length_sec;
    return optind;
}

struct run {
    const struct args *a;
    struct snd_splitter *splitter;
};

static int split_one(void *ctx, const char *path, struct snd_err *err)
{
    struct run *r = ctx;
    long clips = snd_split_source(r->splitter, path, err);

    if (clips < 0)
        return -1;
    if (!r->a->quiet)
        fprintf(stderr, "%s: %s: %ld clip%s\n", prog, snd_cli_source_name(path), clips,
                clips == 1 ? "" : "s");
    return 0;
}

static int split_all(const struct args *a, int n, char **paths)
{
    struct snd_err err = {0};
    struct run r = {a, NULL};
    int status;

    if (n > 1 && a->split.out_template != NULL && strstr(a->split.out_template, "{base}") == NULL)
        snd_cli_usage_error(prog, "template '%s' needs {base} when splitting several sources",
                            a->split.out_template);
    if (snd_split_check_opts(&a->split, &err) != 0)
        snd_cli_usage_error(prog, "%s", err.msg);
    r.splitter = snd_split_new(&a->split, &err);
    if (r.splitter == NULL)
        return snd_cli_fail(prog, &err);
    status = snd_cli_each_source(prog, n, paths, split_one, &r);
    if (snd_split_finish(r.splitter, &err) != 0 && snd_cli_fail(prog, &err) != SND_EXIT_OK)
        status = SND_EXIT_FAILURE;
    return status;
}

int main(int argc, char **argv)
{
    struct args a = {.split = SND_SPLIT_OPTS_DEFAULT};
    int i;

    snd_cli_init();
    i = parse_args(argc, argv, &a);
    return snd_cli_finish(prog, split_all(&a, argc - i, argv + i));
}
