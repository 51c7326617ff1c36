/* test_runner: commands per event: their environment, retries with back-off, giving up,
 * and an input stream that keeps retries on time while it waits. */
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>

#include "harness.h"
#include "runner.h"

static char said[4096];

static void collect(void *ctx, const char *msg)
{
    size_t n = strlen(said);

    (void)ctx;
    snprintf(said + n, sizeof said - n, "%s\n", msg);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const struct snd_tag_event beep = {"rec", "beep", 1.5, 2.25, 0.875};

/* The text of a file in the test directory, "" when there is none. */
static const char *slurp(const char *name)
{
    static char buf[1024];
    FILE *f = fopen(path_in(name), "r");
    size_t n = 0;

    if (f != NULL) {
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return buf;
}

static void environment_of_the_event(void)
{
    struct snd_err err = {0};
    char cmd[512];
    struct snd_runner *r;

    snprintf(cmd, sizeof cmd,
             "echo \"$SND_ID $SND_LABEL $SND_START $SND_END $SND_PROB "
             "$SND_ATTEMPT\" >%s",
             path_in("env.txt"));
    said[0] = '\0';
    r = snd_runner_new(cmd, 3, 0.01, collect, NULL, &err);
    snd_runner_submit(r, &beep);
    snd_runner_drain(r);
    snd_runner_free(r);
    CHECK(strcmp(slurp("env.txt"), "rec beep 1.5 2.25 0.875 1\n") == 0);
    CHECK(said[0] == '\0');
}

static void retries_back_off_then_give_up(void)
{
    struct snd_err err = {0};
    struct snd_runner *r;
    double t0 = now(), took;

    said[0] = '\0';
    r = snd_runner_new("exit 3", 2, 0.1, collect, NULL, &err);
    snd_runner_submit(r, &beep);
    snd_runner_drain(r);
    took = now() - t0;
    snd_runner_free(r);
    CHECK(strcmp(said, "--exec: command failed for event beep at 1.5 s (exit 3), retry 1 of 2 "
                       "in 0.1 s\n"
                       "--exec: command failed for event beep at 1.5 s (exit 3), retry 2 of 2 "
                       "in 0.2 s\n"
                       "--exec: command failed for event beep at 1.5 s (exit 3); gave up after 2 "
                       "retries\n") == 0);
    CHECK(took >= 0.3 && took < 5);
}

static void no_retries(void)
{
    struct snd_err err = {0};
    struct snd_runner *r;

    said[0] = '\0';
    r = snd_runner_new("kill -9 $$", 0, 1, collect, NULL, &err);
    snd_runner_submit(r, &beep);
    snd_runner_drain(r);
    snd_runner_free(r);
    CHECK(strcmp(said, "--exec: command failed for event beep at 1.5 s (killed by signal 9)\n") ==
          0);
}

static void submit_never_waits(void)
{
    struct snd_err err = {0};
    struct snd_runner *r = snd_runner_new("sleep 1", 0, 1, collect, NULL, &err);
    double t0 = now();
    int i;

    said[0] = '\0';
    for (i = 0; i < SND_RUNNER_MAX_JOBS + 1; i++)
        snd_runner_submit(r, &beep);
    CHECK(now() - t0 < 0.9);
    CHECK(strstr(said, "64 commands are running or waiting to retry; event beep at 1.5 s not "
                       "run") != NULL);
    snd_runner_drain(r);
    snd_runner_free(r);
}

static void input_waits_with_retries_on_time(void)
{
    struct snd_err err = {0};
    struct snd_runner *r;
    int fds[2];
    char line[64];
    FILE *f;
    pid_t pid;
    int saved;

    CHECK(pipe(fds) == 0);
    pid = fork();
    if (pid == 0) { /* a slow writer: one line after half a second */
        close(fds[0]);
        usleep(500000);
        if (write(fds[1], "row\n", 4) != 4)
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    said[0] = '\0';
    r = snd_runner_new("exit 1", 1, 0.05, collect, NULL, &err);
    /* The runner's input is the standard input; put the pipe there for a moment. */
    saved = dup(0);
    dup2(fds[0], 0);
    close(fds[0]);
    f = snd_runner_open_input(r, "-", &err);
    snd_runner_submit(r, &beep);
    CHECK(f != NULL && fgets(line, sizeof line, f) != NULL && strcmp(line, "row\n") == 0);
    /* While fgets waited for the row, the command failed, was retried and given up. */
    CHECK(strstr(said, "gave up after 1 retry") != NULL);
    fclose(f);
    dup2(saved, 0);
    close(saved);
    waitpid(pid, NULL, 0);
    snd_runner_free(r);
}

int main(void)
{
    RUN(environment_of_the_event);
    RUN(retries_back_off_then_give_up);
    RUN(no_retries);
    RUN(submit_never_waits);
    RUN(input_waits_with_retries_on_time);
    harness_dir_remove();
    return HARNESS_STATUS();
}
