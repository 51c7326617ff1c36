/* test_tag: thresholds, top-k and the event machine on hand-made windows, each option at
 * its edge, and the errors of bad tables. */
#include "harness.h"
#include "labelout.h"
#include "tag.h"

/* What the tagger decided, one "label start end prob" a line. */
static char got[4096];

static int record(void *ctx, const struct snd_tag_event *ev, struct snd_err *err)
{
    size_t n = strlen(got);

    (void)ctx;
    (void)err;
    snprintf(got + n, sizeof got - n, "%s %s %g %g %g\n", ev->id, ev->label, ev->start_sec,
             ev->end_sec, ev->prob);
    return 0;
}

/* Run table text through a tagger with options o; returns snd_tag_read's result, the
 * decisions in got and any message in err. */
static int run(const struct snd_tag_opts *o, const char *table, struct snd_err *err)
{
    struct snd_tagger *t = snd_tagger_new(o, record, NULL, err);
    FILE *f = fmemopen((void *)table, strlen(table), "r");
    int r;

    got[0] = '\0';
    err->msg[0] = '\0';
    r = snd_tag_read(t, f, "in.tsv", err);
    fclose(f);
    snd_tagger_free(t);
    return r;
}

/* Decisions for table under o, which must be read without error. */
static const char *decide(const struct snd_tag_opts *o, const char *table)
{
    struct snd_err err = {0};

    if (run(o, table, &err) != 0)
        printf("    unexpected error: %s\n", err.msg);
    return got;
}

/* The error message for table under o, which must be refused. */
static const char *refuse(const struct snd_tag_opts *o, const char *table)
{
    static struct snd_err err;

    if (run(o, table, &err) == 0)
        return "(accepted)";
    return err.msg;
}

#define HEAD "id\tstart\tend\tlabel\tprob\tp:a\tp:b\n"

/* One class "a" over windows of 1 s every 0.5 s, scores given in order. */
static const char *windows_a(const double *p, int n)
{
    static char buf[4096];
    size_t k = 0;
    int i;

    k += (size_t)snprintf(buf, sizeof buf, "id\tstart\tend\tp:a\n");
    for (i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "x\t%g\t%g\t%g\n", i * 0.5, i * 0.5 + 1,
                              p[i]);
    return buf;
}

static void threshold_is_at_or_above(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;

    CHECK(strcmp(decide(&o, HEAD "x\t0\t1\ta\t0.5\t0.5\t0.49\n"), "x a 0 1 0.5\n") == 0);
    o.threshold = 0.49;
    CHECK(strcmp(decide(&o, HEAD "x\t0\t1\ta\t0.5\t0.5\t0.49\n"), "x a 0 1 0.5\nx b 0 1 0.49\n") ==
          0);
    o.threshold = 0.51;
    CHECK(strcmp(decide(&o, HEAD "x\t0\t1\ta\t0.5\t0.5\t0.49\n"), "") == 0);
}

static void tags_best_first_and_top_k(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    const char *row = HEAD "x\t0\t1\tb\t0.9\t0.6\t0.9\n";

    CHECK(strcmp(decide(&o, row), "x b 0 1 0.9\nx a 0 1 0.6\n") == 0);
    o.top_k = 1;
    CHECK(strcmp(decide(&o, row), "x b 0 1 0.9\n") == 0);
    /* A tie goes to the earlier column. */
    CHECK(strcmp(decide(&o, HEAD "x\t0\t1\ta\t0.7\t0.7\t0.7\n"), "x a 0 1 0.7\n") == 0);
    /* Top-k together with the threshold: the best class, but only at or above 0.95. */
    o.threshold = 0.95;
    CHECK(strcmp(decide(&o, row), "") == 0);
    /* Top-k alone (threshold 0): always k tags. */
    o.threshold = 0;
    o.top_k = 2;
    CHECK(strcmp(decide(&o, HEAD "x\t0\t1\ta\t0.1\t0.1\t0.05\n"), "x a 0 1 0.1\nx b 0 1 0.05\n") ==
          0);
}

