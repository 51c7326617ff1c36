/* The network engine against PyTorch (shared/ref/cnn_golden.h5) and against finite
 * differences of its own loss. */
#include "harness.h"

#include <hdf5.h>

#include "h5util.h"
#include "nn.h"
#include "optim.h"
#include "pool.h"

#define GOLDEN_SPEC "block 8, block 16, block 24, block 32, gap, dense"

static hid_t golden;
static double worst_logits, worst_grad, worst_adam;

/* Read dataset name of golden, of exactly n floats, into out; -1 when missing or another size. */
static int read_golden(const char *name, float *out, long n)
{
    hid_t d = H5Dopen2(golden, name, H5P_DEFAULT);
    if (d < 0) {
        printf("    golden: no dataset %s\n", name);
        return -1;
    }
    hid_t s = H5Dget_space(d);
    long have = (long)H5Sget_simple_extent_npoints(s);
    herr_t r = have == n ? H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) : -1;
    H5Sclose(s);
    H5Dclose(d);
    if (r < 0)
        printf("    golden: %s has %ld values, expected %ld\n", name, have, n);
    return r < 0 ? -1 : 0;
}

/* The golden file names tensors as PyTorch's state_dict does; ours are named by kind. */
static void torch_name(const char *ours, char *theirs, size_t cap)
{
    int k;
    char what[32];
    if (sscanf(ours, "conv%d.%31s", &k, what) == 2)
        snprintf(theirs, cap, "blocks.%d.conv.%s", k - 1, what);
    else if (sscanf(ours, "bn%d.%31s", &k, what) == 2)
        snprintf(theirs, cap, "blocks.%d.bn.%s", k - 1, what);
    else if (sscanf(ours, "dense%d.%31s", &k, what) == 2)
        snprintf(theirs, cap, "fc.%s", what);
}

/* The largest |a - b| relative to the largest |b| of the tensor: elementwise relative error
 * is meaningless for entries that are zero up to rounding in both. */
static double rel_diff(const float *a, const float *b, long n)
{
    double diff = 0, scale = 1e-30;
    for (long i = 0; i < n; i++) {
        diff = fmax(diff, fabs((double)a[i] - b[i]));
        scale = fmax(scale, fabs((double)b[i]));
    }
    return diff / scale;
}

static struct snd_net *golden_net(struct snd_pool *pool)
{
    struct snd_err err;
    char path[4096];
    const char *shared = getenv("SND_SHARED");
    snprintf(path, sizeof path, "%s/ref/cnn_golden.h5", shared ? shared : "../../../shared");
    snd_h5_quiet();
    golden = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(golden >= 0);
    if (golden < 0)
        return NULL;
    struct snd_net *net = snd_net_new(GOLDEN_SPEC, 101, 64, 10, 4, pool, &err);
    CHECK(net != NULL);
    if (net == NULL)
        return NULL;
    for (int i = 0; i < snd_net_n_params(net); i++) {
        struct snd_param *p = snd_net_param(net, i);
        char name[64] = "params/";
        torch_name(p->name, name + 7, sizeof name - 7);
        CHECK(read_golden(name, p->value, p->size) == 0);
    }
    CHECK(read_golden("input", snd_net_input(net), 4 * 101 * 64) == 0);
    return net;
}

static void compare(const char *what, const float *ours, const char *name, long n, double tol,
                    double *worst)
{
    float *ref = malloc((size_t)n * sizeof(float));
    if (read_golden(name, ref, n) == 0) {
        double d = rel_diff(ours, ref, n);
        if (d > tol)
            printf("    %s (%s): relative difference %.3g above %g\n", what, name, d, tol);
        CHECK(d <= tol);
        if (d > *worst)
            *worst = d;
    } else {
        CHECK(0);
    }
    free(ref);
}

static void one_hot_targets(float *t)
{
    long long cls[4];
    hid_t d = H5Dopen2(golden, "targets", H5P_DEFAULT);
    CHECK(d >= 0 && H5Dread(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, cls) >= 0);
    H5Dclose(d);
    memset(t, 0, 40 * sizeof(float));
    for (int n = 0; n < 4; n++)
        t[n * 10 + cls[n]] = 1.0f;
}

/* For each trainable parameter, compare the tensor under prefix/ with ours. */
static void compare_params(struct snd_net *net, const char *prefix, int use_grad, int buffers,
                           double tol, double *worst)
{
    for (int i = 0; i < snd_net_n_params(net); i++) {
        struct snd_param *p = snd_net_param(net, i);
        char name[96];
        int n = snprintf(name, sizeof name, "%s/", prefix);
        if ((p->grad == NULL) != buffers)
            continue;
        torch_name(p->name, name + n, sizeof name - (size_t)n);
        compare(p->name, use_grad ? p->grad : p->value, name, p->size, tol, worst);
    }
}

