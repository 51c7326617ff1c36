/* strset: open addressing with linear probing, FNV-1a hashes, grown at half full. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strset.h"

struct snd_strset {
    char **slots;
    long *order; /* per slot: when its string was added */
    char **list; /* the strings in the order they were added (the slots own them) */
    size_t cap;  /* a power of two */
    size_t count;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 14695981039346656037ull;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

struct snd_strset *snd_strset_new(void)
{
    struct snd_strset *set = calloc(1, sizeof *set);

    if (set == NULL)
        return NULL;
    set->cap = 64;
    set->slots = calloc(set->cap, sizeof *set->slots);
    set->order = calloc(set->cap, sizeof *set->order);
    if (set->slots == NULL || set->order == NULL) {
        free(set->slots);
        free(set->order);
        free(set);
        return NULL;
    }
    return set;
}

/* The slot holding s, or the empty slot where it belongs. */
static size_t find(char *const *slots, size_t cap, const char *s)
{
    size_t i = (size_t)hash(s) & (cap - 1);

    while (slots[i] != NULL && strcmp(slots[i], s) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

static int grow(struct snd_strset *set)
{
    size_t cap = set->cap * 2, i, k;
    char **slots = calloc(cap, sizeof *slots);
    long *order = calloc(cap, sizeof *order);

    if (slots == NULL || order == NULL) {
        free(slots);
        free(order);
        return -1;
    }
    for (i = 0; i < set->cap; i++) {
        if (set->slots[i] != NULL) {
            k = find(slots, cap, set->slots[i]);
            slots[k] = set->slots[i];
            order[k] = set->order[i];
        }
    }
    free(set->slots);
    free(set->order);
    set->slots = slots;
    set->order = order;
    set->cap = cap;
    return 0;
}

int snd_strset_add(struct snd_strset *set, const char *s)
{
    size_t i;
    char *copy;

    if (2 * (set->count + 1) > set->cap && grow(set) != 0)
        return -1;
    i = find(set->slots, set->cap, s);
    if (set->slots[i] != NULL)
        return 0;
    copy = strdup(s);
    if (copy == NULL)
        return -1;
    if ((set->count & (set->count - 1)) == 0) { /* a power of two (or 0): grow the list */
        char **list = realloc(set->list, (set->count ? 2 * set->count : 1) * sizeof *list);
        if (list == NULL) {
            free(copy);
            return -1;
        }
        set->list = list;
    }
    set->slots[i] = copy;
    set->list[set->count] = copy;
    set->order[i] = (long)set->count++;
    return 1;
}

int snd_strset_has(const struct snd_strset *set, const char *s)
{
    return set->slots[find(set->slots, set->cap, s)] != NULL;
}

const char *snd_strset_at(const struct snd_strset *set, long index)
{
    return index >= 0 && (size_t)index < set->count ? set->list[index] : NULL;
}

long snd_strset_index(const struct snd_strset *set, const char *s)
{
    size_t i = find(set->slots, set->cap, s);

    return set->slots[i] != NULL ? set->order[i] : -1;
}

size_t snd_strset_count(const struct snd_strset *set)
{
    return set->count;
}

void snd_strset_free(struct snd_strset *set)
{
    size_t i;

    if (set == NULL)
        return;
    for (i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
    free(set->order);
    free(set->list);
    free(set);
}
