/* runner: a shell command run in the background for each event (snd-tag --exec), retried
 * with exponential back-off when it fails, without ever holding up the reading of input. */
#ifndef SND_RUNNER_H
#define SND_RUNNER_H

#include <stdio.h>

#include "err.h"
#include "tag.h"

/* Commands running or waiting to retry at once; an event beyond them is not run. */
#define SND_RUNNER_MAX_JOBS 64

/* Where the runner's messages go ("--exec: command failed ..."); the runner never prints. */
typedef void (*snd_runner_report_fn)(void *ctx, const char *msg);

struct snd_runner;

/* A runner of cmd (copied) through /bin/sh -c, retried up to retries times after a
 * failure (a non-zero exit or a signal), the first retry delay_sec after it, each next
 * one twice as long after the one before. Returns NULL with err when out of memory.
 * Release it with snd_runner_free(), after snd_runner_drain() to wait for the commands. */
struct snd_runner *snd_runner_new(const char *cmd, int retries, double delay_sec,
                                  snd_runner_report_fn report, void *ctx, struct snd_err *err);
void snd_runner_free(struct snd_runner *r); /* NULL is fine; running commands are left be */

/* Start cmd for ev in the background, with the event in its environment: SND_ID,
 * SND_LABEL, SND_START, SND_END, SND_PROB and SND_ATTEMPT (1, then 2 for the first retry
 * ...), its stdin /dev/null and its stdout the caller's stderr. Never waits for it. When
 * SND_RUNNER_MAX_JOBS commands are pending the event is reported and not run. */
void snd_runner_submit(struct snd_runner *r, const struct snd_tag_event *ev);

/* Reap the commands that ended, report failures and schedule their retries, start the
 * retries that are due. Returns how many milliseconds to wait at most before calling it
 * again, or -1 when no command is pending. Cannot fail. */
int snd_runner_service(struct snd_runner *r);

/* Wait until every command has ended and every retry has run or been given up. */
void snd_runner_drain(struct snd_runner *r);

/* Open path ("-": the standard input's descriptor) for reading, as a stream that keeps
 * servicing r while it waits for input, so retries start on time however rarely lines
 * arrive. Returns NULL with err naming path. Close it with fclose(), which leaves the
 * standard input open. */
FILE *snd_runner_open_input(struct snd_runner *r, const char *path, struct snd_err *err);

/* Quiet: a failed command that will be retried is not reported; one given up on, or never
 * run, still is. */
void snd_runner_set_quiet(struct snd_runner *r, int quiet);

#endif
