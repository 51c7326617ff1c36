/* snd-tag: turn a classifier's predictions into decisions: tags, or events, and a command
 * run for each. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "labelout.h"
#include "runner.h"
#include "tag.h"

static const char *const prog = "snd-tag";

static const char usage[] =
    "usage: snd-tag [--threshold X | --thresholds FILE.tsv] [--top-k K] [--labels A,B,...]\n"
    "               [--format tsv|audacity|raven]\n"
    "               [--exec CMD [--retries N] [--retry-delay DUR]] [PREDICTIONS...|-]\n"
    "       snd-tag --events [--threshold X | --thresholds FILE.tsv] [--on X] [--off X]\n"
    "               [--median N] [--min-duration DUR] [--min-gap DUR] [--cooldown DUR]\n"
    "               [--top-k K] [--labels A,B,...] [--format tsv|audacity|raven]\n"
    "               [--exec CMD [--retries N] [--retry-delay DUR]] [PREDICTIONS...|-]\n"
    "\n"
    "Decide from predictions (id, start, end and a p:CLASS column per class; without p:\n"
    "columns, label and prob): the tags of each window, or with --events the events that\n"
    "windows make. Writes id, start, end, label, prob.\n"
    "\n"
    "      --threshold X     a class counts at or above X, from 0 to 1 (default 0.5)\n"
    "      --thresholds FILE per-class thresholds: a table of label and threshold\n"
    "      --top-k K         only the K best classes of a window count\n"
    "      --labels LIST     only these classes, comma-separated\n"
    "      --events          merge windows into events, one row per event\n"
    "      --on X            events: open at or above X (default: the threshold)\n"
    "      --off X           events: stay open at or above X (default: --on)\n"
    "      --median N        events: median of each score over N windows, N odd\n"
    "                        (default 1: none); delays decisions by N/2 windows\n"
    "      --min-duration DUR  events: drop events shorter than DUR (default 0)\n"
    "      --min-gap DUR     events: bridge gaps shorter than DUR (default 0)\n"
    "      --cooldown DUR    events: after a reported event, hold back events of its label\n"
    "                        starting within DUR of its end (default 0)\n"
    "      --exec CMD        run CMD with /bin/sh for each row written, in the background;\n"
    "                        SND_ID, SND_LABEL, SND_START, SND_END, SND_PROB in its\n"
    "                        environment\n"
    "      --retries N       retry a failed CMD up to N times (default 3)\n"
    "      --retry-delay DUR first retry after DUR, each next after twice as long\n"
    "                        (default 1s)\n"
    "      --format FMT      tsv (default), audacity (label track) or raven (selection\n"
    "                        table)\n"
    "  -q, --quiet           no notes of commands to be retried (failures still said)\n"
    "  -h, --help            show this help\n"
    "      --version         show the version\n";

enum {
    OPT_THRESHOLD = 256,
    OPT_THRESHOLDS,
    OPT_TOP_K,
    OPT_LABELS,
    OPT_EVENTS,
    OPT_ON,
    OPT_OFF,
    OPT_MEDIAN,
    OPT_MIN_DURATION,
    OPT_MIN_GAP,
    OPT_COOLDOWN,
    OPT_EXEC,
    OPT_RETRIES,
    OPT_RETRY_DELAY,
    OPT_FORMAT,
    OPT_VERSION,
};

static const struct option long_opts[] = {
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"thresholds", required_argument, NULL, OPT_THRESHOLDS},
    {"top-k", required_argument, NULL, OPT_TOP_K},
    {"labels", required_argument, NULL, OPT_LABELS},
    {"events", no_argument, NULL, OPT_EVENTS},
    {"on", required_argument, NULL, OPT_ON},
    {"off", required_argument, NULL, OPT_OFF},
    {"median", required_argument, NULL, OPT_MEDIAN},
    {"min-duration", required_argument, NULL, OPT_MIN_DURATION},
    {"min-gap", required_argument, NULL, OPT_MIN_GAP},
    {"cooldown", required_argument, NULL, OPT_COOLDOWN},
    {"exec", required_argument, NULL, OPT_EXEC},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"retry-delay", required_argument, NULL, OPT_RETRY_DELAY},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* The most classes --labels takes. */
