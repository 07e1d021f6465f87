/*
 * fmt.h — the canonical formatter of `fabc fmt`.
 *
 * In:  a parsed file (AST with no syntax errors) and its comments.
 * Out: canonical text: two-space indentation, one property per line, single spaces around
 *      binary operators and after commas and colons, blank lines between declarations kept
 *      (at most one), comments kept at their position (own-line comments before the next
 *      construct, trailing comments at the end of the line).
 * The output, formatted again, is identical; it parses to the same checked model.
 * Memory: the result is malloc'ed (caller frees).
 * Not handled: files with syntax errors (the driver refuses to format them).
 */
#ifndef FAB_FMT_H
#define FAB_FMT_H

#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

/* Returns a malloc'ed NUL-terminated string, or NULL when out of memory. */
char *fmt_file(diag_ctx *dc, uint32_t file, ast_node *root, const ptrvec *comments, size_t *len);

#endif
