/*
 * hint.h — "did you mean" suggestions: the nearest candidate by edit distance.
 * In: a word and candidates. Out: a candidate pointer or NULL when none is close enough
 * (distance <= max(1, len/3); a one-letter word only gets a case-only hint). No allocation
 * beyond a small stack buffer; words longer than 63 bytes get no suggestion.
 */
#ifndef FAB_HINT_H
#define FAB_HINT_H

#include <stddef.h>

int hint_distance(const char *a, const char *b);
const char *hint_nearest(const char *word, const char *const *cands, size_t n);

#endif
