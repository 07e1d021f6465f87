#!/usr/bin/env bash
# The shipped models are in `fabc fmt` canonical form: `fabc fmt --check` accepts every .fab
# file of the given directories (examples, stdlib, the e2e models), so that formatting them
# changes nothing. A file that is not is listed with the diff fmt would make.
# usage: fmt_canonical.sh FABC DIR...
set -u
fabc=$1; shift
fail=0 n=0
for dir in "$@"; do
  for f in "$dir"/*.fab; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    if ! "$fabc" fmt --check "$f" > /dev/null; then
      echo "FAIL: $f is not in canonical form (run: fabc fmt $f)"
      "$fabc" fmt --stdout "$f" 2>/dev/null | diff "$f" - | head -20
      fail=1
    fi
  done
done
[ $fail = 0 ] && echo "ok: $n files in canonical form"
exit $fail
