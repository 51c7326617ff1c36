/* fuzz_tag: the predictions reader and the event machine on arbitrary bytes. The first
 * byte picks the options (tags or events, median, top-k, gap, cooldown, hysteresis), the
 * rest is the table; every decision is checked for sane times and written as TSV. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "labelout.h"
#include "tag.h"

static int check_and_write(void *ctx, const struct snd_tag_event *ev, struct snd_err *err)
{
    assert(ev->start_sec <= ev->end_sec);
    assert(ev->prob >= 0.0 && ev->prob <= 1.0);
    return snd_labelout_row(ctx, ev->id, ev->start_sec, ev->end_sec, ev->label, ev->prob, NULL,
                            err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snd_tag_opts o = SND_TAG_OPTS_DEFAULT;
    struct snd_err err = {0};
    struct snd_tagger *t;
    struct snd_labelout *out;
    FILE *in, *sink;
    uint8_t k;

    if (size < 2)
        return 0;
    k = data[0];
    o.events = k & 1;
    o.median = (k >> 1 & 3) * 2 + 1;
    o.top_k = k >> 3 & 1;
    o.min_gap_sec = (k >> 4 & 1) * 0.75;
    o.cooldown_sec = (k >> 5 & 1) * 2.0;
    o.min_duration_sec = (k >> 6 & 1) * 0.5;
    if (k >> 7) {
        o.on = 0.6;
        o.off = 0.2;
    }
    in = fmemopen((void *)(data + 1), size - 1, "r");
    sink = fopen("/dev/null", "w");
    if (in == NULL || sink == NULL)
        goto out;
    out = snd_labelout_new(sink, "sink", SND_LABELFMT_TSV, NULL, 0, 0, 8000, &err);
    t = out ? snd_tagger_new(&o, check_and_write, out, &err) : NULL;
    if (t != NULL)
        snd_tag_read(t, in, "fuzz", &err);
    snd_tagger_free(t);
    snd_labelout_finish(out, &err);
out:
    if (in != NULL)
        fclose(in);
    if (sink != NULL)
        fclose(sink);
    return 0;
}
