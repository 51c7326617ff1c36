/* cli: what every snd-NAME binary shares: number and duration parsing, usage errors,
 * exit statuses, --version, and quiet handling of a closed stdout. */
#ifndef SND_CLI_H
#define SND_CLI_H

#include "err.h"
#include "pcm.h"

#define SND_VERSION "0.1.0"

/* Exit statuses shared by every binary (DESIGN.md). */
enum { SND_EXIT_OK = 0, SND_EXIT_FAILURE = 1, SND_EXIT_USAGE = 2 };

/* Parse a duration: a finite non-negative number with an optional unit, "ms", "s",
 * "m" or "min", "h" ("250ms", "3s", "10m", "1.5" is seconds). Returns 0 and sets *sec,
 * or -1 and fills err (the message quotes s). Cannot overflow: the result is finite. */
int snd_parse_dur(const char *s, double *sec, struct snd_err *err);

/* Parse a whole string as a finite number in [min, max]. Returns 0 or -1 with err. */
int snd_parse_double(const char *s, double min, double max, double *out, struct snd_err *err);

/* Parse a whole string as a decimal integer in [min, max]. Returns 0 or -1 with err. */
int snd_parse_long(const char *s, long min, long max, long *out, struct snd_err *err);

/* The helpers below are for cmd/ only: they print and exit, which lib/ never does. */

/* Set up a binary: ignore SIGPIPE so that a write to a closed pipe returns EPIPE, which
 * snd_cli_fail() turns into a quiet exit. */
void snd_cli_init(void);

/* Print "PROG: MESSAGE" on stderr and exit with SND_EXIT_USAGE. */
_Noreturn void snd_cli_usage_error(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Report getopt_long's complaint about argv[optind - 1] (an unknown option, or one missing
 * its argument when c is ':') as a usage error. */
_Noreturn void snd_cli_bad_option(const char *prog, char **argv, int c);

/* Parse an option's argument or exit 2 with "PROG: OPT: problem". */
double snd_cli_dur(const char *prog, const char *opt, const char *arg, double min_sec,
                   double max_sec);
double snd_cli_double(const char *prog, const char *opt, const char *arg, double min, double max);
long snd_cli_long(const char *prog, const char *opt, const char *arg, long min, long max);

/* The PCM options every binary shares: -r/--rate HZ, -c/--channels N, -e/--encoding ENC.
 * If c is one of 'r', 'c', 'e', parse arg into fmt (exiting 2 when it is bad) and return
 * 1; otherwise return 0. */
int snd_cli_pcm_option(const char *prog, int c, const char *arg, struct snd_pcm_fmt *fmt);

/* The usage lines for those options, for --help texts. */
#define SND_CLI_PCM_HELP                                                                           \
    "  -r, --rate HZ         working sample rate: raw input's rate, files are resampled\n"         \
    "                        to it (default 16000)\n"                                              \
    "  -c, --channels N      channels of raw input, mixed down to mono (default 1)\n"              \
    "  -e, --encoding ENC    sample encoding of raw input and of the output: s16, s32\n"           \
    "                        or f32 (default s16)\n"

/* Work on one source: return 0, or -1 with err. */
typedef int (*snd_cli_source_fn)(void *ctx, const char *path, struct snd_err *err);

/* Run fn on each of the n paths, or on "-" (stdin) when n is 0, as wc(1) does: a failing
 * source is reported ("PROG: FILE: problem") and the others still run; a closed stdout
 * stops the run quietly. Returns SND_EXIT_FAILURE if any source failed, else
 * SND_EXIT_OK. */
int snd_cli_each_source(const char *prog, int n, char **paths, snd_cli_source_fn fn, void *ctx);

/* The name to print for an operand: "stdin" for "-". */
const char *snd_cli_source_name(const char *path);

/* The same for tools that read PCM but write none, and take -r for something else. */
#define SND_CLI_RAW_INPUT_HELP                                                                     \
    "  -c, --channels N      channels of raw input, mixed down to mono (default 1)\n"              \
    "  -e, --encoding ENC    sample encoding of raw input: s16, s32 or f32 (default s16)\n"

/* Print "PROG VERSION" on stdout and exit 0. */
_Noreturn void snd_cli_version(const char *prog);

/* Map a run-time failure to an exit status: a closed stdout (err->errnum == EPIPE) ends
 * the tool quietly with 0; anything else prints "PROG: MESSAGE" and gives 1. */
int snd_cli_fail(const char *prog, const struct snd_err *err);

/* Flush stdout and report a failure to write it (a full disk, a closed pipe) through
 * snd_cli_fail(). Returns the exit status to use: status itself when all is well. */
int snd_cli_finish(const char *prog, int status);

#endif