static void labels_and_per_class_thresholds(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    char *only_a[] = {"a"};
    struct snd_tag_threshold thr[] = {{"b", 0.95, 2}};
    const char *row = HEAD "x\t0\t1\tb\t0.9\t0.6\t0.9\n";

    o.labels = only_a;
    o.n_labels = 1;
    CHECK(strcmp(decide(&o, row), "x a 0 1 0.6\n") == 0);
    o.n_labels = 0;
    o.thresholds = thr;
    o.n_thresholds = 1;
    o.thresholds_path = "t.tsv";
    CHECK(strcmp(decide(&o, row), "x a 0 1 0.6\n") == 0);
    thr[0].threshold = 0.9;
    CHECK(strcmp(decide(&o, row), "x b 0 1 0.9\nx a 0 1 0.6\n") == 0);
    /* A class of the thresholds or of --labels must have a p: column. */
    thr[0].label = "c";
    CHECK(strcmp(refuse(&o, row), "t.tsv:2: class 'c' has no p: column in in.tsv") == 0);
    o.n_thresholds = 0;
    only_a[0] = "z";
    o.n_labels = 1;
    CHECK(strcmp(refuse(&o, row), "--labels: class 'z' has no p: column in in.tsv") == 0);
}

static void without_p_columns_the_label_column(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    const char *t = "id\tstart\tend\tlabel\tprob\nx\t0\t1\tdog\t0.8\nx\t1\t2\tcat,dog\t0.6\n"
                    "x\t2\t3\tcat\t0.2\nx\t3\t4\t\t0.9\n";

    CHECK(strcmp(decide(&o, t), "x dog 0 1 0.8\nx dog 1 2 0.6\nx cat 1 2 0.6\n") == 0);
    o.events = 1;
    CHECK(strcmp(decide(&o, t), "x cat 1 2 0.6\nx dog 0 2 0.8\n") == 0 ||
          strcmp(decide(&o, t), "x dog 0 2 0.8\nx cat 1 2 0.6\n") == 0);
    CHECK(strstr(refuse(&o, "id\tstart\tend\tlabel\nx\t0\t1\tdog\n"), "no column 'prob'") != NULL);
}

static void events_merge_windows(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    const double p[] = {0.1, 0.6, 0.9, 0.7, 0.2, 0.1};

    o.events = 1;
    /* Windows 0.5-1.5, 1-2 and 1.5-2.5 are on: one event, the highest score. Window 0-1
     * did not hear it and 2-3 did not: the sound lies between 1 and 2. */
    CHECK(strcmp(decide(&o, windows_a(p, 6)), "x a 1 2 0.9\n") == 0);
}

static void events_at_stream_start_and_end(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    const double p[] = {0.9, 0.1, 0.1, 0.1, 0.8};
    const double one[] = {0.5};

    o.events = 1;
    /* The first window: the sound may begin with the stream, and it ends before 0.5, where
     * the next window does not hear it. The last: it begins after 2.5, where the window
     * before ends, and may last to the stream's end. */
    CHECK(strcmp(decide(&o, windows_a(p, 5)), "x a 0 0.5 0.9\nx a 2.5 3 0.8\n") == 0);
    CHECK(strcmp(decide(&o, windows_a(one, 1)), "x a 0 1 0.5\n") == 0);
    CHECK(strcmp(decide(&o, "id\tstart\tend\tp:a\n"), "") == 0);
}

static void hysteresis(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    const double p[] = {0.5, 0.7, 0.4, 0.3, 0.29, 0.69, 0.1};

    o.events = 1;
    o.on = 0.7;
    o.off = 0.3;
    /* Opens at 0.7 (window 0.5-1.5, not at 0.5), stays open down to 0.3 (1.5-2.5), closes at
     * 0.29; 0.69 cannot reopen. */
    CHECK(strcmp(decide(&o, windows_a(p, 7)), "x a 1 2 0.7\n") == 0);
    o.off = -1; /* off defaults to on: one window, 0.5-1.5, whose neighbours do not hear
                   it: the hop around its middle */
    CHECK(strcmp(decide(&o, windows_a(p, 7)), "x a 0.75 1.25 0.7\n") == 0);
}

static void median_filter(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    const double spike[] = {0.1, 0.9, 0.1, 0.1};
    const double dropout[] = {0.9, 0.9, 0.1, 0.9, 0.9};
    const double at_edges[] = {0.9, 0.9, 0.1};

    o.events = 1;
    o.median = 3;
    CHECK(strcmp(decide(&o, windows_a(spike, 4)), "") == 0);
    CHECK(strcmp(decide(&o, windows_a(dropout, 5)), "x a 0 3 0.9\n") == 0);
    /* At the ends the window is clipped: the first window's median is of 0.9 and 0.9, the
     * last's of 0.9 and 0.1, the lower of the two middle values, 0.1, which is off. */
    CHECK(strcmp(decide(&o, windows_a(at_edges, 3)), "x a 0 1 0.9\n") == 0);
}

