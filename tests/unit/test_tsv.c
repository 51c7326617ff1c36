/* test_tsv: the table reader and writer, edge cases included. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tsv.h"

/* Open text as a table; NULL when the header is refused. */
static struct snd_tsv_reader *open_text(const char *text, FILE **f, struct snd_err *err)
{
    struct snd_tsv_reader *r;

    *f = fmemopen((void *)text, strlen(text), "r");
    r = snd_tsv_open_stream(*f, "t.tsv", err);
    if (r == NULL)
        fclose(*f);
    return r;
}

static void columns_found_by_name(void)
{
    struct snd_err err = {0};
    FILE *f;
    struct snd_tsv_reader *r = open_text("id\tlabel\textra\na.wav\tdog\tx\n", &f, &err);

    CHECK(r != NULL);
    if (r == NULL)
        return;
    CHECK(snd_tsv_ncols(r) == 3);
    CHECK(snd_tsv_col(r, "label") == 1);
    CHECK(snd_tsv_col(r, "missing") == -1);
    CHECK(snd_tsv_require(r, "missing", &err) == -1);
    CHECK(strcmp(err.msg, "t.tsv: no column 'missing' in the header") == 0);
    CHECK(snd_tsv_next(r, &err) == 1);
    CHECK(strcmp(snd_tsv_field(r, 0), "a.wav") == 0);
    CHECK(strcmp(snd_tsv_field(r, 2), "x") == 0);
    CHECK(snd_tsv_next(r, &err) == 0);
    snd_tsv_close(r);
    fclose(f);
}

/* Read every row of text; returns the count, or -1 with err at the first bad one. */
static int count_rows(const char *text, struct snd_err *err)
{
    FILE *f;
    struct snd_tsv_reader *r = open_text(text, &f, err);
    int n = 0, k;

    if (r == NULL)
        return -1;
    while ((k = snd_tsv_next(r, err)) == 1)
        n++;
    snd_tsv_close(r);
    fclose(f);
    return k < 0 ? -1 : n;
}

static void line_endings_and_bom(void)
{
    struct snd_err err = {0};

    CHECK(count_rows("a\tb\r\n1\t2\r\n3\t4", &err) == 2); /* CRLF, no final newline */
    CHECK(count_rows("\xEF\xBB\xBFid\tx\nq\t1\n", &err) == 1);
    CHECK(count_rows("id\n\n", &err) == 1); /* one column: an empty line is an empty field */
    CHECK(count_rows("id\tlabel\na\t\n", &err) == 1); /* an empty field is a field */
}

static void malformed_rows_refused(void)
{
    struct snd_err err = {0};

    CHECK(count_rows("a\tb\n1\t2\t3\n", &err) == -1);
    CHECK(strcmp(err.msg, "t.tsv:2: 3 fields, but the header has 2") == 0);
    CHECK(count_rows("a\tb\n1\n", &err) == -1);
    CHECK(count_rows("a\tb\n1\t2\n\n", &err) == -1);
    CHECK(strstr(err.msg, "t.tsv:3: empty line") != NULL);
    CHECK(count_rows("a\tb\n\xC3\x28\t2\n", &err) == -1);
    CHECK(strstr(err.msg, "invalid UTF-8") != NULL);
}

static void bad_headers_refused(void)
{
    struct snd_err err = {0};

    CHECK(count_rows("", &err) == -1);
    CHECK(strstr(err.msg, "empty table") != NULL);
    CHECK(count_rows("id\t\tx\n", &err) == -1);
    CHECK(count_rows("id\tid\n", &err) == -1);
    CHECK(strstr(err.msg, "'id' appears twice") != NULL);
}

static void nul_byte_refused(void)
{
    struct snd_err err = {0};
    static const char text[] = "a\tb\n1\0x\t2\n";
    FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
    struct snd_tsv_reader *r = snd_tsv_open_stream(f, "t.tsv", &err);

    CHECK(r != NULL);
    CHECK(snd_tsv_next(r, &err) == -1);
    CHECK(strstr(err.msg, "NUL byte") != NULL);
    snd_tsv_close(r);
    fclose(f);
}

static void utf8_validation(void)
{
    CHECK(snd_utf8_valid("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x90\x8B", 15));
    CHECK(!snd_utf8_valid("\xC0\xAF", 2));         /* overlong '/' */
    CHECK(!snd_utf8_valid("\xED\xA0\x80", 3));     /* a surrogate */
    CHECK(!snd_utf8_valid("\xF4\x90\x80\x80", 4)); /* past U+10FFFF */
    CHECK(!snd_utf8_valid("\xE2\x82", 2));         /* cut short */
}

