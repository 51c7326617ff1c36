/* snd-eval: score predictions against the truth, for people and for Makefiles. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eval.h"

static const char *const prog = "snd-eval";

static const char usage[] =
    "usage: snd-eval --truth LABELS.tsv [--json | --tsv] [--min METRIC=VALUE]...\n"
    "                [--multi-label | --multiclass] [--threshold X] [--top-k K]\n"
    "                [--aggregate mean|max|vote] [--allow-missing] [-q] [PREDICTIONS...|-]\n"
    "       snd-eval --events --truth EVENTS.tsv [--collar DUR] [--offset-rate X]\n"
    "                [--segment DUR] [--json | --tsv] [--min METRIC=VALUE]... [-q]\n"
    "                [EVENTS...|-]\n"
    "\n"
    "Score predictions (id, label, p:CLASS columns) against the truth (id, label), joined\n"
    "by id, with scikit-learn's definitions; or detected events (id, start, end, label)\n"
    "against reference events, as sed_eval scores them.\n"
    "\n"
    "      --truth FILE      the truth: id and label (several labels comma-separated)\n"
    "      --json            the metrics as JSON on stdout\n"
    "      --tsv             the metrics as a table: metric, class, value\n"
    "      --min M=V         exit 1 when metric M is below V (repeatable), e.g.\n"
    "                        --min accuracy=0.9 --min f1:siren=0.8\n"
    "      --multi-label     tags, not one class per clip (default: multi-label when a\n"
    "                        truth label is empty or holds a comma)\n"
    "      --multiclass      one class per clip\n"
    "      --threshold X     multi-label decisions: the tags whose p: is at least X\n"
    "                        (default: the label column; combined rows: 0.5)\n"
    "      --top-k K         the k of top-k accuracy (default 2)\n"
    "      --aggregate HOW   combine the rows of one id (windows of a clip): mean or max\n"
    "                        of the p: columns, or a vote of the labels (multi-label: a\n"
    "                        tag held by half the rows, or any row for max)\n"
    "      --allow-missing   score the ids both sides have, instead of refusing\n"
    "      --events          score events: event-based and segment-based F1\n"
    "      --collar DUR      events: onsets match within DUR (default 200ms)\n"
    "      --offset-rate X   events: offsets match within max(collar, X times the\n"
    "                        reference event's length) (default 0.2)\n"
    "      --segment DUR     events: segment length of segment-based scores (default 1s)\n"
    "  -q, --quiet           no table on stdout (for --min alone)\n"
    "  -h, --help            show this help\n"
    "      --version         show the version\n";

enum {
    OPT_TRUTH = 256,
    OPT_JSON,
    OPT_TSV,
    OPT_MIN,
    OPT_MULTI_LABEL,
    OPT_MULTICLASS,
    OPT_THRESHOLD,
    OPT_TOP_K,
    OPT_AGGREGATE,
    OPT_ALLOW_MISSING,
    OPT_EVENTS,
    OPT_COLLAR,
    OPT_OFFSET_RATE,
    OPT_SEGMENT,
    OPT_VERSION,
};

static const struct option long_opts[] = {
    {"truth", required_argument, NULL, OPT_TRUTH},
    {"json", no_argument, NULL, OPT_JSON},
    {"tsv", no_argument, NULL, OPT_TSV},
    {"min", required_argument, NULL, OPT_MIN},
    {"multi-label", no_argument, NULL, OPT_MULTI_LABEL},
    {"multiclass", no_argument, NULL, OPT_MULTICLASS},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"top-k", required_argument, NULL, OPT_TOP_K},
    {"aggregate", required_argument, NULL, OPT_AGGREGATE},
    {"allow-missing", no_argument, NULL, OPT_ALLOW_MISSING},
    {"events", no_argument, NULL, OPT_EVENTS},
    {"collar", required_argument, NULL, OPT_COLLAR},
    {"offset-rate", required_argument, NULL, OPT_OFFSET_RATE},
    {"segment", required_argument, NULL, OPT_SEGMENT},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

#define MAX_MINS 64

struct minimum {
    char name[128];
    double value;
};

struct args {
    struct snd_eval_opts eval;
    enum { OUT_TABLE, OUT_JSON, OUT_TSV } out;
    struct minimum mins[MAX_MINS];
    int n_mins;
    int quiet;
};

static void parse_min(struct args *a, const char *arg)
{
    const char *eq = strchr(arg, '=');
    struct minimum *m;

    if (a->n_mins == MAX_MINS)
        snd_cli_usage_error(prog, "--min: at most %d of them", MAX_MINS);
    if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof m->name)
        snd_cli_usage_error(prog, "--min: expected METRIC=VALUE, e.g. accuracy=0.9, not '%s'", arg);
    m = &a->mins[a->n_mins++];
    memcpy(m->name, arg, (size_t)(eq - arg));
    m->name[eq - arg] = '\0';
    m->value = snd_cli_double(prog, "--min", eq + 1, -1e9, 1e9);
}

static enum snd_eval_aggregate parse_aggregate(const char *arg)
{
    if (strcmp(arg, "mean") == 0)
        return SND_AGG_MEAN;
    if (strcmp(arg, "max") == 0)
        return SND_AGG_MAX;
    if (strcmp(arg, "vote") == 0)
        return SND_AGG_VOTE;
    snd_cli_usage_error(prog, "--aggregate: expected mean, max or vote, not '%s'", arg);
}

/* Parse argv into a; returns the index of the first operand. Exits 2 on bad usage. */
static int parse_args(int argc, char **argv, struct args *a)
{
    int c, outs = 0;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qh", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_TRUTH:
            a->eval.truth_path = optarg;
            break;
        case OPT_JSON:
        case OPT_TSV:
            a->out = c == OPT_JSON ? OUT_JSON : OUT_TSV;
            outs++;
            break;
        case OPT_MIN:
            parse_min(a, optarg);
            break;
        case OPT_MULTI_LABEL:
        case OPT_MULTICLASS:
            a->eval.multi_label = c == OPT_MULTI_LABEL;
            break;
        case OPT_THRESHOLD:
            a->eval.threshold = snd_cli_double(prog, "--threshold", optarg, 0.0, 1.0);
            break;
        case OPT_TOP_K:
            a->eval.top_k = (int)snd_cli_long(prog, "--top-k", optarg, 1, 1000000);
            break;
        case OPT_AGGREGATE:
            a->eval.aggregate = parse_aggregate(optarg);
            break;
        case OPT_ALLOW_MISSING:
            a->eval.allow_missing = 1;
            break;
        case OPT_EVENTS:
            a->eval.events = 1;
            break;
        case OPT_COLLAR:
            a->eval.event.collar_sec = snd_cli_dur(prog, "--collar", optarg, 0.0, 3600.0);
            break;
        case OPT_OFFSET_RATE:
            a->eval.event.offset_rate = snd_cli_double(prog, "--offset-rate", optarg, 0.0, 100.0);
            break;
        case OPT_SEGMENT:
            a->eval.event.segment_sec = snd_cli_dur(prog, "--segment", optarg, 0.001, 3600.0);
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
    if (a->eval.truth_path == NULL)
        snd_cli_usage_error(prog, "--truth LABELS.tsv is required");
    if (outs > 1)
        snd_cli_usage_error(prog, "give --json or --tsv, not both");
    if (a->quiet && outs > 0)
        snd_cli_usage_error(prog, "-q leaves nothing to print for --json or --tsv");
    return optind;
}

