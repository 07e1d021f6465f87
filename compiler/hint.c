/*
 * hint.c — edit distance (Damerau-style transpositions counted as one edit) for suggestions.
 */
#include "hint.h"

#include <string.h>
#include <strings.h>

#define HINT_MAX 64

int hint_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la >= HINT_MAX || lb >= HINT_MAX)
        return 1000;
    int d[HINT_MAX][HINT_MAX];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

const char *hint_nearest(const char *word, const char *const *cands, size_t n)
{
    size_t len = strlen(word);
    int limit = (int)(len / 3);
    if (limit < 1)
        limit = 1;
    const char *best = NULL;
    int bestd = limit + 1;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i] || strcmp(cands[i], word) == 0)
            continue;
        int dd = hint_distance(word, cands[i]);
        /* a case-only difference is the closest possible hint */
        if (strlen(cands[i]) == len && strcasecmp(cands[i], word) == 0)
            dd = 0;
        /* one letter is too little to guess from: `s` is not a typo of `A` */
        if (len == 1 && dd != 0)
            continue;
        if (dd < bestd) {
            bestd = dd;
            best = cands[i];
        }
    }
    return best;
}
