/*
 * driver_build.h — the `fabc build` and `fabc run` commands (called from compiler/main.c's
 * command table).
 *
 *   fabc build FILE [-o OUT] [-O N] [--emit-llvm FILE] [--emit-llvm-unoptimized FILE]
 *              [-I DIR] [--time]
 *   fabc run [--verbose] [-O N] [-I DIR] FILE [-- SIMULATOR ARGS...]
 *
 * argv[0] is the command name ("build" / "run"); the rest are its arguments.
 * Return value: the process exit status — 0 success, 1 errors in the model or a failed
 * compile/link, 2 a bad command line (one line on stderr naming the option). `fabc run` replaces
 * the fabc process with the simulator on success, so the simulator's exit status is fabc's.
 */
#ifndef FAB_DRIVER_BUILD_H
#define FAB_DRIVER_BUILD_H

#include <stddef.h>

int drv_build(int argc, char **argv);
int drv_run(int argc, char **argv);

/* The stdlib directory into buf: the source tree's when fabc runs from the build tree, else
 * <prefix>/<datadir>/fab/stdlib beside the installed fabc (the datadir meson was given), else
 * the source tree's. Every command (check, fmt, build, run) imports "std/..." from it. */
void drv_stdlib_dir(char *buf, size_t n);

#endif
