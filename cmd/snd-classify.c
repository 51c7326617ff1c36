/* snd-classify: a trained model's predictions for clips, windows, or a live stream. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "classify.h"
#include "cli.h"
#include "pool.h"

static const char *const prog = "snd-classify";

static const char usage[] =
    "usage: snd-classify -m MODEL.h5 [--hop DUR] [--aggregate mean|max|vote] [--probs]\n"
    "                    [--uncertainty] [--top-k K] [--format tsv|audacity|raven]\n"
    "                    [-j N] [FEATURES...|AUDIO...|-]\n"
    "\n"
    "Predict with a model from snd-train: a row per window of the model's length (id,\n"
    "start, end, label, prob), or per clip with --aggregate. Inputs are feature files or\n"
    "frame streams (stdin: snd-melspec | snd-classify), or audio files, whose features are\n"
    "computed with the model's parameters. On a stream each row leaves as soon as its\n"
    "window is complete.\n"
    "\n"
    "  -m, --model FILE      the model (from snd-train)\n"
    "      --hop DUR         between windows (default: half the model's window)\n"
    "      --aggregate HOW   one row per clip from its windows: mean or max of the\n"
    "                        probabilities, or the share of windows voting for each class\n"
    "      --probs           add a p:CLASS column per class\n"
    "      --uncertainty     add entropy and margin columns (to choose what to label next)\n"
    "      --top-k K         the K most probable classes, one row each, with a rank column\n"
    "      --threshold X     multi-label models: the tags are the classes at or above X\n"
    "                        (default 0.5)\n"
    "      --format FMT      tsv (default), audacity (a label track) or raven (a selection\n"
    "                        table)\n"
    "      --batch N         windows per pass through the network (default 4)\n"
    "  -j, --threads N       threads (default: all cores)\n"
    "  -q, --quiet           no chatter on stderr (there is none: only errors, always said)\n"
    "  -h, --help            show this help\n"
    "      --version         show the version\n";

enum {
    OPT_HOP = 256,
    OPT_AGGREGATE,
    OPT_PROBS,
    OPT_UNCERTAINTY,
    OPT_TOP_K,
    OPT_THRESHOLD,
    OPT_FORMAT,
    OPT_BATCH,
    OPT_VERSION,
};

static const struct option long_opts[] = {
    {"model", required_argument, NULL, 'm'},
    {"hop", required_argument, NULL, OPT_HOP},
    {"aggregate", required_argument, NULL, OPT_AGGREGATE},
    {"probs", no_argument, NULL, OPT_PROBS},
    {"uncertainty", no_argument, NULL, OPT_UNCERTAINTY},
    {"top-k", required_argument, NULL, OPT_TOP_K},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"threads", required_argument, NULL, 'j'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static enum snd_cls_aggregate parse_aggregate(const char *s)
{
    if (strcmp(s, "mean") == 0)
        return SND_CLS_MEAN;
    if (strcmp(s, "max") == 0)
        return SND_CLS_MAX;
    if (strcmp(s, "vote") == 0)
        return SND_CLS_VOTE;
    snd_cli_usage_error(prog, "--aggregate: '%s' is not mean, max or vote", s);
}

/* Parse argv into o; returns the index of the first operand. Exits 2 on bad usage. */
static int parse_args(int argc, char **argv, struct snd_classify_opts *o)
{
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":m:j:qh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            o->model = optarg;
            break;
        case OPT_HOP:
            o->hop_sec = snd_cli_dur(prog, "--hop", optarg, 1e-6, 86400);
            break;
        case OPT_AGGREGATE:
            o->aggregate = parse_aggregate(optarg);
            break;
        case OPT_PROBS:
            o->probs = 1;
            break;
        case OPT_UNCERTAINTY:
            o->uncertainty = 1;
            break;
        case OPT_TOP_K:
            o->top_k = (int)snd_cli_long(prog, "--top-k", optarg, 1, 100000);
            break;
        case OPT_THRESHOLD:
            o->threshold = snd_cli_double(prog, "--threshold", optarg, 1e-9, 1 - 1e-9);
            break;
        case OPT_FORMAT:
            if (snd_labelfmt_parse(optarg, &o->format) != 0)
                snd_cli_usage_error(prog, "--format: '%s' is not tsv, audacity or raven", optarg);
            break;
        case OPT_BATCH:
            o->batch = (int)snd_cli_long(prog, "--batch", optarg, 1, 4096);
            break;
        case 'q': /* every tool takes -q; snd-classify has nothing but errors to say */
            break;
        case 'j':
            o->threads = (int)snd_cli_long(prog, "--threads", optarg, 1, 1024);
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
    if (o->model == NULL)
        snd_cli_usage_error(prog, "no model: give -m MODEL.h5");
    return optind;
}

static void report_failure(void *ctx, const struct snd_err *err)
{
    (void)ctx;
    fprintf(stderr, "%s: %s\n", prog, err->msg);
}

int main(int argc, char **argv)
{
    struct snd_classify_opts o = SND_CLASSIFY_OPTS_DEFAULT;
    struct snd_err err = {0};
    int i;
    long failed;

    snd_blas_tune(argv);
    snd_cli_init();
    o.threads = snd_pool_cores();
    i = parse_args(argc, argv, &o);
    failed = snd_classify_run(&o, argc - i, argv + i, report_failure, NULL, &err);
    if (failed < 0)
        return snd_cli_finish(prog, snd_cli_fail(prog, &err));
    return snd_cli_finish(prog, failed > 0 ? SND_EXIT_FAILURE : SND_EXIT_OK);
}
