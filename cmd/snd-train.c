/* snd-train: features and labels in, a trained model out. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "adapt.h"
#include "blas.h"
#include "cli.h"
#include "json.h"
#include "model.h"
#include "optim.h"
#include "pool.h"
#include "train.h"
#include "tsv.h"

static const char *const prog = "snd-train";

static const char usage[] =
    "usage: snd-train -o MODEL.h5 -l LABELS.tsv [OPTIONS] [FEATURES...|-]\n"
    "       snd-train --adapt --init MODEL.h5 -o ADAPTED.h5 [-j N] [FEATURES...|-]\n"
    "\n"
    "Train a convolutional network on log-mel features (from snd-melspec) and the labels\n"
    "of their clips; write the model with the weights of its best validation epoch. With\n"
    "--adapt, fit an existing model to new recording conditions instead: its batch-norm\n"
    "statistics are measured again on the windows of unlabelled features, its weights kept.\n"
    "\n"
    "  -o, --output FILE       the model to write\n"
    "  -l, --labels FILE       labels: id, label, and optionally start, end of a span\n"
    "      --multi-label       labels are comma-separated tags (sigmoid outputs)\n"
    "      --skip-unlabelled   skip clips the labels do not name (default: an error)\n"
    "      --val FILE          validation features, instead of a split\n"
    "      --val-split F       hold out share F of each class's clips, keeping one at\n"
    "                          least (default 0.1 of the classes that keep 8 or more)\n"
    "      --window DUR        the model's input window (default: the median clip's\n"
    "                          length, within 1 to 3 s)\n"
    "      --standardise HOW   global: each band by the training set's mean and std\n"
    "                          (default); window: then less the window's own band means\n"
    "      --arch SPEC         the network (default \"" SND_NET_DEFAULT_SPEC "\")\n"
    "      --epochs N          passes over the training clips (default: 30, or more to\n"
    "                          make 2000 steps)\n"
    "      --steps N           train N steps of a batch, in whole epochs (instead of\n"
    "                          --epochs)\n"
    "      --batch N           examples per step (default 32)\n"
    "      --lr X              peak learning rate (default 0.001)\n"
    "      --optimizer NAME    adam, adamw or sgd (default adam)\n"
    "      --weight-decay X    (default 0; adamw 0.01)\n"
    "      --momentum X        sgd's momentum (default 0.9)\n"
    "      --warmup N          epochs of linear warm-up (default 1)\n"
    "      --schedule NAME     cosine or constant (default cosine)\n"
    "      --ema DECAY         validate and keep a moving average of the weights, each\n"
    "                          step taking 1 - DECAY of the new ones (default 0.998;\n"
    "                          0: off)\n"
    "      --patience N        stop after N epochs without a better validation metric\n"
    "                          (default 0: never)\n"
    "      --balance[=MODE]    weight: class-weighted loss (the default MODE); sample:\n"
    "                          balanced sampling\n";
/* The augmentation options and the rest: one string would pass C99's 4095 characters. */
static const char usage_augment[] =
    "      --time-mask N       SpecAugment: widest time mask in frames (default 10)\n"
    "      --freq-mask N       widest frequency mask in bands (default 8)\n"
    "      --masks N           masks of each kind per example (default 2; 0 when the\n"
    "                          median class has fewer than 20 training examples)\n"
    "      --shift DUR         largest random shift of a window from its clip's centre\n"
    "                          (default: anywhere)\n"
    "      --stretch F         read each example at a random speed within 1 +- F\n"
    "                          (default 0.1; 0: off)\n"
    "      --pitch B           shift each example by up to +- B mel bands (default 1;\n"
    "                          0: off)\n"
    "      --trim DB           cut off each example's ends quieter than a random DB to\n"
    "                          DB + 40 decibels below its peak (default 0: off)\n"
    "      --pad DUR           lay up to DUR of background noise before and after each\n"
    "                          example (default 0: off)\n"
    "      --mixup ALPHA       mixup with Beta(ALPHA, ALPHA) weights (default 0.2; 0: off)\n"
    "      --gain DB           change each example's level by up to +- DB decibels\n"
    "                          (default 0: off)\n"
    "      --eq DB             pass each example through a random smooth EQ of up to\n"
    "                          +- DB decibels (default 0: off)\n"
    "      --noise DB          add noise of a random colour DB to DB + 40 decibels below\n"
    "                          each example's peak (default 0: off)\n"
    "      --no-augment        no masks, shift, stretch, pitch, trim, padding, mixup,\n"
    "                          gain, EQ or noise\n"
    "      --init MODEL        start from an existing model (other labels: a new head)\n"
    "      --resume            continue an interrupted run from MODEL.h5.ckpt\n"
    "      --adapt             no training: --init's model with batch-norm statistics\n"
    "                          from FEATURES (no labels needed)\n"
    "      --history FILE      per-epoch statistics as TSV\n"
    "      --json              a summary as JSON on stdout\n"
    "      --seed N            (default 1)\n"
    "  -j, --threads N         threads (default: all cores)\n"
    "  -q, --quiet             no per-epoch lines on stderr\n"
    "  -h, --help              show this help\n"
    "      --version           show the version\n";