static void numbers_in_fields(void)
{
    struct snd_err err = {0};
    FILE *f;
    struct snd_tsv_reader *r = open_text("start\tend\n1.5\tx\n", &f, &err);
    double v = 0;

    CHECK(snd_tsv_next(r, &err) == 1);
    CHECK(snd_tsv_field_double(r, 0, &v, &err) == 0);
    CHECK_NEAR(v, 1.5, 0);
    CHECK(snd_tsv_field_double(r, 1, &v, &err) == -1);
    CHECK(strcmp(err.msg, "t.tsv:2: column end: invalid number 'x'") == 0);
    snd_tsv_close(r);
    fclose(f);
}

/* Times are validated as probabilities are: a number, from 0 on, the end not first. */
static void spans_of_time(void)
{
    static const struct {
        const char *row, *msg;
    } cases[] = {
        {"0.5\t1.5\n", ""},
        {"2\t2\n", ""},
        {"\t1\n", "t.tsv:2: column start: invalid number ''"},
        {"0\t\n", "t.tsv:2: column end: invalid number ''"},
        {"-0.25\t1\n", "t.tsv:2: column start: -0.25 is negative (seconds from the start)"},
        {"0\t-1\n", "t.tsv:2: column end: -1 is negative (seconds from the start)"},
        {"nan\t1\n", "t.tsv:2: column start: invalid number 'nan'"},
        {"0\tinf\n", "t.tsv:2: column end: invalid number 'inf'"},
        {"3\t1\n", "t.tsv:2: end 1 is before start 3"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct snd_err err = {0};
        char text[64];
        FILE *f;
        struct snd_tsv_reader *r;
        double a = -1, b = -1;

        snprintf(text, sizeof text, "start\tend\n%s", cases[i].row);
        r = open_text(text, &f, &err);
        CHECK(r != NULL && snd_tsv_next(r, &err) == 1);
        if (cases[i].msg[0] == '\0') {
            CHECK(snd_tsv_field_span(r, 0, 1, &a, &b, &err) == 0 && a >= 0 && b >= a);
        } else {
            CHECK(snd_tsv_field_span(r, 0, 1, &a, &b, &err) == -1);
            if (strcmp(err.msg, cases[i].msg) != 0)
                printf("    case %zu: got \"%s\"\n", i, err.msg);
            CHECK(strcmp(err.msg, cases[i].msg) == 0);
        }
        snd_tsv_close(r);
        fclose(f);
    }
}

static void writer_refuses_tabs_and_newlines(void)
{
    struct snd_err err = {0};
    char buf[256] = {0};
    FILE *f = fmemopen(buf, sizeof buf, "w");
    const char *cols[2] = {"id", "label"};
    const char *good[2] = {"a b", "dog"}, *tab[2] = {"a\tb", "dog"}, *nl[2] = {"a", "do\ng"};
    struct snd_tsv_writer *w = snd_tsv_create_stream(f, "out", cols, 2, &err);

    CHECK(w != NULL);
    CHECK(snd_tsv_write_row(w, good, &err) == 0);
    CHECK(snd_tsv_write_row(w, tab, &err) == -1);
    CHECK(snd_tsv_write_row(w, nl, &err) == -1);
    CHECK(strstr(err.msg, "tab or line break") != NULL);
    CHECK(snd_tsv_finish(w, &err) == 0);
    fclose(f);
    CHECK(strcmp(buf, "id\tlabel\na b\tdog\n") == 0);
}

static void times_formatted_short(void)
{
    char b[SND_TSV_TIME_LEN];

    CHECK(strcmp(snd_tsv_fmt_sec(b, 1.25), "1.25") == 0);
    CHECK(strcmp(snd_tsv_fmt_sec(b, 3.0), "3") == 0);
    CHECK(strcmp(snd_tsv_fmt_sec(b, 0.0), "0") == 0);
    CHECK(strcmp(snd_tsv_fmt_sec(b, 1.0 / 16000), "0.000063") == 0);
    CHECK(strcmp(snd_tsv_fmt_sec(b, -1e-9), "0") == 0);
}

int main(void)
{
    RUN(columns_found_by_name);
    RUN(line_endings_and_bom);
    RUN(malformed_rows_refused);
    RUN(bad_headers_refused);
    RUN(nul_byte_refused);
    RUN(utf8_validation);
    RUN(numbers_in_fields);
    RUN(spans_of_time);
    RUN(writer_refuses_tabs_and_newlines);
    RUN(times_formatted_short);
    return HARNESS_STATUS();
}