/* Before anything is printed: every --min names a metric of this task (exit 2 if not). */
static void check_minimum_names(const struct args *a, const struct snd_eval *ev)
{
    char names[1024];
    double v;
    int i;

    for (i = 0; i < a->n_mins; i++) {
        if (snd_eval_metric(ev, a->mins[i].name, &v) != -1)
            continue;
        snd_eval_metric_names(ev, names, sizeof names);
        snd_cli_usage_error(prog, "--min: no metric '%s' here (known: %s)", a->mins[i].name, names);
    }
}

/* Exit 1 for each metric below its minimum, or with no value here, saying so on stderr. */
static int check_minimums(const struct args *a, const struct snd_eval *ev)
{
    int i, status = SND_EXIT_OK;
    double v;

    for (i = 0; i < a->n_mins; i++) {
        if (snd_eval_metric(ev, a->mins[i].name, &v) == -2) {
            fprintf(stderr, "%s: %s has no value here (no p: columns, or one class only)\n", prog,
                    a->mins[i].name);
            status = SND_EXIT_FAILURE;
            continue;
        }
        if (v < a->mins[i].value) {
            fprintf(stderr, "%s: %s is %.4f, below the minimum %g\n", prog, a->mins[i].name, v,
                    a->mins[i].value);
            status = SND_EXIT_FAILURE;
        }
    }
    return status;
}

int main(int argc, char **argv)
{
    struct args a = {.eval = SND_EVAL_OPTS_DEFAULT};
    struct snd_eval ev;
    struct snd_err err = {0};
    int i, status, r = 0;

    snd_cli_init();
    i = parse_args(argc, argv, &a);
    if (snd_eval_run(&a.eval, argc - i, argv + i, &ev, &err) != 0)
        return snd_cli_fail(prog, &err);
    check_minimum_names(&a, &ev);
    if (a.out == OUT_JSON)
        r = snd_eval_write_json(stdout, &ev, &err);
    else if (a.out == OUT_TSV)
        r = snd_eval_write_tsv(stdout, &ev, &err);
    else if (!a.quiet)
        r = snd_eval_write_table(stdout, &ev, &err);
    if (r != 0) {
        snd_eval_free(&ev);
        return snd_cli_fail(prog, &err);
    }
    status = check_minimums(&a, &ev);
    snd_eval_free(&ev);
    return snd_cli_finish(prog, status);
}
