/* test_events: event- and segment-based scores on hand-made cases, collars at their edges. */
#include "events.h"
#include "harness.h"

static struct snd_event_scores score(const struct snd_event *ref, long n_ref,
                                     const struct snd_event *sys, long n_sys)
{
    struct snd_event_opts o = SND_EVENT_OPTS_DEFAULT;
    struct snd_event_scores s;
    struct snd_err err = {0};

    CHECK(snd_event_scores_compute(&s, ref, n_ref, sys, n_sys, 2, 2, &o, &err) == 0);
    return s;
}

/* The matches of one reference against one estimate. */
static long tp_of(const struct snd_event *ref, const struct snd_event *sys)
{
    struct snd_event_scores s = score(ref, 1, sys, 1);
    long tp = s.tp;

    snd_event_scores_free(&s);
    return tp;
}

static void collars_at_their_edges(void)
{
    /* A 1 s reference: onset collar 200 ms; offset collar max(200 ms, 20% of 1 s). */
    struct snd_event ref[1] = {{0, 0, 1.0, 2.0}};
    struct snd_event in_onset[1] = {{0, 0, 1.2, 2.0}}, out_onset[1] = {{0, 0, 1.2001, 2.0}};
    struct snd_event in_offset[1] = {{0, 0, 1.0, 2.2}}, out_offset[1] = {{0, 0, 1.0, 2.2001}};
    struct snd_event other_label[1] = {{0, 1, 1.0, 2.0}}, other_file[1] = {{1, 0, 1.0, 2.0}};

    CHECK(tp_of(ref, in_onset) == 1);
    CHECK(tp_of(ref, out_onset) == 0);
    CHECK(tp_of(ref, in_offset) == 1);
    CHECK(tp_of(ref, out_offset) == 0);
    CHECK(tp_of(ref, other_label) == 0);
    CHECK(tp_of(ref, other_file) == 0);
}

static void long_event_offset_collar_is_a_fifth(void)
{
    /* A 5 s reference: the offset collar is 20% of 5 s = 1 s. */
    struct snd_event ref[1] = {{0, 0, 0.0, 5.0}};
    struct snd_event in[1] = {{0, 0, 0.1, 6.0}}, out[1] = {{0, 0, 0.1, 6.01}};

    CHECK(tp_of(ref, in) == 1);
    CHECK(tp_of(ref, out) == 0);
}

static void matching_is_maximum(void)
{
    /* Greedy matching of ref 0 to sys 0 would leave ref 1 unmatched; the maximum
     * matching pairs both. */
    struct snd_event ref[2] = {{0, 0, 1.0, 2.0}, {0, 0, 1.3, 2.3}};
    struct snd_event sys[2] = {{0, 0, 1.15, 2.15}, {0, 0, 0.9, 1.9}};
    struct snd_event_scores s = score(ref, 2, sys, 2);

    CHECK(s.tp == 2);
    CHECK_NEAR(s.f1, 1.0, 0);
    snd_event_scores_free(&s);
}

static void scores_and_segments(void)
{
    /* Two references, three estimates, one match: P 1/3, R 1/2, F 0.4. */
    struct snd_event ref[2] = {{0, 0, 0.5, 1.5}, {0, 1, 3.0, 3.5}};
    struct snd_event sys[3] = {{0, 0, 0.6, 1.4}, {0, 1, 5.0, 5.5}, {0, 0, 2.0, 2.5}};
    struct snd_event_scores s = score(ref, 2, sys, 3);

    CHECK(s.tp == 1 && s.n_ref == 2 && s.n_sys == 3);
    CHECK_NEAR(s.precision, 1.0 / 3, 1e-15);
    CHECK_NEAR(s.recall, 0.5, 1e-15);
    CHECK_NEAR(s.f1, 0.4, 1e-15);
    CHECK(s.per_class[0].tp == 1 && s.per_class[1].tp == 0);
    /* Segments of 1 s over 6 s. Class 0: ref in 0 and 1; sys in 0, 1 and 2. Class 1: ref
     * in 3; sys in 5. TP 2, FP 2, FN 1. */
    CHECK(s.seg_tp == 2 && s.seg_fp == 2 && s.seg_fn == 1);
    CHECK_NEAR(s.seg_f1, 2.0 * 0.5 * (2.0 / 3) / (0.5 + 2.0 / 3), 1e-15);
    snd_event_scores_free(&s);
}

int main(void)
{
    RUN(collars_at_their_edges);
    RUN(long_event_offset_collar_is_a_fifth);
    RUN(matching_is_maximum);
    RUN(scores_and_segments);
    return HARNESS_STATUS();
}
