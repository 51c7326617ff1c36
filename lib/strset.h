/* strset: a set of strings, to catch repeats (clip names, ids) in one pass. */
#ifndef SND_STRSET_H
#define SND_STRSET_H

#include <stddef.h>

struct snd_strset;

/* An empty set. Returns NULL when out of memory. The caller owns it; release it with
 * snd_strset_free(). */
struct snd_strset *snd_strset_new(void);

/* Add a copy of s. Returns 1 when s was new, 0 when it was already there, -1 when out of
 * memory (the set is unchanged). */
int snd_strset_add(struct snd_strset *set, const char *s);

/* Whether s is in the set. */
int snd_strset_has(const struct snd_strset *set, const char *s);

/* The position of s in the order strings were added (0 for the first), or -1 when s is
 * not in the set: a string-to-index map. */
long snd_strset_index(const struct snd_strset *set, const char *s);

/* The string added index-th (0 for the first), borrowed until snd_strset_free(); NULL
 * when index is out of range. */
const char *snd_strset_at(const struct snd_strset *set, long index);

/* How many strings the set holds. */
size_t snd_strset_count(const struct snd_strset *set);

void snd_strset_free(struct snd_strset *set); /* NULL is fine */

#endif
