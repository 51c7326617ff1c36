/* test_eval: snd-eval's metrics against scikit-learn's values (../shared/ref/metrics),
 * to 1e-9, and the ways a table can be wrong. */
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "harness.h"
#include "metrics.h"

#define TOL 1e-9

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    s = calloc(1, (size_t)n + 1);
    if (s != NULL && fread(s, 1, (size_t)n, f) != (size_t)n)
        s[0] = '\0';
    fclose(f);
    return s;
}

/* The number at a key path ("per_class/cat/precision") of a JSON text: each key is
 * searched for after the previous one, enough for the reference files' plain layout. */
static double json_at(const char *json, const char *path)
{
    char key[128], copy[256];
    const char *p = json;
    char *part, *save = NULL;

    snprintf(copy, sizeof copy, "%s", path);
    for (part = strtok_r(copy, "/", &save); part != NULL; part = strtok_r(NULL, "/", &save)) {
        snprintf(key, sizeof key, "\"%s\"", part);
        p = strstr(p, key);
        if (p == NULL)
            return NAN;
        p += strlen(key);
    }
    p = strchr(p, ':');
    return p ? strtod(p + 1, NULL) : NAN;
}

static const char *ref(const char *name)
{
    static char p[4][512];
    static int k;
    const char *shared = getenv("SND_SHARED");

    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/ref/metrics/%s", shared ? shared : "../../../shared", name);
    return p[k];
}

static void multiclass_matches_sklearn(void)
{
    struct snd_eval_opts o = SND_EVAL_OPTS_DEFAULT;
    struct snd_eval ev;
    struct snd_err err = {0};
    char *json = slurp(ref("multiclass_expected.json")), *paths[1], key[128];
    const struct snd_multiclass *m = &ev.mc;
    int c, k, row[4][4];

    CHECK(json != NULL);
    o.truth_path = ref("multiclass_truth.tsv");
    paths[0] = (char *)ref("multiclass_pred.tsv");
    CHECK(snd_eval_run(&o, 1, paths, &ev, &err) == 0);
    if (err.msg[0]) {
        printf("    %s\n", err.msg);
        free(json);
        return;
    }
    CHECK(!ev.multilabel && ev.n_classes == 4 && strcmp(ev.classes[3], "siren") == 0);
    CHECK(m->n == (long)json_at(json, "n"));
    CHECK_NEAR(m->accuracy, json_at(json, "accuracy"), TOL);
    CHECK_NEAR(m->balanced_accuracy, json_at(json, "balanced_accuracy"), TOL);
    for (c = 0; c < 4; c++) {
        const struct snd_class_scores *s = &m->per_class[c];
        snprintf(key, sizeof key, "per_class/%s/precision", ev.classes[c]);
        CHECK_NEAR(s->precision, json_at(json, key), TOL);
        snprintf(key, sizeof key, "per_class/%s/recall", ev.classes[c]);
        CHECK_NEAR(s->recall, json_at(json, key), TOL);
        snprintf(key, sizeof key, "per_class/%s/f1", ev.classes[c]);
        CHECK_NEAR(s->f1, json_at(json, key), TOL);
        snprintf(key, sizeof key, "per_class/%s/support", ev.classes[c]);
        CHECK(s->support == (long)json_at(json, key));
    }
    CHECK_NEAR(m->macro_p, json_at(json, "macro/precision"), TOL);
    CHECK_NEAR(m->macro_r, json_at(json, "macro/recall"), TOL);
    CHECK_NEAR(m->macro_f1, json_at(json, "macro/f1"), TOL);
    CHECK_NEAR(m->micro_f1, json_at(json, "micro/f1"), TOL);
    CHECK_NEAR(m->weighted_p, json_at(json, "weighted/precision"), TOL);
    CHECK_NEAR(m->weighted_r, json_at(json, "weighted/recall"), TOL);
    CHECK_NEAR(m->weighted_f1, json_at(json, "weighted/f1"), TOL);
    {
        const char *p = strstr(json, "confusion_matrix_rows_truth_cols_pred");
        for (c = 0; p != NULL && c < 4; c++)
            for (k = 0; k < 4; k++) {
                p += strcspn(p, "0123456789");
                row[c][k] = (int)strtol(p, (char **)&p, 10);
                CHECK(m->confusion[c * 4 + k] == row[c][k]);
            }
    }
    CHECK_NEAR(m->top_k_accuracy, json_at(json, "top_2_accuracy"), TOL);
    CHECK_NEAR(m->log_loss, json_at(json, "log_loss"), TOL);
    CHECK_NEAR(m->roc_auc_ovr_macro, json_at(json, "roc_auc_ovr_macro"), TOL);
    snd_eval_free(&ev);
    free(json);
}