enum {
    OPT_MULTI = 256,
    OPT_SKIP,
    OPT_VAL,
    OPT_VAL_SPLIT,
    OPT_WINDOW,
    OPT_ARCH,
    OPT_EPOCHS,
    OPT_STEPS,
    OPT_BATCH,
    OPT_LR,
    OPT_OPTIMIZER,
    OPT_WEIGHT_DECAY,
    OPT_MOMENTUM,
    OPT_WARMUP,
    OPT_SCHEDULE,
    OPT_PATIENCE,
    OPT_EMA,
    OPT_BALANCE,
    OPT_TIME_MASK,
    OPT_FREQ_MASK,
    OPT_MASKS,
    OPT_SHIFT,
    OPT_STRETCH,
    OPT_STANDARDISE,
    OPT_PITCH,
    OPT_TRIM,
    OPT_PAD,
    OPT_MIXUP,
    OPT_GAIN,
    OPT_EQ,
    OPT_NOISE,
    OPT_NO_AUGMENT,
    OPT_INIT,
    OPT_RESUME,
    OPT_ADAPT,
    OPT_HISTORY,
    OPT_JSON,
    OPT_SEED,
    OPT_VERSION,
};

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"labels", required_argument, NULL, 'l'},
    {"multi-label", no_argument, NULL, OPT_MULTI},
    {"skip-unlabelled", no_argument, NULL, OPT_SKIP},
    {"val", required_argument, NULL, OPT_VAL},
    {"val-split", required_argument, NULL, OPT_VAL_SPLIT},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"arch", required_argument, NULL, OPT_ARCH},
    {"epochs", required_argument, NULL, OPT_EPOCHS},
    {"steps", required_argument, NULL, OPT_STEPS},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"lr", required_argument, NULL, OPT_LR},
    {"optimizer", required_argument, NULL, OPT_OPTIMIZER},
    {"weight-decay", required_argument, NULL, OPT_WEIGHT_DECAY},
    {"momentum", required_argument, NULL, OPT_MOMENTUM},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"schedule", required_argument, NULL, OPT_SCHEDULE},
    {"patience", required_argument, NULL, OPT_PATIENCE},
    {"ema", required_argument, NULL, OPT_EMA},
    {"balance", optional_argument, NULL, OPT_BALANCE},
    {"time-mask", required_argument, NULL, OPT_TIME_MASK},
    {"freq-mask", required_argument, NULL, OPT_FREQ_MASK},
    {"masks", required_argument, NULL, OPT_MASKS},
    {"shift", required_argument, NULL, OPT_SHIFT},
    {"stretch", required_argument, NULL, OPT_STRETCH},
    {"standardise", required_argument, NULL, OPT_STANDARDISE},
    {"pitch", required_argument, NULL, OPT_PITCH},
    {"trim", required_argument, NULL, OPT_TRIM},
    {"pad", required_argument, NULL, OPT_PAD},
    {"mixup", required_argument, NULL, OPT_MIXUP},
    {"gain", required_argument, NULL, OPT_GAIN},
    {"eq", required_argument, NULL, OPT_EQ},
    {"noise", required_argument, NULL, OPT_NOISE},
    {"no-augment", no_argument, NULL, OPT_NO_AUGMENT},
    {"init", required_argument, NULL, OPT_INIT},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"adapt", no_argument, NULL, OPT_ADAPT},
    {"history", required_argument, NULL, OPT_HISTORY},
    {"json", no_argument, NULL, OPT_JSON},
    {"seed", required_argument, NULL, OPT_SEED},
    {"threads", required_argument, NULL, 'j'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* The batch bound keeps mixup's permutation and the activations of a step sane. */
#define MAX_BATCH 1024

struct args {
    const char *output, *labels, *val, *init, *history, *arch;
    int multi, skip, resume, adapt, json, quiet, threads;
    double val_split, window, shift_sec, pad_sec;
    long steps; /* --steps; 0: not given */
    int window_given, weight_decay_given, val_split_given, epochs_given, masks_given;
    int centre; /* --standardise window: 1, global: 0, not given: -1 */
    struct snd_train_conf conf;
};

static enum snd_balance parse_balance(const char *arg)
{
    if (arg == NULL || strcmp(arg, "weight") == 0)
        return SND_BALANCE_WEIGHT;
    if (strcmp(arg, "sample") == 0)
        return SND_BALANCE_SAMPLE;
    snd_cli_usage_error(prog, "--balance: expected weight or sample, not '%s'", arg);
}

static void parse_option(struct args *a, int c, char **argv)
{
    struct snd_train_conf *t = &a->conf;
    switch (c) {
    case 'o':
        a->output = optarg;
        break;
    case 'l':
        a->labels = optarg;
        break;
    case OPT_MULTI:
        a->multi = 1;
        break;
    case OPT_SKIP:
        a->skip = 1;
        break;
    case OPT_VAL:
        a->val = optarg;
        break;
    case OPT_VAL_SPLIT:
        a->val_split = snd_cli_double(prog, "--val-split", optarg, 0.0, 0.9);
        a->val_split_given = 1;
        break;
    case OPT_WINDOW:
        a->window = snd_cli_dur(prog, "--window", optarg, 0.01, 600.0);
        a->window_given = 1;
        break;
    case OPT_ARCH:
        a->arch = optarg;
        break;
    case OPT_EPOCHS:
        t->epochs = (int)snd_cli_long(prog, "--epochs", optarg, 1, 100000);
        a->epochs_given = 1;
        break;
    case OPT_STEPS:
        a->steps = snd_cli_long(prog, "--steps", optarg, 1, 100000000L);
        break;
    case OPT_BATCH:
        t->batch = (int)snd_cli_long(prog, "--batch", optarg, 1, MAX_BATCH);
        break;
    case OPT_LR:
        t->opt.lr = snd_cli_double(prog, "--lr", optarg, 1e-9, 10.0);
        break;
    case OPT_OPTIMIZER: {
        enum snd_opt_kind kind;
        double lr = t->opt.lr;
        if (snd_opt_kind_parse(optarg, &kind) != 0)
            snd_cli_usage_error(prog, "--optimizer: expected adam, adamw or sgd, not '%s'", optarg);
        t->opt = snd_opt_defaults(kind);
        t->opt.lr = lr;
        break;
    }
    case OPT_WEIGHT_DECAY:
        t->opt.weight_decay = snd_cli_double(prog, "--weight-decay", optarg, 0.0, 10.0);
        a->weight_decay_given = 1;
        break;
    case OPT_MOMENTUM:
        t->opt.momentum = snd_cli_double(prog, "--momentum", optarg, 0.0, 0.9999);
        break;
    case OPT_WARMUP:
        t->warmup = (int)snd_cli_long(prog, "--warmup", optarg, 0, 100000);
        break;
    case OPT_SCHEDULE:
        if (strcmp(optarg, "cosine") != 0 && strcmp(optarg, "constant") != 0)
            snd_cli_usage_error(prog, "--schedule: expected cosine or constant, not '%s'", optarg);
        t->cosine = optarg[1] == 'o' && optarg[2] == 's';
        break;
    case OPT_PATIENCE:
        t->patience = (int)snd_cli_long(prog, "--patience", optarg, 0, 100000);
        break;
    case OPT_EMA:
        t->ema = snd_cli_double(prog, "--ema", optarg, 0.0, 0.99999);
        break;
    case OPT_BALANCE:
        t->balance = parse_balance(optarg);
        break;
    case OPT_TIME_MASK:
        t->time_mask = (int)snd_cli_long(prog, "--time-mask", optarg, 0, 100000);
        a->masks_given = 1;
        break;
    case OPT_FREQ_MASK:
        t->freq_mask = (int)snd_cli_long(prog, "--freq-mask", optarg, 0, 100000);
        a->masks_given = 1;
        break;
    case OPT_MASKS:
        t->masks = (int)snd_cli_long(prog, "--masks", optarg, 0, 100);
        a->masks_given = 1;
        break;
    case OPT_SHIFT:
        a->shift_sec = snd_cli_dur(prog, "--shift", optarg, 0.0, 3600.0);
        break;
    case OPT_STRETCH:
        t->stretch = snd_cli_double(prog, "--stretch", optarg, 0.0, 0.5);
        break;
    case OPT_STANDARDISE:
        if (strcmp(optarg, "global") != 0 && strcmp(optarg, "window") != 0)
            snd_cli_usage_error(prog, "--standardise: expected global or window, not '%s'", optarg);
        a->centre = optarg[0] == 'w';
        break;
    case OPT_PITCH:
        t->pitch = snd_cli_double(prog, "--pitch", optarg, 0.0, 32.0);
        break;
    case OPT_TRIM:
        t->trim = snd_cli_double(prog, "--trim", optarg, 0.0, 200.0);
        break;
    case OPT_PAD:
        a->pad_sec = snd_cli_dur(prog, "--pad", optarg, 0.0, 60.0);
        break;
    case OPT_MIXUP:
        t->mixup = snd_cli_double(prog, "--mixup", optarg, 0.0, 100.0);
        break;
    case OPT_GAIN:
        t->gain = snd_cli_double(prog, "--gain", optarg, 0.0, 100.0);
        break;
    case OPT_EQ:
        t->eq = snd_cli_double(prog, "--eq", optarg, 0.0, 100.0);
        break;
    case OPT_NOISE:
        t->noise = snd_cli_double(prog, "--noise", optarg, 0.0, 200.0);
        break;
    case OPT_NO_AUGMENT:
        t->masks = 0, t->mixup = 0, t->stretch = 0, t->pitch = 0, a->shift_sec = 0;
        t->gain = 0, t->eq = 0, t->noise = 0, t->trim = 0, a->pad_sec = 0;
        a->masks_given = 1;
        break;
    case OPT_INIT:
        a->init = optarg;
        break;
    case OPT_RESUME:
        a->resume = 1;
        break;
    case OPT_ADAPT:
        a->adapt = 1;
        break;
    case OPT_HISTORY:
        a->history = optarg;
        break;
    case OPT_JSON:
        a->json = 1;
        break;
    case OPT_SEED:
        t->seed = (uint64_t)snd_cli_long(prog, "--seed", optarg, 0, 0x7fffffffL);
        break;
    case 'j':
        a->threads = (int)snd_cli_long(prog, "--threads", optarg, 1, 256);
        break;
    case 'q':
        a->quiet = 1;
        break;
    case 'h':
        fputs(usage, stdout);
        fputs(usage_augment, stdout);
        exit(SND_EXIT_OK);
    case OPT_VERSION:
        snd_cli_version(prog);
    default:
        snd_cli_bad_option(prog, argv, c);
    }
}

static int parse_args(int argc, char **argv, struct args *a)
{
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:l:j:qh", long_opts, NULL)) != -1)
        parse_option(a, c, argv);
    if (a->output == NULL)
        snd_cli_usage_error(prog, "-o MODEL.h5 is required");
    if (a->adapt) {
        if (a->init == NULL)
            snd_cli_usage_error(prog, "--adapt needs --init MODEL.h5, the model to adapt");
        if (a->labels != NULL || a->resume)
            snd_cli_usage_error(prog, "--adapt takes no %s", a->resume ? "--resume" : "labels");
        return optind;
    }
    if (a->labels == NULL)
        snd_cli_usage_error(prog, "-l LABELS.tsv is required");
    if (a->multi && a->conf.balance == SND_BALANCE_SAMPLE)
        snd_cli_usage_error(prog,
                            "--balance=sample needs one class per clip; use --balance=weight");
    if (a->conf.opt.kind == SND_OPT_ADAMW && !a->weight_decay_given)
        a->conf.opt.weight_decay = 0.01;
    if (a->steps > 0 && a->epochs_given)
        snd_cli_usage_error(prog, "--steps and --epochs: give one of them");
    if (a->epochs_given && a->conf.warmup >= a->conf.epochs && a->conf.epochs > 1)
        snd_cli_usage_error(prog, "--warmup %d leaves no epoch after it (--epochs %d)",
                            a->conf.warmup, a->conf.epochs);
    return optind;
}

/* ---- what the run prints --------------------------------------------------------- */

static void progress_bar(long done, long total, void *ctx)
{
    const char *epoch = ctx;
    int width = 30, filled = (int)(width * done / total);
    fprintf(stderr, "\r%s [%.*s%*s] %ld/%ld", epoch, filled,
            "==============================", width - filled, "", done, total);
    if (done == total)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

/* An epoch's line on stderr; of many short epochs, about thirty lines and the best ones. */
static void print_epoch(const struct args *a, const struct snd_history_row *r, int best)
{
    const char *m = a->multi ? "mAP" : "acc";
    int every = (a->conf.epochs + 29) / 30, e = (int)r->epoch;
    if (a->quiet || (!best && e % every != 0 && e != a->conf.epochs))
        return;
    fprintf(stderr, "epoch %d/%d  train loss %.4f %s %.4f", (int)r->epoch, a->conf.epochs,
            r->train_loss, m, r->train_metric);
    if (!isnan(r->val_loss))
        fprintf(stderr, "  val loss %.4f %s %.4f", r->val_loss, m, r->val_metric);
    fprintf(stderr, "  %.1f s  lr %.3g%s\n", r->seconds, r->lr, best ? "  *" : "");
}

static void print_confusion(const struct snd_model *m, const long *conf)
{
    int K = m->n_classes, width = 5;
    for (int k = 0; k < K; k++)
        if ((int)strlen(m->labels[k]) + 1 > width)
            width = (int)strlen(m->labels[k]) + 1;
    fprintf(stderr, "validation confusion (rows truth, columns predicted):\n%*s", width, "");
    for (int k = 0; k < K; k++)
        fprintf(stderr, " %*s", width, m->labels[k]);
    fputc('\n', stderr);
    for (int i = 0; i < K; i++) {
        fprintf(stderr, "%*s", width, m->labels[i]);
        for (int k = 0; k < K; k++)
            fprintf(stderr, " %*ld", width, conf[i * K + k]);
        fputc('\n', stderr);
    }
}

static void write_json(const struct args *a, const struct snd_model *m, double val_loss,
                       double val_metric, double seconds, const long *conf)
{
    int K = m->n_classes;
    printf("{\"model\": ");
    snd_json_string(stdout, a->output);
    printf(", \"task\": \"%s\", \"metric\": \"%s\", \"classes\": [", snd_task_name(m->task),
           a->multi ? "mAP" : "accuracy");
    for (int k = 0; k < K; k++) {
        printf(k ? ", " : "");
        snd_json_string(stdout, m->labels[k]);
    }
    printf("], \"epochs\": %d, \"best_epoch\": %d, \"val_loss\": ", m->n_history, m->best_epoch);
    snd_json_number(stdout, val_loss);
    printf(", \"val_metric\": ");
    snd_json_number(stdout, val_metric);
    printf(", \"seconds\": %.3f", seconds);
    if (!a->multi) {
        printf(", \"confusion\": [");
        for (int i = 0; i < K; i++) {
            printf(i ? ", [" : "[");
            for (int k = 0; k < K; k++)
                printf(k ? ", %ld" : "%ld", conf[i * K + k]);
            printf("]");
        }
        printf("]");
    }
    printf("}\n");
}

static int write_history(const char *path, const struct snd_model *m, struct snd_err *err)
{
    struct snd_tsv_writer *w =
        snd_tsv_create(path, (const char *const *)snd_history_names, SND_HISTORY_COLUMNS, err);
    if (w == NULL)
        return -1;
    for (int e = 0; e < m->n_history; e++) {
        char buf[SND_HISTORY_COLUMNS][32];
        const char *fields[SND_HISTORY_COLUMNS];
        for (int c = 0; c < SND_HISTORY_COLUMNS; c++) {
            snprintf(buf[c], sizeof buf[c], "%.6g", ((const double *)&m->history[e])[c]);
            fields[c] = buf[c];
        }
        if (snd_tsv_write_row(w, fields, err) != 0) {
            snd_tsv_discard(w);
            return -1;
        }
    }
    return snd_tsv_finish(w, err);
}

/* ---- the run ------------------------------------------------------------------------ */

struct run {
    struct args *a;
    struct snd_pool *pool;
    struct snd_labels *labels;
    struct snd_dataset data;
    struct snd_model *model;
    struct snd_trainer *trainer;
    char ckpt[4096];
    char fingerprint[2048];
};

static int load_data(struct run *r, int n, char **paths, struct snd_err *err)
{
    long skipped = 0;
    r->labels = snd_labels_read(r->a->labels, r->a->multi, err);
    if (r->labels == NULL)
        return -1;
    for (int i = 0; i < (n > 0 ? n : 1); i++)
        if (snd_dataset_add(&r->data, r->labels, n > 0 ? paths[i] : "-", 0, r->a->skip, &skipped,
                            err) != 0)
            return -1;
    if (r->a->val != NULL &&
        snd_dataset_add(&r->data, r->labels, r->a->val, 1, r->a->skip, &skipped, err) != 0)
        return -1;
    if (r->a->val == NULL)
        snd_dataset_split(&r->data, r->a->val_split, r->a->val_split_given ? 1 : SND_VAL_KEEP,
                          r->a->conf.seed);
    if (r->data.n_ex == 0)
        return snd_fail(err, "%s: no labelled clips in the features", r->a->labels);
    if (!r->a->multi && snd_labels_n_classes(r->labels) < 2)
        return snd_fail(err, "%s: one class only; a classifier needs two", r->a->labels);
    if (skipped > 0 && !r->a->quiet)
        fprintf(stderr, "%s: skipped %ld unlabelled clips\n", prog, skipped);
    return 0;
}

static int same_labels(const struct snd_model *m, const struct snd_labels *l)
{
    if (m->n_classes != snd_labels_n_classes(l))
        return 0;
    for (int k = 0; k < m->n_classes; k++)
        if (strcmp(m->labels[k], snd_labels_classes(l)[k]) != 0)
            return 0;
    return 1;
}

/* A model to train: fresh, or built on the body (and maybe the head) of --init's. */
static int make_model(struct run *r, struct snd_err *err)
{
    struct args *a = r->a;
    const char *spec = a->arch ? a->arch : SND_NET_DEFAULT_SPEC;
    struct snd_model *old = NULL;
    double window = a->window;
    if (a->init != NULL) {
        if ((old = snd_model_load(a->init, 1, NULL, err)) == NULL)
            return -1;
        if (snd_model_check_features(old, a->init, &r->data.feat, "the features", err) != 0 ||
            (old->task == SND_TASK_MULTILABEL) != a->multi) {
            if (err->msg[0] == '\0' || (old->task == SND_TASK_MULTILABEL) != a->multi)
                snd_fail(err, "%s: a %s model; these labels are %s", a->init,
                         snd_task_name(old->task), a->multi ? "multi-label" : "multiclass");
            snd_model_free(old);
            return -1;
        }
        spec = snd_net_spec(old->net);
        window = a->window_given ? a->window : old->window_sec;
    } else if (!a->window_given) {
        window = snd_dataset_auto_window(&r->data);
    }
    r->model = snd_model_new(&r->data.feat, a->multi ? SND_TASK_MULTILABEL : SND_TASK_MULTICLASS,
                             window, snd_labels_classes(r->labels), snd_labels_n_classes(r->labels),
                             spec, a->conf.batch, r->pool, err);
    if (r->model == NULL) {
        snd_model_free(old);
        return -1;
    }
    snd_net_init(r->model->net, a->conf.seed);
    r->model->centre = a->centre >= 0 ? a->centre : old != NULL && old->centre;
    if (old == NULL) {
        snd_dataset_band_stats(&r->data, r->model->mean, r->model->std);
        return 0;
    }
    int same = same_labels(old, r->labels);
    snd_model_copy_params(r->model->net, old->net, !same);
    memcpy(r->model->mean, old->mean, (size_t)old->feat.n_mels * sizeof(float));
    memcpy(r->model->std, old->std, (size_t)old->feat.n_mels * sizeof(float));
    if (!same && !a->quiet)
        fprintf(stderr,
                "%s: %s has other labels: keeping its body, with a new head for %d classes\n", prog,
                a->init, r->model->n_classes);
    snd_model_free(old);
    return 0;
}

/* What a checkpoint must share with the run resuming it. */
static void make_fingerprint(struct run *r, int n, char **paths)
{
    const struct args *a = r->a;
    const struct snd_train_conf *c = &a->conf;
    int len = snprintf(
        r->fingerprint, sizeof r->fingerprint,
        "labels=%s multi=%d val=%s split=%g/%ld window=%g arch=%s epochs=%d batch=%d lr=%g opt=%s "
        "wd=%g mom=%g warmup=%d cosine=%d balance=%d masks=%d/%d/%d shift=%d stretch=%g pitch=%g "
        "trim=%g pad=%d mixup=%g gain=%g eq=%g noise=%g centre=%d ema=%g seed=%llu "
        "init=%s clips=%ld features=",
        a->labels, a->multi, a->val ? a->val : "-", a->val_split,
        a->val_split_given ? 1L : (long)SND_VAL_KEEP, r->model->window_sec,
        snd_net_spec(r->model->net), c->epochs, c->batch, c->opt.lr, snd_opt_kind_name(c->opt.kind),
        c->opt.weight_decay, c->opt.momentum, c->warmup, c->cosine, c->balance, c->time_mask,
        c->freq_mask, c->masks, c->shift, c->stretch, c->pitch, c->trim, c->pad, c->mixup, c->gain,
        c->eq, c->noise, r->model->centre, c->ema, (unsigned long long)c->seed,
        a->init ? a->init : "-", r->data.n_ex);
    for (int i = 0; i < n && len > 0 && len < (int)sizeof r->fingerprint; i++)
        len += snprintf(r->fingerprint + len, sizeof r->fingerprint - (size_t)len, "%s,", paths[i]);
}

static void set_provenance(struct snd_model *m, int argc, char **argv, uint64_t seed)
{
    size_t len = 0;
    time_t now = time(NULL);
    m->command[0] = '\0';
    for (int i = 0; i < argc && len + 2 < sizeof m->command; i++)
        len += (size_t)snprintf(m->command + len, sizeof m->command - len, "%s%s", i ? " " : "",
                                argv[i]);
    strftime(m->created, sizeof m->created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    m->seed = seed;
}

static int add_history(struct snd_model *m, const struct snd_history_row *row)
{
    struct snd_history_row *h = realloc(m->history, ((size_t)m->n_history + 1) * sizeof *h);
    if (h == NULL)
        return -1;
    m->history = h;
    m->history[m->n_history++] = *row;
    return 0;
}

static int save_checkpoint_state(hid_t f, void *ctx)
{
    struct run *r = ctx;
    return snd_trainer_save_state(r->trainer, f, r->model->n_history - 1, r->fingerprint);
}

/* Continue from the checkpoint if there is one: its weights, history and trainer state.
 * Returns the first epoch to run, or -1 with err. */
static int resume(struct run *r, struct snd_err *err)
{
    int epoch;
    if (access(r->ckpt, F_OK) != 0) {
        if (!r->a->quiet)
            fprintf(stderr, "%s: no checkpoint %s: starting from the first epoch\n", prog, r->ckpt);
        return 0;
    }
    struct snd_model *ck = snd_model_load(r->ckpt, 1, NULL, err);
    if (ck == NULL)
        return -1;
    if (snd_trainer_load_state(r->trainer, r->ckpt, r->fingerprint, &epoch, err) != 0 ||
        strcmp(snd_net_spec(ck->net), snd_net_spec(r->model->net)) != 0) {
        if (err->msg[0] == '\0')
            snd_fail(err, "%s: another network", r->ckpt);
        snd_model_free(ck);
        return -1;
    }
    snd_model_copy_params(r->model->net, ck->net, 0);
    memcpy(r->model->mean, ck->mean, (size_t)ck->feat.n_mels * sizeof(float));
    memcpy(r->model->std, ck->std, (size_t)ck->feat.n_mels * sizeof(float));
    free(r->model->history);
    r->model->history = ck->history, r->model->n_history = ck->n_history;
    ck->history = NULL;
    snd_model_free(ck);
    if (!r->a->quiet)
        fprintf(stderr, "%s: resuming from %s after epoch %d\n", prog, r->ckpt, epoch + 1);
    return epoch + 1;
}

static int train(struct run *r, struct snd_err *err)
{
    struct args *a = r->a;
    int first = 0;
    char label[32];
    if (a->resume && (first = resume(r, err)) < 0)
        return -1;
    for (int e = first; e < a->conf.epochs; e++) {
        struct snd_history_row row;
        int tty = !a->quiet && isatty(STDERR_FILENO);
        snprintf(label, sizeof label, "epoch %d/%d", e + 1, a->conf.epochs);
        int best = snd_trainer_epoch(r->trainer, e, &row, tty ? progress_bar : NULL, label);
        if (add_history(r->model, &row) != 0)
            return snd_fail(err, "out of memory");
        print_epoch(a, &row, best && snd_trainer_has_val(r->trainer));
        if (snd_model_save(r->model, r->ckpt, save_checkpoint_state, r, err) != 0 ||
            (a->history && write_history(a->history, r->model, err) != 0))
            return -1;
        if (a->conf.patience > 0 && snd_trainer_stale(r->trainer) >= a->conf.patience) {
            if (!a->quiet)
                fprintf(stderr, "%s: no better validation for %d epochs: stopping\n", prog,
                        a->conf.patience);
            break;
        }
    }
    return 0;
}

static int finish(struct run *r, double seconds, struct snd_err *err)
{
    struct snd_model *m = r->model;
    int K = m->n_classes;
    long *conf = calloc((size_t)K * K, sizeof *conf);
    double val_loss = NAN, val_metric = NAN;
    if (conf == NULL)
        return snd_fail(err, "out of memory");
    snd_trainer_restore_best(r->trainer);
    m->best_epoch = snd_trainer_best_epoch(r->trainer) + 1;
    if (snd_trainer_has_val(r->trainer))
        snd_trainer_validate(r->trainer, &val_loss, &val_metric, conf);
    if (snd_model_save(m, r->a->output, NULL, NULL, err) != 0) {
        free(conf);
        return -1;
    }
    unlink(r->ckpt);
    if (!r->a->quiet) {
        fprintf(stderr, "%s: best epoch %d", prog, m->best_epoch);
        if (!isnan(val_metric))
            fprintf(stderr, ": validation loss %.4f, %s %.4f", val_loss,
                    r->a->multi ? "mAP" : "accuracy", val_metric);
        fputc('\n', stderr);
        if (snd_trainer_has_val(r->trainer) && !r->a->multi)
            print_confusion(m, conf);
    }
    if (r->a->json)
        write_json(r->a, m, val_loss, val_metric, seconds, conf);
    free(conf);
    return 0;
}

/* --adapt: the model of --init, its batch-norm statistics measured on the features, saved
 * under the output's name (atomically, as any model). */
static int adapt(const struct args *a, struct snd_pool *pool, int argc, char **argv, int n,
                 char **paths, struct snd_err *err)
{
    char *stdin_only[] = {"-"};
    long windows, clips;
    struct snd_model *m = snd_model_load(a->init, a->conf.batch, pool, err);
    if (m == NULL)
        return -1;
    int rc = snd_model_adapt(m, a->init, n > 0 ? n : 1, n > 0 ? paths : stdin_only, a->conf.batch,
                             snd_model_default_hop(m), &windows, &clips, err);
    if (rc == 0) {
        set_provenance(m, argc, argv, m->seed);
        rc = snd_model_save(m, a->output, NULL, NULL, err);
    }
    if (rc == 0 && !a->quiet)
        fprintf(stderr, "%s: %s adapted on %ld windows of %ld clips\n", prog, a->output, windows,
                clips);
    snd_model_free(m);
    return rc;
}

/* The epochs to run: --epochs, --steps in whole epochs, or enough for the default
 * number of steps. Exits 2 when --warmup leaves none after it. */
static void choose_epochs(struct args *a, long n_train)
{
    long per_epoch = n_train > 0 ? (n_train + a->conf.batch - 1) / a->conf.batch : 1;
    if (a->steps > 0) {
        long epochs = (a->steps + per_epoch - 1) / per_epoch;
        a->conf.epochs = (int)(epochs < 100000 ? epochs : 100000);
    } else if (!a->epochs_given) {
        a->conf.epochs = snd_train_auto_epochs(n_train, a->conf.batch);
    }
    if (!a->epochs_given && a->conf.warmup >= a->conf.epochs && a->conf.epochs > 1)
        snd_cli_usage_error(prog, "--warmup %d leaves no epoch after it (%d epochs)",
                            a->conf.warmup, a->conf.epochs);
}

/* SpecAugment's masks, unless told: off when the classes have only a few examples each. */
static void choose_masks(struct args *a, const struct snd_dataset *d)
{
    if (!a->masks_given && snd_dataset_class_median(d) < SND_FEW_EXAMPLES)
        a->conf.masks = 0;
}

/* Say what snd-train chose where the user did not: the window, the validation, the
 * length of training, the masks. */
static void say_choices(const struct run *r)
{
    const struct args *a = r->a;
    const struct snd_dataset *d = &r->data;
    long shortest, median, longest, n_train = snd_dataset_count(d, 0), n_val = snd_dataset_count(d, 1);
    long per_epoch = (n_train + a->conf.batch - 1) / a->conf.batch;
    if (a->quiet)
        return;
    snd_dataset_lengths(d, &shortest, &median, &longest);
    if (!a->window_given && a->init == NULL)
        fprintf(stderr, "%s: window %g s, from the training clips' lengths (median %.2f s, %.2f to %.2f s)\n",
                prog, r->model->window_sec, snd_feat_seconds(&d->feat, median),
                snd_feat_seconds(&d->feat, shortest), snd_feat_seconds(&d->feat, longest));
    if (a->val == NULL && !a->val_split_given && n_val == 0)
        fprintf(stderr,
                "%s: no validation split: no class has more than %d clips to spare one; the "
                "last epoch's weights are kept\n",
                prog, SND_VAL_KEEP);
    else if (a->val == NULL && !a->val_split_given)
        fprintf(stderr,
                "%s: %ld clip%s held out for validation (%g of each class that keeps %d or more)\n",
                prog, n_val, n_val == 1 ? "" : "s", a->val_split, SND_VAL_KEEP);
    if (!a->masks_given && a->conf.masks == 0)
        fprintf(stderr, "%s: no time or frequency masks: the median class has %ld training "
                        "examples, fewer than %d\n",
                prog, snd_dataset_class_median(d), SND_FEW_EXAMPLES);
    if (!a->epochs_given)
        fprintf(stderr, "%s: %d epoch%s of %ld step%s of %d: %ld steps\n", prog, a->conf.epochs,
                a->conf.epochs == 1 ? "" : "s", per_epoch, per_epoch == 1 ? "" : "s", a->conf.batch,
                per_epoch * a->conf.epochs);
}

static void defaults(struct args *a)
{
    memset(a, 0, sizeof *a);
    a->val_split = 0.1;
    a->window = 1.0;
    a->shift_sec = -1;
    a->centre = -1;
    a->threads = snd_pool_cores();
    a->conf.epochs = 30, a->conf.batch = 32, a->conf.warmup = 1, a->conf.cosine = 1;
    a->conf.opt = snd_opt_defaults(SND_OPT_ADAM);
    a->conf.seed = 1;
    a->conf.time_mask = 10, a->conf.freq_mask = 8, a->conf.masks = 2;
    a->conf.mixup = 0.2;
    a->conf.ema = 0.998;
    a->conf.stretch = 0.1, a->conf.pitch = 1.0;
}

int main(int argc, char **argv)
{
    struct args a;
    struct run r;
    struct snd_err err = {0};
    struct timespec t0, t1;
    int i, status = SND_EXIT_FAILURE;

    snd_blas_tune(argv);
    snd_cli_init();
    defaults(&a);
    i = parse_args(argc, argv, &a);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(&r, 0, sizeof r);
    r.a = &a;
    snprintf(r.ckpt, sizeof r.ckpt, "%s.ckpt", a.output);
    if ((r.pool = snd_pool_new(a.threads, &err)) == NULL)
        goto done;
    if (a.adapt) {
        if (adapt(&a, r.pool, argc, argv, argc - i, argv + i, &err) == 0)
            status = SND_EXIT_OK;
        goto done;
    }
    if (load_data(&r, argc - i, argv + i, &err) || make_model(&r, &err) != 0)
        goto done;
    choose_epochs(&a, snd_dataset_count(&r.data, 0));
    choose_masks(&a, &r.data);
    say_choices(&r);
    a.conf.shift = a.shift_sec < 0 ? -1 : (int)snd_feat_frame_at(&r.data.feat, a.shift_sec);
    a.conf.pad = (int)snd_feat_frame_at(&r.data.feat, a.pad_sec);
    set_provenance(r.model, argc, argv, a.conf.seed);
    make_fingerprint(&r, argc - i, argv + i);
    if ((r.trainer = snd_trainer_new(r.model, &r.data, &a.conf, &err)) == NULL)
        goto done;
    if (!a.quiet)
        fprintf(stderr, "%s: %ld training and %ld validation examples, %d classes, %d x %d input\n",
                prog, snd_trainer_n_train(r.trainer), r.data.n_ex - snd_trainer_n_train(r.trainer),
                r.model->n_classes, r.model->window_frames, r.data.feat.n_mels);
    if (train(&r, &err) != 0)
        goto done;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (finish(&r, (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
               &err) != 0)
        goto done;
    status = SND_EXIT_OK;
done:
    if (status != SND_EXIT_OK)
        snd_cli_fail(prog, &err);
    snd_trainer_free(r.trainer);
    snd_model_free(r.model);
    snd_dataset_free(&r.data);
    snd_labels_free(r.labels);
    snd_pool_free(r.pool);
    return snd_cli_finish(prog, status);
}