static void run_golden(int threads)
{
    struct snd_err err;
    struct snd_pool *pool = snd_pool_new(threads, &err);
    struct snd_net *net = golden_net(pool);
    float targets[40];
    double loss_ref;
    if (net == NULL)
        goto done;
    compare("eval logits", snd_net_forward(net, 4, SND_NET_EVAL), "eval/logits", 40, 1e-4,
            &worst_logits);
    compare("train logits", snd_net_forward(net, 4, SND_NET_TRAIN), "train/logits", 40, 1e-4,
            &worst_logits);
    one_hot_targets(targets);
    double loss = snd_net_loss_softmax(net, 4, targets, NULL);
    hid_t d = H5Dopen2(golden, "train/loss", H5P_DEFAULT);
    CHECK(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &loss_ref) >= 0);
    H5Dclose(d);
    CHECK_NEAR(loss, loss_ref, 1e-4 * fabs(loss_ref));
    worst_logits = fmax(worst_logits, fabs(loss - loss_ref) / fabs(loss_ref));

    snd_net_backward(net, 4);
    compare_params(net, "grads", 1, 0, 1e-3, &worst_grad);
    compare_params(net, "train/after_step", 0, 1, 1e-4, &worst_logits);

    struct snd_opt_conf conf = snd_opt_defaults(SND_OPT_ADAM);
    struct snd_opt *opt = snd_opt_new(net, &conf, &err);
    snd_opt_step(opt, 1e-3);
    compare_params(net, "adam_step", 0, 0, 1e-3, &worst_adam);
    snd_opt_free(opt);
done:
    snd_net_free(net);
    snd_pool_free(pool);
    if (golden >= 0)
        H5Fclose(golden);
    golden = -1;
}

static void matches_pytorch_golden(void)
{
    run_golden(1);
    run_golden(2);
    printf("    worst relative difference: logits, loss and running stats %.2g, gradients %.2g,"
           " Adam step %.2g\n",
           worst_logits, worst_grad, worst_adam);
}

/* ---- finite differences ------------------------------------------------------------ */

#define FD_BATCH 3