static void multilabel_matches_sklearn(void)
{
    struct snd_eval_opts o = SND_EVAL_OPTS_DEFAULT;
    struct snd_eval ev;
    struct snd_err err = {0};
    char *json = slurp(ref("multilabel_expected.json")), *paths[1], key[128];
    const struct snd_multilabel *m = &ev.ml;
    int t;

    o.truth_path = ref("multilabel_truth.tsv");
    paths[0] = (char *)ref("multilabel_pred.tsv");
    CHECK(snd_eval_run(&o, 1, paths, &ev, &err) == 0);
    if (err.msg[0]) {
        printf("    %s\n", err.msg);
        free(json);
        return;
    }
    CHECK(ev.multilabel && ev.n_classes == 5);
    CHECK_NEAR(m->roc_auc_macro, json_at(json, "roc_auc_macro"), TOL);
    CHECK_NEAR(m->roc_auc_micro, json_at(json, "roc_auc_micro"), TOL);
    CHECK_NEAR(m->pr_auc_macro, json_at(json, "pr_auc_macro"), TOL);
    CHECK_NEAR(m->pr_auc_micro, json_at(json, "pr_auc_micro"), TOL);
    for (t = 0; t < 5; t++) {
        snprintf(key, sizeof key, "per_tag/%s/roc_auc", ev.classes[t]);
        CHECK_NEAR(m->per_tag[t].roc_auc, json_at(json, key), TOL);
        snprintf(key, sizeof key, "per_tag/%s/pr_auc", ev.classes[t]);
        CHECK_NEAR(m->per_tag[t].pr_auc, json_at(json, key), TOL);
    }
    CHECK_NEAR(m->subset_accuracy, json_at(json, "at_threshold_0.5/subset_accuracy"), TOL);
    CHECK_NEAR(m->hamming_loss, json_at(json, "at_threshold_0.5/hamming_loss"), TOL);
    CHECK_NEAR(m->f1_micro, json_at(json, "at_threshold_0.5/f1_micro"), TOL);
    CHECK_NEAR(m->f1_macro, json_at(json, "at_threshold_0.5/f1_macro"), TOL);
    CHECK_NEAR(m->precision_micro, json_at(json, "at_threshold_0.5/precision_micro"), TOL);
    CHECK_NEAR(m->recall_micro, json_at(json, "at_threshold_0.5/recall_micro"), TOL);
    snd_eval_free(&ev);
    /* Decisions from the p: columns at 0.5 are the label column's. */
    o.threshold = 0.5;
    CHECK(snd_eval_run(&o, 1, paths, &ev, &err) == 0);
    CHECK_NEAR(ev.ml.f1_micro, json_at(json, "at_threshold_0.5/f1_micro"), TOL);
    snd_eval_free(&ev);
    free(json);
}

