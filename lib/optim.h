/* optim: the optimisers of snd-train, as PyTorch defines them (torch.optim.Adam, AdamW,
 * SGD with momentum), and the learning-rate schedule: linear warm-up, then cosine decay. */
#ifndef SND_OPTIM_H
#define SND_OPTIM_H

#include "err.h"
#include "nn.h"

enum snd_opt_kind { SND_OPT_ADAM, SND_OPT_ADAMW, SND_OPT_SGD };

struct snd_opt_conf {
    enum snd_opt_kind kind;
    double lr;
    double beta1, beta2, eps; /* Adam, AdamW */
    double momentum;          /* SGD */
    double weight_decay;      /* Adam, SGD: L2 added to the gradient; AdamW: decoupled */
};

/* PyTorch's defaults for kind: betas 0.9/0.999, eps 1e-8, momentum 0.9, weight decay 0
 * (AdamW: 0.01), learning rate 1e-3 (SGD: 0.01). */
struct snd_opt_conf snd_opt_defaults(enum snd_opt_kind kind);

/* Parse "adam", "adamw" or "sgd"; -1 when unknown. */
int snd_opt_kind_parse(const char *s, enum snd_opt_kind *kind);
const char *snd_opt_kind_name(enum snd_opt_kind kind);

struct snd_opt;

/* An optimiser over net's trainable parameters, its state zero. NULL with err. */
struct snd_opt *snd_opt_new(struct snd_net *net, const struct snd_opt_conf *conf,
                            struct snd_err *err);
void snd_opt_free(struct snd_opt *opt); /* NULL is fine */

/* One step at learning rate lr with the gradients the network holds. Weight decay
 * applies to the parameters marked for it (weights; PyTorch decays everything unless
 * told otherwise, but decaying batch-norm scales and biases only hurts). */
void snd_opt_step(struct snd_opt *opt, double lr);

/* The state, for checkpoints: the step count, and per trainable parameter (in the
 * network's order, buffers skipped) the first and second moments (SGD: momentum and
 * NULL). */
long snd_opt_steps(const struct snd_opt *opt);
void snd_opt_set_steps(struct snd_opt *opt, long steps);
int snd_opt_n_states(const struct snd_opt *opt);
float *snd_opt_state(struct snd_opt *opt, int i, int moment, long *size, const char **name);

/* The learning rate at step (0-based) of total: linear warm-up from lr/warmup over the
 * first warmup steps, then cosine decay to lr * floor at the last step. */
double snd_lr_schedule(double lr, long step, long total, long warmup, double floor);

#endif
