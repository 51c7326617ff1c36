/* fuzz_tsv: the table reader on arbitrary bytes: every row read, every field touched and
 * parsed as a number, as tools that read tables do. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct snd_err err = {0};
    FILE *f;
    struct snd_tsv_reader *r;
    int i;

    if (size == 0)
        return 0;
    f = fmemopen((void *)data, size, "r");
    if (f == NULL)
        return 0;
    r = snd_tsv_open_stream(f, "fuzz", &err);
    if (r != NULL) {
        snd_tsv_col(r, "id");
        while (snd_tsv_next(r, &err) == 1) {
            for (i = 0; i < snd_tsv_ncols(r); i++) {
                double v;
                (void)strlen(snd_tsv_field(r, i));
                snd_tsv_field_double(r, i, &v, &err);
            }
        }
        snd_tsv_close(r);
    }
    fclose(f);
    return 0;
}
