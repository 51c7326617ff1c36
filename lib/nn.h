/* nn: a small convolutional network engine in float32, with forward and backward passes
 * that match PyTorch's definitions (tests/unit/test_nn.c checks them against
 * shared/ref/cnn_golden.h5).
 *
 * A network is a chain of layers described by a text spec, items separated by commas:
 *
 *   conv C [kK] [sS] [pP] [bias]   2-D convolution to C channels; kernel K (3), stride S (1),
 *                                  zero padding P (K/2: "same"), bias only when asked
 *   bn                             batch normalisation (momentum 0.1, eps 1e-5)
 *   relu
 *   maxpool [K]                    K x K windows, stride K (2), leftover rows dropped
 *   block C                        conv C, bn, relu, maxpool 2
 *   gap                            global average over time and mel bands
 *   dropout P                      zeroes a share P in training, scaling the rest
 *   dense [N]                      fully connected to N outputs, or to the classes
 *                                  when it is the last item and N is left out
 *
 * Input is (batch, 1, frames, mel bands), NCHW. Activations are allocated once, for the
 * largest batch, when the network is built: a training step allocates nothing. Work on
 * a batch is spread over a thread pool in items whose bounds do not depend on the number
 * of threads, so results are the same bit for bit whatever -j is. */
#ifndef SND_NN_H
#define SND_NN_H

#include <stdint.h>

#include "err.h"
#include "pool.h"

#define SND_NET_DEFAULT_SPEC "block 32, block 64, block 128, block 256, gap, dropout 0.3, dense"

struct snd_net;

/* A named tensor of the network: a trainable parameter (grad non-NULL) or a buffer such
 * as batch normalisation's running statistics (grad NULL). Names follow the layer kind
 * and its rank among layers of that kind: conv1.weight, bn2.running_var, dense1.bias. */
struct snd_param {
    char name[32];
    float *value, *grad;
    long size;
    int rank, shape[4];
    int decay; /* weight decay applies (weights, not biases or normalisation) */
};

enum snd_net_mode { SND_NET_EVAL, SND_NET_TRAIN };

/* Build the network of spec for inputs of in_h frames by in_w bands and n_out outputs, for
 * batches of up to max_batch, running on pool (borrowed; NULL: in the caller's thread).
 * Parameters start at zero: call snd_net_init() or load them. Returns NULL with err
 * naming the fault in the spec, or a shape that shrinks to nothing. */
struct snd_net *snd_net_new(const char *spec, int in_h, int in_w, int n_out, int max_batch,
                            struct snd_pool *pool, struct snd_err *err);
void snd_net_free(struct snd_net *net); /* NULL is fine */

/* The spec in canonical form (every default written out, as stored in a model). */
const char *snd_net_spec(const struct snd_net *net);

int snd_net_n_params(const struct snd_net *net);
struct snd_param *snd_net_param(struct snd_net *net, int i);
struct snd_param *snd_net_param_find(struct snd_net *net, const char *name);

/* He (Kaiming) normal initialisation for weights, from fan-in; zero biases; batch
 * normalisation at scale 1, shift 0, running mean 0 and variance 1. Also seeds dropout. */
void snd_net_init(struct snd_net *net, uint64_t seed);

/* The share of a training pass's batch statistics in the running ones: PyTorch's momentum
 * unless set. Passes of n windows after N others with n / (N + n) keep the
 * running statistics the averages over all windows so far (lib/adapt). */
#define SND_NET_BN_MOMENTUM 0.1f
void snd_net_bn_momentum(struct snd_net *net, float momentum);

/* Seed the dropout masks (snd_net_init does it too). */
void snd_net_seed_dropout(struct snd_net *net, uint64_t seed);

/* The input buffer: max_batch x in_h x in_w floats, filled by the caller. */
float *snd_net_input(struct snd_net *net);

/* Run the network on the first batch inputs; returns the outputs, batch x n_out logits,
 * valid until the next call. Training mode uses batch statistics (and updates the
 * running ones) and dropout. */
const float *snd_net_forward(struct snd_net *net, int batch, enum snd_net_mode mode);

/* Loss of the last forward pass, and the gradient at the logits kept for the backward pass.
 * Softmax cross-entropy: targets are batch x n_out probabilities (one-hot, or mixed by
 * mixup); the loss is the weighted mean over examples of -sum(t log p), each example
 * weighted by weights[i] (NULL: all 1). Sigmoid binary cross-entropy: targets in [0, 1];
 * the mean over every output, positives weighted by pos_weight[k] (NULL: all 1) as
 * PyTorch's BCEWithLogitsLoss does. */
double snd_net_loss_softmax(struct snd_net *net, int batch, const float *targets,
                            const float *weights);
double snd_net_loss_sigmoid(struct snd_net *net, int batch, const float *targets,
                            const float *pos_weight);

/* Gradients of the loss for every trainable parameter (overwritten, not accumulated). */
void snd_net_backward(struct snd_net *net, int batch);

/* Multiply-adds counted twice: the floating-point operations of one example's forward
 * pass. A training step does about three times as many. */
double snd_net_flops(const struct snd_net *net);

#endif
