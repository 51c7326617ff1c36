/* runner: background commands per event, their retries, and an input that waits for both. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runner.h"
#include "tsv.h"

extern char **environ;

/* While a command runs, the caller is woken this often to reap it (no SIGCHLD handler, so
 * nothing in the caller is interrupted). */
#define REAP_MS 25

enum { RUNNING, WAITING };

struct job {
    char *env[6]; /* "SND_ID=..." ... "SND_PROB=...", and SND_ATTEMPT set at each start */
    char *label, *start;
    int attempt; /* runs so far */
    int state;
    pid_t pid;
    double due; /* WAITING: when to start again, monotonic seconds */
};

struct snd_runner {
    char *cmd;
    int retries;
    double delay_sec;
    snd_runner_report_fn report;
    void *ctx;
    int quiet; /* retries are not reported */
    struct job jobs[SND_RUNNER_MAX_JOBS];
    int n_jobs;
};

static double now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void say(struct snd_runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct snd_runner *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->report != NULL)
        r->report(r->ctx, msg);
}

struct snd_runner *snd_runner_new(const char *cmd, int retries, double delay_sec,
                                  snd_runner_report_fn report, void *ctx, struct snd_err *err)
{
    struct snd_runner *r = calloc(1, sizeof *r);

    if (r == NULL || (r->cmd = strdup(cmd)) == NULL) {
        free(r);
        snd_fail(err, "out of memory");
        return NULL;
    }
    r->retries = retries;
    r->delay_sec = delay_sec;
    r->report = report;
    r->ctx = ctx;
    return r;
}

static void job_free(struct job *j)
{
    int i;

    for (i = 0; i < 6; i++)
        free(j->env[i]);
    free(j->label);
    free(j->start);
}

void snd_runner_free(struct snd_runner *r)
{
    int i;

    if (r == NULL)
        return;
    for (i = 0; i < r->n_jobs; i++)
        job_free(&r->jobs[i]);
    free(r->cmd);
    free(r);
}

static char *env_var(const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 2;
    char *s = malloc(n);

    if (s != NULL)
        snprintf(s, n, "%s=%s", name, value);
    return s;
}

/* Whether environment entry e sets one of the names the runner sets. */
static int ours(const char *e)
{
    static const char *const names[] = {
        "SND_ID=", "SND_LABEL=", "SND_START=", "SND_END=", "SND_PROB=", "SND_ATTEMPT="};
    size_t i;

    for (i = 0; i < sizeof names / sizeof *names; i++)
        if (strncmp(e, names[i], strlen(names[i])) == 0)
            return 1;
    return 0;
}

/* Start job j's next attempt. Returns 0, or an errno value when no process started. */
static int start(struct snd_runner *r, struct job *j)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t dflt;
    char attempt[32], *argv[] = {"sh", "-c", r->cmd, NULL};
    char **envp;
    size_t n = 0, k = 0;
    int e;

    free(j->env[5]);
    snprintf(attempt, sizeof attempt, "%d", j->attempt + 1);
    if ((j->env[5] = env_var("SND_ATTEMPT", attempt)) == NULL)
        return ENOMEM;
    while (environ[n] != NULL)
        n++;
    if ((envp = malloc((n + 7) * sizeof *envp)) == NULL)
        return ENOMEM;
    for (n = 0; environ[n] != NULL; n++)
        if (!ours(environ[n]))
            envp[k++] = environ[n];
    for (n = 0; n < 6; n++)
        envp[k++] = j->env[n];
    envp[k] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    /* stdin from /dev/null; stdout onto stderr, so nothing it prints can end up among
     * our table rows, and it holds no reference to the pipe downstream. */
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    /* snd_cli_init() ignores SIGPIPE; the command gets the usual behaviour back. */
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGPIPE);
    posix_spawnattr_setsigdefault(&at, &dflt);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
    e = posix_spawn(&j->pid, "/bin/sh", &fa, &at, argv, envp);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    free(envp);
    j->attempt++;
    if (e == 0)
        j->state = RUNNING;
    return e;
}

/* Job j failed (how: "exit 3"): schedule its retry, or give it up. Returns 1 when the
 * job is over. */
static int failed(struct snd_runner *r, struct job *j, const char *how)
{
    int retry = j->attempt; /* the retry to come: 1 after the first run */
    double delay;

    if (retry > r->retries) {
        if (r->retries == 0)
            say(r, "--exec: command failed for event %s at %s s (%s)", j->label, j->start, how);
        else
            say(r, "--exec: command failed for event %s at %s s (%s); gave up after %d %s",
                j->label, j->start, how, r->retries, r->retries == 1 ? "retry" : "retries");
        return 1;
    }
    delay = r->delay_sec * pow(2.0, retry - 1);
    if (!r->quiet)
        say(r, "--exec: command failed for event %s at %s s (%s), retry %d of %d in %g s", j->label,
            j->start, how, retry, r->retries, delay);
    j->state = WAITING;
    j->due = now_sec() + delay;
    return 0;
}

