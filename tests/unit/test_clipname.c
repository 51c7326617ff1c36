/* test_clipname: output name templates. */
#include <string.h>

#include "clipname.h"
#include "harness.h"

static const char *expand(const char *tmpl, long n, double start)
{
    static char out[256];
    static struct snd_err err;

    if (snd_clipname_expand(tmpl, "talk", n, start, out, sizeof out, &err) != 0)
        return err.msg;
    return out;
}

static void fields_expand(void)
{
    CHECK(strcmp(expand("c/{base}_{n}.wav", 7, 0), "c/talk_7.wav") == 0);
    CHECK(strcmp(expand("{base}-{n:3}.flac", 7, 0), "talk-007.flac") == 0);
    CHECK(strcmp(expand("{base}@{start}.wav", 0, 12.3456), "talk@12.346.wav") == 0);
    CHECK(strcmp(expand("{{x}}{n}.wav", 1, 0), "{x}1.wav") == 0);
}

static void bad_templates_refused(void)
{
    struct snd_err err = {0};
    struct snd_clipname_fields f;

    CHECK(snd_clipname_check("{base}_{n}.wav", &f, &err) == 0);
    CHECK(f.base && f.index && !f.start);
    CHECK(snd_clipname_check("{bse}.wav", &f, &err) == -1);
    CHECK(strstr(err.msg, "unknown field") != NULL);
    CHECK(snd_clipname_check("{n:0}.wav", &f, &err) == -1);
    CHECK(snd_clipname_check("{n.wav", &f, &err) == -1);
    CHECK(snd_clipname_check("n}.wav", &f, &err) == -1);
}

static void name_too_long_refused(void)
{
    char out[8];
    struct snd_err err = {0};

    CHECK(snd_clipname_expand("{base}_{n}.wav", "talk", 1, 0, out, sizeof out, &err) == -1);
}

static void base_of_a_path(void)
{
    char b[64];

    CHECK(strcmp(snd_clipname_base("a/b/7_theo_3.flac", b, sizeof b), "7_theo_3") == 0);
    CHECK(strcmp(snd_clipname_base("noext", b, sizeof b), "noext") == 0);
    CHECK(strcmp(snd_clipname_base("d.x/.hidden", b, sizeof b), ".hidden") == 0);
    CHECK(strcmp(snd_clipname_base("stdin", b, sizeof b), "stdin") == 0);
}

int main(void)
{
    RUN(fields_expand);
    RUN(bad_templates_refused);
    RUN(name_too_long_refused);
    RUN(base_of_a_path);
    return HARNESS_STATUS();
}