static void min_duration_edge(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    const double p[] = {0.1, 0.9, 0.9, 0.1, 0.1, 0.1}; /* windows 0.5-2: an event 1-1.5 */

    o.events = 1;
    o.min_duration_sec = 0.5;
    CHECK(strcmp(decide(&o, windows_a(p, 6)), "x a 1 1.5 0.9\n") == 0);
    o.min_duration_sec = 0.5001;
    CHECK(strcmp(decide(&o, windows_a(p, 6)), "") == 0);
}

static void min_gap_edge(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    /* Windows of 1 s every 1 s: events 0-1 and 2-3, a gap of 1 s. */
    const char *t = "id\tstart\tend\tp:a\nx\t0\t1\t0.9\nx\t1\t2\t0.1\nx\t2\t3\t0.9\nx\t3\t4\t0\n";

    o.events = 1;
    CHECK(strcmp(decide(&o, t), "x a 0 1 0.9\nx a 2 3 0.9\n") == 0);
    o.min_gap_sec = 1.0; /* not shorter than the gap: kept apart */
    CHECK(strcmp(decide(&o, t), "x a 0 1 0.9\nx a 2 3 0.9\n") == 0);
    o.min_gap_sec = 1.0001;
    CHECK(strcmp(decide(&o, t), "x a 0 3 0.9\n") == 0);
}

static void overlapping_windows_never_make_overlapping_events(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    /* 1 s windows every 0.25 s, one below threshold between two above it: the first hears
     * a sound that ends before 0.25, the third one that begins after 1.25. */
    const char *t = "id\tstart\tend\tp:a\nx\t0\t1\t0.9\nx\t0.25\t1.25\t0.1\nx\t0.5\t1.5\t0.8\n";

    o.events = 1;
    CHECK(strcmp(decide(&o, t), "x a 0 0.25 0.9\nx a 1.25 1.5 0.8\n") == 0);
    o.min_gap_sec = 1.0001; /* bridged: one event */
    CHECK(strcmp(decide(&o, t), "x a 0 1.5 0.9\n") == 0);
}

static void cooldown_edge(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    /* Events 0-1, 2-3, 4-5 and 7-8 (windows of 1 s every 1 s). */
    const char *t = "id\tstart\tend\tp:a\nx\t0\t1\t0.9\nx\t1\t2\t0\nx\t2\t3\t0.8\nx\t3\t4\t0\n"
                    "x\t4\t5\t0.7\nx\t5\t6\t0\nx\t6\t7\t0\nx\t7\t8\t0.6\n";

    o.events = 1;
    o.cooldown_sec = 3; /* quiet until 1 + 3 = 4: 2-3 held back, 4-5 reported at the edge */
    CHECK(strcmp(decide(&o, t), "x a 0 1 0.9\nx a 4 5 0.7\n") == 0);
    o.cooldown_sec = 3.0001; /* 4-5 held back too; 7-8 is 6.0001 s after the end of 0-1 */
    CHECK(strcmp(decide(&o, t), "x a 0 1 0.9\nx a 7 8 0.6\n") == 0);
    o.cooldown_sec = 1e6;
    CHECK(strcmp(decide(&o, t), "x a 0 1 0.9\n") == 0);
}

static void new_id_closes_events_and_cooldown(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    const char *t = "id\tstart\tend\tp:a\nx\t0\t1\t0.9\ny\t0\t1\t0.9\ny\t1\t2\t0.9\nx\t5\t6\t0.9\n";

    o.events = 1;
    o.cooldown_sec = 100;
    CHECK(strcmp(decide(&o, t), "x a 0 1 0.9\ny a 0 2 0.9\nx a 5 6 0.9\n") == 0);
}

/* Count decisions as the rows come: an event is reported as soon as it is final. */
static int n_emitted;

static int count(void *ctx, const struct snd_tag_event *ev, struct snd_err *err)
{
    (void)ctx;
    (void)ev;
    (void)err;
    n_emitted++;
    return 0;
}