/* Hand-made cases whose answers are known: ties in scores count a half. */
static void ties_count_half(void)
{
    double s[4] = {0.5, 0.5, 0.5, 0.5}, auc = 0, ap = 0;
    unsigned char y[4] = {1, 0, 1, 0};
    double s2[4] = {0.9, 0.5, 0.5, 0.1};
    unsigned char y2[4] = {1, 1, 0, 0};

    CHECK(snd_roc_auc(s, y, 4, 1, &auc) == 0);
    CHECK_NEAR(auc, 0.5, 0);
    CHECK(snd_average_precision(s, y, 4, 1, &ap) == 0);
    CHECK_NEAR(ap, 0.5, 0);
    CHECK(snd_roc_auc(s2, y2, 4, 1, &auc) == 0);
    CHECK_NEAR(auc, 0.875, 1e-15); /* (1 + 0.75 + ... ): 3.5 of 4 pairs */
    CHECK(snd_average_precision(s2, y2, 4, 1, &ap) == 0);
    CHECK_NEAR(ap, 0.5 * 1.0 + 0.5 * (2.0 / 3.0), 1e-15);
    y[0] = y[2] = 0;
    CHECK(snd_roc_auc(s, y, 4, 1, &auc) == -1); /* one class only */
}

/* Write text to a file in the test directory and return its path. */
static char *table(const char *name, const char *text)
{
    const char *p = path_in(name);
    FILE *f = fopen(p, "w");

    fputs(text, f);
    fclose(f);
    return (char *)p;
}

static const char *run_error(const char *truth, const char *pred, int allow_missing)
{
    static struct snd_err err;
    struct snd_eval_opts o = SND_EVAL_OPTS_DEFAULT;
    struct snd_eval ev;
    char *paths[1];

    o.truth_path = table("t.tsv", truth);
    paths[0] = table("p.tsv", pred);
    o.allow_missing = allow_missing;
    memset(&err, 0, sizeof err);
    if (snd_eval_run(&o, 1, paths, &ev, &err) == 0) {
        snd_eval_free(&ev);
        return "";
    }
    return err.msg;
}

static void bad_tables_refused(void)
{
    const char *truth = "id\tlabel\na\tdog\nb\tcat\n";

    CHECK(strcmp(run_error(truth, "id\tlabel\tp:cat\tp:dog\na\tdog\t0.2\t0.8\nb\tcat\t0.6\t0.4\n",
                           0),
                 "") == 0);
    CHECK(strstr(run_error(truth, "id\tlabel\tp:cat\tp:dog\na\tdog\t0.2\tx\nb\tcat\t.6\t.4\n", 0),
                 "p.tsv:2: column p:dog: invalid number 'x'") != NULL);
    CHECK(strstr(run_error(truth, "id\tlabel\tp:cat\tp:dog\na\tdog\t0.2\t1.8\nb\tcat\t.6\t.4\n", 0),
                 "p.tsv:2: column p:dog: 1.8 is outside [0, 1]") != NULL);
    CHECK(strstr(run_error(truth, "id\tlabel\tp:cow\na\tdog\t0.2\nb\tcat\t.6\n", 0),
                 "column p:cow names no class") != NULL);
    CHECK(strstr(run_error(truth, "id\tlabel\na\tdog\na\tcat\n", 0),
                 "p.tsv:3: id 'a' appears twice") != NULL);
    CHECK(strstr(run_error("id\tlabel\na\tdog\na\tcat\n", "id\tlabel\na\tdog\n", 0),
                 "t.tsv:3: id 'a' appears twice") != NULL);
    CHECK(strstr(run_error(truth, "id\tlabel\na\tdog\nc\tcat\n", 0),
                 "b: 1 without a prediction; c: 1 without truth") != NULL);
    CHECK(strcmp(run_error(truth, "id\tlabel\na\tdog\nc\tcat\n", 1), "") == 0);
    CHECK(strstr(run_error(truth, "id\tclass\na\tdog\n", 0), "no column 'label'") != NULL);
    CHECK(strstr(run_error(truth, "id\tlabel\tprob\na\tdog\t-0.1\nb\tcat\t1\n", 0),
                 "column prob: -0.1 is outside [0, 1]") != NULL);
}

int main(void)
{
    RUN(multiclass_matches_sklearn);
    RUN(multilabel_matches_sklearn);
    RUN(ties_count_half);
    RUN(bad_tables_refused);
    harness_dir_remove();
    return HARNESS_STATUS();
}
