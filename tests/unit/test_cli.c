/* test_cli: durations and numbers as every binary parses them. */
#include "cli.h"
#include "harness.h"

static double dur_ok(const char *s)
{
    struct snd_err err = {0};
    double v = -1;

    CHECK(snd_parse_dur(s, &v, &err) == 0);
    return v;
}

static int dur_bad(const char *s)
{
    struct snd_err err = {0};
    double v;

    return snd_parse_dur(s, &v, &err) == -1 && err.msg[0] != '\0';
}

static void durations_with_units(void)
{
    CHECK_NEAR(dur_ok("3s"), 3.0, 0);
    CHECK_NEAR(dur_ok("250ms"), 0.25, 1e-15);
    CHECK_NEAR(dur_ok("10m"), 600.0, 0);
    CHECK_NEAR(dur_ok("2min"), 120.0, 0);
    CHECK_NEAR(dur_ok("1h"), 3600.0, 0);
    CHECK_NEAR(dur_ok("1.5"), 1.5, 0);
    CHECK_NEAR(dur_ok(".5s"), 0.5, 0);
    CHECK_NEAR(dur_ok("0"), 0.0, 0);
    CHECK_NEAR(dur_ok("1e-3s"), 0.001, 1e-18);
}

static void durations_refused(void)
{
    CHECK(dur_bad(""));
    CHECK(dur_bad("s"));
    CHECK(dur_bad("-1s"));
    CHECK(dur_bad("+1s"));
    CHECK(dur_bad(" 1s"));
    CHECK(dur_bad("1 s"));
    CHECK(dur_bad("3sec"));
    CHECK(dur_bad("3S"));
    CHECK(dur_bad("1.5.2"));
    CHECK(dur_bad("nan"));
    CHECK(dur_bad("inf"));
    CHECK(dur_bad("1e999"));
    CHECK(dur_bad("1e308h")); /* finite number, infinite once scaled */
    CHECK(dur_bad("0x10"));
    CHECK(dur_bad("10ms "));
}

static void doubles_in_range(void)
{
    struct snd_err err = {0};
    double v = 0;

    CHECK(snd_parse_double("-40", -150, 0, &v, &err) == 0);
    CHECK_NEAR(v, -40, 0);
    CHECK(snd_parse_double("10", -150, 0, &v, &err) == -1);
    CHECK(snd_parse_double("-40dB", -150, 0, &v, &err) == -1);
    CHECK(snd_parse_double("", -150, 0, &v, &err) == -1);
    CHECK(snd_parse_double("nan", -1e9, 1e9, &v, &err) == -1);
    CHECK(snd_parse_double("1e400", -1e300, 1e300, &v, &err) == -1);
    CHECK(snd_parse_double("0x10", -1e9, 1e9, &v, &err) == -1);
}

static void longs_in_range(void)
{
    struct snd_err err = {0};
    long v = 0;

    CHECK(snd_parse_long("16000", 1000, 768000, &v, &err) == 0);
    CHECK(v == 16000);
    CHECK(snd_parse_long("999", 1000, 768000, &v, &err) == -1);
    CHECK(snd_parse_long("16k", 1000, 768000, &v, &err) == -1);
    CHECK(snd_parse_long("1.5", 0, 10, &v, &err) == -1);
    CHECK(snd_parse_long("99999999999999999999999", 0, 10, &v, &err) == -1);
    CHECK(snd_parse_long("", 0, 10, &v, &err) == -1);
    CHECK(snd_parse_long(" 1", 0, 10, &v, &err) == -1);
}

int main(void)
{
    RUN(durations_with_units);
    RUN(durations_refused);
    RUN(doubles_in_range);
    RUN(longs_in_range);
    return HARNESS_STATUS();
}