static void events_are_reported_when_final(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    struct snd_err err = {0};
    struct snd_tagger *t;
    double on = 0.9, off = 0.0;

    o.events = 1;
    o.min_gap_sec = 1.0;
    n_emitted = 0;
    t = snd_tagger_new(&o, count, NULL, &err);
    CHECK(snd_tagger_class(t, "a", &err) == 0);
    CHECK(snd_tagger_row(t, "x", 0, 1, &on, &err) == 0);
    CHECK(snd_tagger_row(t, "x", 0.5, 1.5, &off, &err) == 0);
    CHECK(snd_tagger_row(t, "x", 1, 2, &off, &err) == 0);
    CHECK(n_emitted == 0); /* a window at 1.9 could still bridge the gap */
    CHECK(snd_tagger_row(t, "x", 2, 3, &off, &err) == 0);
    CHECK(n_emitted == 1); /* 2 >= 1 + 1: final */
    CHECK(snd_tagger_row(t, "x", 2.5, 3.5, &on, &err) == 0);
    CHECK(n_emitted == 1);
    CHECK(snd_tagger_flush(t, &err) == 0);
    CHECK(n_emitted == 2);
    snd_tagger_free(t);

    /* With a median of 5, a window is decided two windows later. */
    o.min_gap_sec = 0;
    o.median = 5;
    n_emitted = 0;
    t = snd_tagger_new(&o, count, NULL, &err);
    CHECK(snd_tagger_class(t, "a", &err) == 0);
    for (int i = 0; i < 5; i++)
        CHECK(snd_tagger_row(t, "x", i, i + 1, i < 3 ? &on : &off, &err) == 0);
    CHECK(n_emitted == 0); /* window 2 is decided: median of 0.9 0.9 0.9 0 0, still on */
    CHECK(snd_tagger_row(t, "x", 5, 6, &off, &err) == 0);
    CHECK(n_emitted == 1); /* window 3: median of 0.9 0.9 0 0 0, off; the event 0-3 is final */
    snd_tagger_free(t);
}

static void bad_rows_refused(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;

    CHECK(strcmp(refuse(&o, HEAD "x\t0\t1\ta\t0.5\t0.5\n"),
                 "in.tsv:2: 6 fields, but the header has 7") == 0);
    CHECK(strcmp(refuse(&o, HEAD "x\t0\t1\ta\t0.5\t0.5\t\n"), "in.tsv:2: column p:b is empty") ==
          0);
    CHECK(strstr(refuse(&o, HEAD "x\t0\t1\ta\t0.5\t0.5\tlow\n"),
                 "in.tsv:2: column p:b: invalid number 'low'") != NULL);
    CHECK(strcmp(refuse(&o, HEAD "x\t0\t1\ta\t0.5\t1.01\t0\n"),
                 "in.tsv:2: column p:a: 1.01 is outside [0, 1]") == 0);
    CHECK(strcmp(refuse(&o, HEAD "x\t2\t1\ta\t0.5\t0.5\t0\n"),
                 "in.tsv:2: end 1 is before start 2") == 0);
    CHECK(strcmp(refuse(&o, HEAD "x\t-1\t1\ta\t0.5\t0.5\t0\n"),
                 "in.tsv:2: column start: -1 is negative (seconds from the start)") == 0);
    CHECK(strstr(refuse(&o, HEAD "x\t2\t3\ta\t0.5\t0.5\t0\nx\t1\t2\ta\t0.5\t0.5\t0\n"),
                 "in.tsv:3: start 1 is before the previous window's of id 'x'") != NULL);
    CHECK(strcmp(refuse(&o, "id\tend\tp:a\n"), "in.tsv: no column 'start' in the header") == 0);
    CHECK(strcmp(refuse(&o, "\n"), "in.tsv:1: column 1 of the header has no name") == 0);
    /* Not a byte: no rows, as from a classifier that stopped before its header. */
    CHECK(strcmp(decide(&o, ""), "") == 0);
    /* A previous id coming back is fine: new events. */
    CHECK(strcmp(decide(&o, HEAD "x\t2\t3\ta\t0.5\t0.5\t0\ny\t0\t1\ta\t0.5\t0.5\t0\n"
                                 "x\t0\t1\ta\t0.5\t0.5\t0\n"),
                 "x a 2 3 0.5\ny a 0 1 0.5\nx a 0 1 0.5\n") == 0);
}

static void off_above_on_refused(void)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    struct snd_tag_threshold thr[] = {{"a", 0.2, 2}};

    o.events = 1;
    o.off = 0.3;
    o.thresholds = thr;
    o.n_thresholds = 1;
    CHECK(strstr(refuse(&o, HEAD), "class 'a': --off 0.3 is above its threshold to open, 0.2") !=
          NULL);
}