static void fill(float *x, long n, unsigned seed)
{
    for (long i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
}

static double loss_of(struct snd_net *net, const float *input, long in_n, const float *targets,
                      int sigmoid)
{
    memcpy(snd_net_input(net), input, (size_t)in_n * sizeof(float));
    snd_net_seed_dropout(net, 7); /* the same mask every time */
    snd_net_forward(net, FD_BATCH, SND_NET_TRAIN);
    return sigmoid ? snd_net_loss_sigmoid(net, FD_BATCH, targets, NULL)
                   : snd_net_loss_softmax(net, FD_BATCH, targets, NULL);
}

/* Every gradient of spec against central differences of the loss. */
/* Every gradient of a network on H x W inputs against central differences of its loss. */
static void gradient_check_shape(const char *spec, int sigmoid, int H, int W)
{
    struct snd_err err;
    const int K = 3;
    long in_n = (long)FD_BATCH * H * W;
    float *input = malloc((size_t)in_n * sizeof(float)), targets[FD_BATCH * 3] = {0};
    struct snd_net *net = snd_net_new(spec, H, W, K, FD_BATCH, NULL, &err);
    CHECK(net != NULL && input != NULL);
    if (net == NULL || input == NULL) {
        printf("    %s: %s\n", spec, net == NULL ? err.msg : "out of memory");
        free(input);
        return;
    }
    snd_net_init(net, 3);
    fill(input, in_n, 11);
    for (int n = 0; n < FD_BATCH; n++)
        targets[n * K + n % K] = 1.0f;
    if (sigmoid)
        targets[1] = 1.0f;
    loss_of(net, input, in_n, targets, sigmoid);
    snd_net_backward(net, FD_BATCH);
    double worst = 0;
    for (int i = 0; i < snd_net_n_params(net); i++) {
        struct snd_param *p = snd_net_param(net, i);
        if (p->grad == NULL)
            continue;
        float *analytic = malloc((size_t)p->size * sizeof(float));
        memcpy(analytic, p->grad, (size_t)p->size * sizeof(float));
        for (long j = 0; j < p->size; j++) {
            const float h = 1e-3f;
            float keep = p->value[j];
            p->value[j] = keep + h;
            double up = loss_of(net, input, in_n, targets, sigmoid);
            p->value[j] = keep - h;
            double down = loss_of(net, input, in_n, targets, sigmoid);
            p->value[j] = keep;
            double fd = (up - down) / (2.0 * h);
            double d = fabs(fd - analytic[j]) / fmax(1e-2, fmax(fabs(fd), fabs(analytic[j])));
            if (d > 2e-2)
                printf("    %s: %s[%ld] analytic %.6g, numeric %.6g\n", spec, p->name, j,
                       analytic[j], fd);
            CHECK(d <= 2e-2);
            worst = fmax(worst, d);
        }
        free(analytic);
    }
    printf("    %-44s %2d x %-2d worst relative difference %.2g\n", spec, H, W, worst);
    snd_net_free(net);
    free(input);
}

static void gradient_check(const char *spec, int sigmoid)
{
    gradient_check_shape(spec, sigmoid, 7, 6);
}

static void gradients_match_finite_differences(void)
{
    gradient_check("conv 2 k3 s1 p1 bias, dense", 0);
    gradient_check("conv 2 k2 s2 p0, dense", 0);
    gradient_check("conv 3 k3 s2 p1 bias, bn, dense", 0);
    gradient_check("conv 2, relu, dense 4, relu, dense", 0);
    gradient_check("conv 2, maxpool 2, dense", 0);
    gradient_check("conv 2, maxpool 3, gap, dense", 0);
    gradient_check("block 3, gap, dropout 0.5, dense", 0);
    gradient_check("block 2, dense", 1);
    gradient_check("conv 4, block 3, gap, dense", 0);  /* Winograd: four input channels */
    gradient_check("block 4, block 3, gap, dense", 0); /* the second writes over the first */
    /* Wide enough for F(4x4, 3x3) in the block: six tiles a row (four side by side, two
     * alone), the last of three rows hanging over the edge. (A block before it would put
     * max-pooling kinks under its weights, too many for central differences to step over.) */
    gradient_check_shape("conv 4, block 2, gap, dense", 0, 9, 22);
}

/* A block is a fused conv, bn, relu, maxpool: both ways give the same numbers, on inputs
 * of H x W. */
static void block_equals_its_layers_at(int H, int W)
{
    struct snd_err err;
    const char *specs[2] = {"block 4, block 3, gap, dense",
                            "conv 4, bn, relu, maxpool 2, conv 3, bn, relu, maxpool, gap, dense"};
    struct snd_net *net[2];
    float targets[FD_BATCH * 3] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    double diff[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        net[k] = snd_net_new(specs[k], H, W, 3, FD_BATCH, NULL, &err);
        CHECK(net[k] != NULL);
        if (net[k] == NULL)
            return;
        snd_net_init(net[k], 5);
        fill(snd_net_input(net[k]), (long)FD_BATCH * H * W, 9);
        snd_net_forward(net[k], FD_BATCH, SND_NET_TRAIN);
        snd_net_loss_softmax(net[k], FD_BATCH, targets, NULL);
        snd_net_backward(net[k], FD_BATCH);
    }
    CHECK(snd_net_n_params(net[0]) == snd_net_n_params(net[1]));
    for (int i = 0; i < snd_net_n_params(net[0]); i++) {
        struct snd_param *a = snd_net_param(net[0], i);
        struct snd_param *b = snd_net_param_find(net[1], a->name);
        CHECK(b != NULL && b->size == a->size);
        if (b == NULL || b->size != a->size)
            continue;
        diff[0] = fmax(diff[0], rel_diff(a->value, b->value, a->size));
        if (a->grad)
            diff[1] = fmax(diff[1], rel_diff(a->grad, b->grad, a->size));
    }
    printf("    %2d x %-2d values and running statistics %.2g, gradients %.2g\n", H, W, diff[0],
           diff[1]);
    CHECK(diff[0] < 1e-6 && diff[1] < 1e-4);
    snd_net_free(net[0]);
    snd_net_free(net[1]);
}

static void block_equals_its_layers(void)
{
    block_equals_its_layers_at(9, 7);
    /* Rows of pooled cells four at a time and one by one, odd and even widths; the second
     * block by F(4x4, 3x3). */
    block_equals_its_layers_at(11, 42);
}

/* ---- specs, determinism ------------------------------------------------------------- */

static void specs_parse_and_print_canonically(void)
{
    struct snd_err err;
    struct snd_net *net = snd_net_new(SND_NET_DEFAULT_SPEC, 101, 64, 10, 2, NULL, &err);
    CHECK(net != NULL);
    CHECK(strcmp(snd_net_spec(net), SND_NET_DEFAULT_SPEC) == 0);
    CHECK(snd_net_n_params(net) == 4 * 5 + 2);
    CHECK(snd_net_param_find(net, "conv4.weight")->size == 256 * 128 * 9);
    /* 4 convolutions and the dense layer, multiply-adds counted twice */
    double f = 2.0 * (32 * 9 * 101 * 64 + 64 * 32 * 9 * 50 * 32 + 128 * 64 * 9 * 25 * 16 +
                      256 * 128 * 9 * 12 * 8 + 256 * 10);
    CHECK_NEAR(snd_net_flops(net), f, 1);
    snd_net_free(net);

    net = snd_net_new("conv 4 k5 s2 bias,relu ,  maxpool,dense 7,dense", 20, 20, 3, 1, NULL, &err);
    CHECK(net != NULL);
    if (net)
        CHECK(strcmp(snd_net_spec(net), "conv 4 k5 s2 p2 bias, relu, maxpool 2, dense 7, dense") ==
              0);
    snd_net_free(net);

    const char *bad[] = {"",
                         "conv",
                         "conv 0",
                         "pool 2",
                         "block 8 k3",
                         "dropout 1",
                         "conv 8, dense, dense",
                         "conv 8,, dense",
                         "dense 5",
                         "conv 8 q3, dense"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err.msg[0] = '\0';
        net = snd_net_new(bad[i], 20, 20, 3, 1, NULL, &err);
        if (net != NULL)
            printf("    accepted bad spec \"%s\"\n", bad[i]);
        CHECK(net == NULL && strncmp(err.msg, "network spec: ", 14) == 0);
        snd_net_free(net);
    }
    /* a damaged model or a careless spec asking for gigabytes is refused, not tried */
    net = snd_net_new("conv 4096, conv 4096, gap, dense", 10000, 2048, 3, 1, NULL, &err);
    CHECK(net == NULL && strstr(err.msg, "too large") != NULL);
    /* five poolings of 2 leave nothing of 20 frames */
    net =
        snd_net_new("block 2, block 2, block 2, block 2, block 2, dense", 20, 20, 3, 1, NULL, &err);
    CHECK(net == NULL && strstr(err.msg, "leaves nothing") != NULL);
}

/* A few training steps give the same bits with one thread or two. */
static void training_is_repeatable(void)
{
    float *final[2];
    for (int t = 0; t < 2; t++) {
        struct snd_err err;
        struct snd_pool *pool = snd_pool_new(t + 1, &err);
        struct snd_net *net =
            snd_net_new("block 4, block 8, gap, dropout 0.3, dense", 32, 16, 3, 5, pool, &err);
        struct snd_opt_conf conf = snd_opt_defaults(SND_OPT_ADAMW);
        struct snd_opt *opt = snd_opt_new(net, &conf, &err);
        float targets[15] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0};
        snd_net_init(net, 42);
        for (int step = 0; step < 3; step++) {
            fill(snd_net_input(net), 5 * 32 * 16, 5 + step);
            snd_net_forward(net, 5, SND_NET_TRAIN);
            snd_net_loss_softmax(net, 5, targets, NULL);
            snd_net_backward(net, 5);
            snd_opt_step(opt, 1e-2);
        }
        struct snd_param *w = snd_net_param_find(net, "conv1.weight");
        final[t] = malloc((size_t)w->size * sizeof(float));
        memcpy(final[t], w->value, (size_t)w->size * sizeof(float));
        CHECK(memcmp(final[t], final[0], (size_t)w->size * sizeof(float)) == 0);
        snd_opt_free(opt);
        snd_net_free(net);
        snd_pool_free(pool);
    }
    free(final[0]), free(final[1]);
}

static void schedule_warms_up_then_decays(void)
{
    CHECK_NEAR(snd_lr_schedule(1.0, 0, 100, 10, 0.0), 0.1, 1e-12);
    CHECK_NEAR(snd_lr_schedule(1.0, 9, 100, 10, 0.0), 1.0, 1e-12);
    CHECK_NEAR(snd_lr_schedule(1.0, 10, 100, 10, 0.0), 1.0, 1e-12);
    CHECK_NEAR(snd_lr_schedule(1.0, 99, 100, 10, 0.01), 0.01, 1e-12);
    CHECK(snd_lr_schedule(1.0, 50, 100, 10, 0.0) < 0.6 &&
          snd_lr_schedule(1.0, 50, 100, 10, 0) > 0.4);
}

int main(void)
{
    golden = -1;
    RUN(matches_pytorch_golden);
    RUN(gradients_match_finite_differences);
    RUN(block_equals_its_layers);
    RUN(specs_parse_and_print_canonically);
    RUN(training_is_repeatable);
    RUN(schedule_warms_up_then_decays);
    return HARNESS_STATUS();
}