/* Start job j now; a command that cannot start counts as failed. Returns 1 when over. */
static int launch(struct snd_runner *r, struct job *j)
{
    char how[128];
    int e = start(r, j);

    if (e == 0)
        return 0;
    snprintf(how, sizeof how, "cannot run /bin/sh: %s", strerror(e));
    return failed(r, j, how);
}

void snd_runner_submit(struct snd_runner *r, const struct snd_tag_event *ev)
{
    char a[SND_TSV_TIME_LEN], b[SND_TSV_TIME_LEN], p[SND_TSV_TIME_LEN];
    struct job *j;

    snd_tsv_fmt_sec(a, ev->start_sec);
    snd_tsv_fmt_sec(b, ev->end_sec);
    snd_tsv_fmt_sec(p, ev->prob);
    snd_runner_service(r);
    if (r->n_jobs == SND_RUNNER_MAX_JOBS) {
        say(r, "--exec: %d commands are running or waiting to retry; event %s at %s s not run",
            SND_RUNNER_MAX_JOBS, ev->label, a);
        return;
    }
    j = &r->jobs[r->n_jobs];
    memset(j, 0, sizeof *j);
    j->env[0] = env_var("SND_ID", ev->id);
    j->env[1] = env_var("SND_LABEL", ev->label);
    j->env[2] = env_var("SND_START", a);
    j->env[3] = env_var("SND_END", b);
    j->env[4] = env_var("SND_PROB", p);
    j->label = strdup(ev->label);
    j->start = strdup(a);
    if (j->env[0] == NULL || j->env[1] == NULL || j->env[2] == NULL || j->env[3] == NULL ||
        j->env[4] == NULL || j->label == NULL || j->start == NULL) {
        say(r, "--exec: out of memory; event %s at %s s not run", ev->label, a);
        job_free(j);
        return;
    }
    r->n_jobs++;
    if (launch(r, j)) {
        job_free(j);
        r->n_jobs--;
    }
}

int snd_runner_service(struct snd_runner *r)
{
    double t = now_sec(), wait = -1;
    int i, status, over;
    char how[64];

    for (i = 0; i < r->n_jobs; i++) {
        struct job *j = &r->jobs[i];
        over = 0;
        if (j->state == RUNNING) {
            pid_t k = waitpid(j->pid, &status, WNOHANG);
            if (k == 0)
                continue;
            if (k < 0) /* not ours to wait for (SIGCHLD ignored upstream?): count it done */
                over = 1;
            else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                over = 1;
            else {
                if (WIFEXITED(status))
                    snprintf(how, sizeof how, "exit %d", WEXITSTATUS(status));
                else
                    snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(status));
                over = failed(r, j, how);
            }
        } else if (j->due <= t) {
            over = launch(r, j);
        }
        if (over) {
            job_free(j);
            r->jobs[i--] = r->jobs[--r->n_jobs];
        }
    }
    for (i = 0; i < r->n_jobs; i++) {
        double w = r->jobs[i].state == RUNNING ? REAP_MS : ceil((r->jobs[i].due - t) * 1000);
        if (w < 0)
            w = 0;
        if (wait < 0 || w < wait)
            wait = w;
    }
    return (int)wait;
}

void snd_runner_drain(struct snd_runner *r)
{
    int ms;

    while ((ms = snd_runner_service(r)) >= 0)
        poll(NULL, 0, ms);
}

struct input {
    struct snd_runner *r;
    int fd, own;
};

/* Wait for input, servicing the runner meanwhile; then read what there is. */
static ssize_t input_read(void *cookie, char *buf, size_t n)
{
    struct input *in = cookie;

    for (;;) {
        struct pollfd pfd = {in->fd, POLLIN, 0};
        int k = poll(&pfd, 1, snd_runner_service(in->r));
        ssize_t got;
        if (k < 0 && errno != EINTR)
            return -1;
        if (k <= 0)
            continue;
        got = read(in->fd, buf, n);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        return got;
    }
}

static int input_close(void *cookie)
{
    struct input *in = cookie;
    int r = in->own ? close(in->fd) : 0;

    free(in);
    return r;
}

FILE *snd_runner_open_input(struct snd_runner *r, const char *path, struct snd_err *err)
{
    cookie_io_functions_t io = {input_read, NULL, NULL, input_close};
    struct input *in = calloc(1, sizeof *in);
    FILE *f;

    if (in == NULL) {
        snd_fail(err, "%s: out of memory", path);
        return NULL;
    }
    in->r = r;
    in->own = strcmp(path, "-") != 0;
    in->fd = in->own ? open(path, O_RDONLY | O_CLOEXEC) : 0;
    if (in->fd < 0) {
        snd_fail_errno(err, errno, "%s", path);
        free(in);
        return NULL;
    }
    f = fopencookie(in, "r", io);
    if (f == NULL) {
        snd_fail_errno(err, errno, "%s", path);
        input_close(in);
    }
    return f;
}

void snd_runner_set_quiet(struct snd_runner *r, int quiet)
{
    r->quiet = quiet;
}