#define MAX_LABELS 1024

struct args {
    struct snd_tag_opts tag;
    const char *thresholds_path;
    int threshold_given;
    char *labels_buf;
    char *labels[MAX_LABELS];
    const char *exec;
    long retries;
    double retry_delay_sec;
    enum snd_labelfmt format;
    const char *events_only; /* an option of --events met without it */
    const char *exec_only;
    int quiet;
};

/* The run: where decisions go. */
struct run {
    struct snd_tagger *tagger;
    struct snd_labelout *out;
    struct snd_runner *runner;
};

static void parse_labels(struct args *a, const char *arg)
{
    char *s, *tok, *save = NULL;

    free(a->labels_buf);
    a->tag.n_labels = 0;
    if ((a->labels_buf = strdup(arg)) == NULL)
        snd_cli_usage_error(prog, "out of memory");
    for (s = a->labels_buf; (tok = strtok_r(s, ",", &save)) != NULL; s = NULL) {
        if (a->tag.n_labels == MAX_LABELS)
            snd_cli_usage_error(prog, "--labels: at most %d classes", MAX_LABELS);
        a->labels[a->tag.n_labels++] = tok;
    }
    if (a->tag.n_labels == 0)
        snd_cli_usage_error(prog, "--labels: no class in '%s'", arg);
    a->tag.labels = a->labels;
}

static enum snd_labelfmt parse_format(const char *arg)
{
    enum snd_labelfmt f;
    if (snd_labelfmt_parse(arg, &f) != 0)
        snd_cli_usage_error(prog, "--format: expected tsv, audacity or raven, not '%s'", arg);
    return f;
}

/* Parse argv into a; returns the index of the first operand. Exits 2 on bad usage. */
static int parse_args(int argc, char **argv, struct args *a)
{
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'q':
            a->quiet = 1;
            break;
        case OPT_THRESHOLD:
            a->tag.threshold = snd_cli_double(prog, "--threshold", optarg, 0.0, 1.0);
            a->threshold_given = 1;
            break;
        case OPT_THRESHOLDS:
            a->thresholds_path = optarg;
            break;
        case OPT_TOP_K:
            a->tag.top_k = (int)snd_cli_long(prog, "--top-k", optarg, 1, 1000000);
            break;
        case OPT_LABELS:
            parse_labels(a, optarg);
            break;
        case OPT_EVENTS:
            a->tag.events = 1;
            break;
        case OPT_ON:
            a->tag.on = snd_cli_double(prog, "--on", optarg, 0.0, 1.0);
            a->events_only = "--on";
            break;
        case OPT_OFF:
            a->tag.off = snd_cli_double(prog, "--off", optarg, 0.0, 1.0);
            a->events_only = "--off";
            break;
        case OPT_MEDIAN:
            a->tag.median = (int)snd_cli_long(prog, "--median", optarg, 1, SND_TAG_MAX_MEDIAN);
            if (a->tag.median % 2 == 0)
                snd_cli_usage_error(prog, "--median: %d is even; the window needs a middle",
                                    a->tag.median);
            a->events_only = "--median";
            break;
        case OPT_MIN_DURATION:
            a->tag.min_duration_sec = snd_cli_dur(prog, "--min-duration", optarg, 0.0, 1e9);
            a->events_only = "--min-duration";
            break;
        case OPT_MIN_GAP:
            a->tag.min_gap_sec = snd_cli_dur(prog, "--min-gap", optarg, 0.0, 1e9);
            a->events_only = "--min-gap";
            break;
        case OPT_COOLDOWN:
            a->tag.cooldown_sec = snd_cli_dur(prog, "--cooldown", optarg, 0.0, 1e9);
            a->events_only = "--cooldown";
            break;
        case OPT_EXEC:
            if (optarg[0] == '\0')
                snd_cli_usage_error(prog, "--exec: empty command");
            a->exec = optarg;
            break;
        case OPT_RETRIES:
            a->retries = snd_cli_long(prog, "--retries", optarg, 0, 30);
            a->exec_only = "--retries";
            break;
        case OPT_RETRY_DELAY:
            a->retry_delay_sec = snd_cli_dur(prog, "--retry-delay", optarg, 0.0, 86400.0);
            a->exec_only = "--retry-delay";
            break;
        case OPT_FORMAT:
            a->format = parse_format(optarg);
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
    if (a->events_only != NULL && !a->tag.events)
        snd_cli_usage_error(prog, "%s needs --events", a->events_only);
    if (a->exec_only != NULL && a->exec == NULL)
        snd_cli_usage_error(prog, "%s needs --exec", a->exec_only);
    if (a->threshold_given && a->thresholds_path != NULL)
        snd_cli_usage_error(prog, "give --threshold or --thresholds, not both");
    if (a->tag.on >= 0 && a->tag.off >= 0 && a->tag.on < a->tag.off)
        snd_cli_usage_error(prog, "--on %g is below --off %g", a->tag.on, a->tag.off);
    if (a->tag.on < 0 && a->tag.off >= 0 && a->thresholds_path == NULL &&
        a->tag.threshold < a->tag.off)
        snd_cli_usage_error(prog, "--threshold %g is below --off %g", a->tag.threshold, a->tag.off);
    return optind;
}