static void thresholds_table(void)
{
    struct snd_tag_threshold *v = NULL;
    struct snd_err err = {0};
    const char *p = path_in("thr.tsv");
    FILE *f;
    int n;

#define WRITE(text) (f = fopen(p, "w"), fputs(text, f), fclose(f))
    WRITE("label\tthreshold\ndog\t0.3\ncat\t1\n");
    CHECK(snd_tag_thresholds_load(p, &v, &n, &err) == 0 && n == 2);
    CHECK(n == 2 && strcmp(v[1].label, "cat") == 0 && v[1].threshold == 1.0 && v[1].line == 3);
    snd_tag_thresholds_free(v, n);
    WRITE("label\tthreshold\ndog\t1.3\n");
    CHECK(snd_tag_thresholds_load(p, &v, &n, &err) == -1 &&
          strstr(err.msg, "thr.tsv:2: column threshold: 1.3 is outside [0, 1]") != NULL);
    WRITE("label\tthreshold\ndog\t0.3\ndog\t0.4\n");
    CHECK(snd_tag_thresholds_load(p, &v, &n, &err) == -1 &&
          strstr(err.msg, "thr.tsv:3: label 'dog' appears twice") != NULL);
    WRITE("label\tthr\n");
    CHECK(snd_tag_thresholds_load(p, &v, &n, &err) == -1 &&
          strstr(err.msg, "no column 'threshold'") != NULL);
#undef WRITE
}

static int write_event(struct snd_labelout *o, const struct snd_tag_event *ev, struct snd_err *err)
{
    return snd_labelout_row(o, ev->id, ev->start_sec, ev->end_sec, ev->label, ev->prob, NULL, err);
}

static void output_formats(void)
{
    struct snd_tag_event ev = {"rec.wav", "dog", 1.5, 2.25, 0.875};
    struct snd_err err = {0};
    char buf[1024];
    FILE *f;
    struct snd_labelout *o;

    f = fmemopen(buf, sizeof buf, "w");
    o = snd_labelout_new(f, "out", SND_LABELFMT_AUDACITY, NULL, 0, 0, 8000, &err);
    CHECK(o != NULL && write_event(o, &ev, &err) == 0 && snd_labelout_finish(o, &err) == 0);
    fclose(f);
    CHECK(strcmp(buf, "1.500000\t2.250000\tdog\n") == 0);
    f = fmemopen(buf, sizeof buf, "w");
    o = snd_labelout_new(f, "out", SND_LABELFMT_TSV, NULL, 0, 0, 8000, &err);
    CHECK(o != NULL && write_event(o, &ev, &err) == 0 && snd_labelout_finish(o, &err) == 0);
    fclose(f);
    CHECK(strcmp(buf, "id\tstart\tend\tlabel\tprob\nrec.wav\t1.5\t2.25\tdog\t0.875\n") == 0);
    f = fmemopen(buf, sizeof buf, "w");
    o = snd_labelout_new(f, "out", SND_LABELFMT_RAVEN, NULL, 0, 0, 8000, &err);
    CHECK(o != NULL && write_event(o, &ev, &err) == 0 && snd_labelout_finish(o, &err) == 0);
    fclose(f);
    CHECK(strstr(buf, "Selection\tView\tChannel\t") == buf);
    CHECK(strstr(buf, "\n1\tSpectrogram 1\t1\trec.wav\t1.5\t2.25\t0\t8000\tdog\t0.875\n") != NULL);
}

int main(void)
{
    RUN(threshold_is_at_or_above);
    RUN(tags_best_first_and_top_k);
    RUN(labels_and_per_class_thresholds);
    RUN(without_p_columns_the_label_column);
    RUN(events_merge_windows);
    RUN(events_at_stream_start_and_end);
    RUN(hysteresis);
    RUN(median_filter);
    RUN(min_duration_edge);
    RUN(min_gap_edge);
    RUN(overlapping_windows_never_make_overlapping_events);
    RUN(cooldown_edge);
    RUN(new_id_closes_events_and_cooldown);
    RUN(events_are_reported_when_final);
    RUN(bad_rows_refused);
    RUN(off_above_on_refused);
    RUN(thresholds_table);
    RUN(output_formats);
    harness_dir_remove();
    return HARNESS_STATUS();
}
