/* test_strset: the string set. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "strset.h"

static void adds_and_finds(void)
{
    struct snd_strset *set = snd_strset_new();
    char name[32];
    int i, fresh = 0;

    for (i = 0; i < 10000; i++) {
        snprintf(name, sizeof name, "clip_%d.wav", i % 7000);
        fresh += snd_strset_add(set, name);
    }
    CHECK(fresh == 7000);
    CHECK(snd_strset_count(set) == 7000);
    CHECK(snd_strset_has(set, "clip_6999.wav"));
    CHECK(snd_strset_index(set, "clip_0.wav") == 0);
    CHECK(snd_strset_index(set, "clip_6999.wav") == 6999);
    CHECK(snd_strset_index(set, "nope") == -1);
    CHECK(strcmp(snd_strset_at(set, 6999), "clip_6999.wav") == 0);
    CHECK(snd_strset_at(set, 7000) == NULL);
    CHECK(!snd_strset_has(set, "clip_7000.wav"));
    CHECK(snd_strset_add(set, "") == 1);
    CHECK(snd_strset_add(set, "") == 0);
    snd_strset_free(set);
    snd_strset_free(NULL);
}

int main(void)
{
    RUN(adds_and_finds);
    return HARNESS_STATUS();
}
