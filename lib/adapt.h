/* adapt: a model's batch-normalisation statistics estimated again on unlabelled features,
 * for a new microphone, room or voice (AdaBN: Li et al., "Revisiting batch normalization
 * for practical domain adaptation", 2016). The weights stay as they are; only each batch
 * normalisation's running mean and variance become the averages over the new windows. */
#ifndef SND_ADAPT_H
#define SND_ADAPT_H

#include "error.h"
#include "model.h"

/* Cut the clips of the feature files paths[0..n-1] ("-": stdin) into the windows
 * snd-classify would give the model (hop frames apart, a short clip centred), and pass
 * them through its network in training mode, batch at a time, so that every batch
 * normalisation's running statistics are the window-weighted averages of the batches'
 * statistics. The model must have been loaded for batches of that size. *windows and
 * *clips count what was used. Returns 0, or -1 with err (features that do not fit the
 * model named, a file that cannot be read, no window at all, a network without batch
 * normalisation). */
int snd_model_adapt(struct snd_model *m, const char *model_name, int n, char **paths, int batch,
                    int hop, long *windows, long *clips, struct snd_err *err);

#endif