static void report(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "%s: %s\n", prog, msg);
}

static int decided(void *ctx, const struct snd_tag_event *ev, struct snd_err *err)
{
    struct run *run = ctx;

    if (snd_labelout_row(run->out, ev->id, ev->start_sec, ev->end_sec, ev->label, ev->prob, NULL,
                         err) != 0)
        return -1;
    if (run->runner != NULL)
        snd_runner_submit(run->runner, ev);
    return 0;
}

static int tag_source(void *ctx, const char *path, struct snd_err *err)
{
    struct run *run = ctx;
    const char *name = snd_cli_source_name(path);
    FILE *f;
    int r;

    if (run->runner != NULL)
        f = snd_runner_open_input(run->runner, path, err);
    else if (strcmp(path, "-") == 0)
        f = stdin;
    else if ((f = fopen(path, "re")) == NULL)
        snd_fail_errno(err, errno, "%s", path);
    if (f == NULL)
        return -1;
    r = snd_tag_read(run->tagger, f, name, err);
    if (f != stdin)
        fclose(f);
    return r;
}

int main(int argc, char **argv)
{
    struct args a = {.tag = SND_TAG_OPTS_DEFAULT, .retries = 3, .retry_delay_sec = 1.0};
    struct snd_tag_threshold *thr = NULL;
    struct run run = {0};
    struct snd_err err = {0};
    int i, status;

    snd_cli_init();
    i = parse_args(argc, argv, &a);
    if (a.thresholds_path != NULL) {
        if (snd_tag_thresholds_load(a.thresholds_path, &thr, &a.tag.n_thresholds, &err) != 0)
            return snd_cli_fail(prog, &err);
        a.tag.thresholds = thr;
        a.tag.thresholds_path = a.thresholds_path;
    }
    if (a.exec != NULL) {
        /* Children are reaped with waitpid(), which an inherited SIG_IGN would defeat. */
        signal(SIGCHLD, SIG_DFL);
        run.runner = snd_runner_new(a.exec, (int)a.retries, a.retry_delay_sec, report, NULL, &err);
        if (run.runner != NULL)
            snd_runner_set_quiet(run.runner, a.quiet);
    }
    if ((a.exec != NULL && run.runner == NULL) ||
        (run.tagger = snd_tagger_new(&a.tag, decided, &run, &err)) == NULL ||
        (run.out = snd_labelout_new(stdout, "stdout", a.format, NULL, 0, 0, 8000, &err)) == NULL) {
        status = snd_cli_fail(prog, &err);
        goto out;
    }
    status = snd_cli_each_source(prog, argc - i, argv + i, tag_source, &run);
    if (snd_labelout_finish(run.out, &err) != 0 && snd_cli_fail(prog, &err) != SND_EXIT_OK)
        status = SND_EXIT_FAILURE;
    if (run.runner != NULL)
        snd_runner_drain(run.runner);
    status = snd_cli_finish(prog, status);
out:
    snd_runner_free(run.runner);
    snd_tagger_free(run.tagger);
    snd_tag_thresholds_free(thr, a.tag.n_thresholds);
    free(a.labels_buf);
    return status;
}
