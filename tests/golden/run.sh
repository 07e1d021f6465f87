#!/usr/bin/env bash
# Golden suite: every tests/golden/<rule>.fab is checked with `fabc check` and its
# diagnostics (stderr) plus exit status are compared with <rule>.err next to it. When a
# <rule>.fmt exists too, `fabc fmt --stdout <rule>.fab` must print exactly that.
#
#   tests/golden/run.sh FABC            compare (exit 1 on any difference, with a diff)
#   tests/golden/run.sh FABC --bless    rewrite every .err from the current output
#   FAB_BLESS=1 meson test -C build --suite golden    the same through meson
#
# Files are checked from inside tests/golden, so paths in the output are relative. The
# stdlib is the source tree's (the fabc under test resolves it). Colour is off.
set -u
fabc=$(realpath "$1")
bless=${FAB_BLESS:-0}
if [ "${2:-}" = "--bless" ]; then bless=1; fi
cd "$(dirname "$0")"
# the stdlib's absolute path depends on the checkout: print it as <stdlib>
stdlib=$(cd ../../stdlib && pwd -P)
fail=0 count=0
for src in *.fab; do
  name=${src%.fab}
  count=$((count + 1))
  actual=$(FAB_PATH= "$fabc" check --color=never "$src" 2>&1 >/dev/null; echo "exit status: $?")
  actual=${actual//$stdlib/<stdlib>}
  if [ "$bless" = 1 ]; then
    printf '%s\n' "$actual" > "$name.err"
  elif [ ! -f "$name.err" ]; then
    echo "MISSING $name.err (run with --bless)"; fail=1
  elif ! diff -u "$name.err" <(printf '%s\n' "$actual") > /tmp/golden-diff.$$; then
    echo "FAIL $name"; cat /tmp/golden-diff.$$; fail=1
  fi
  if [ -f "$name.fmt" ]; then
    if [ "$bless" = 1 ]; then
      "$fabc" fmt --stdout "$src" > "$name.fmt"
    elif ! "$fabc" fmt --stdout "$src" | diff -u "$name.fmt" - > /tmp/golden-diff.$$; then
      echo "FAIL $name (fmt)"; cat /tmp/golden-diff.$$; fail=1
    fi
  fi
done
rm -f /tmp/golden-diff.$$
if [ "$bless" = 1 ]; then echo "blessed $count golden files"; exit 0; fi
if [ $fail = 0 ]; then echo "ok: $count golden files"; fi
exit $fail
