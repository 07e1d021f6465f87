#!/usr/bin/env bash
# Every examples/*.fab must pass `fabc check` with exit status 0, without errors or warnings.
# usage: check_examples.sh FABC EXAMPLES_DIR
set -u
fabc=$1 dir=$2 fail=0 n=0
for f in "$dir"/*.fab; do
  n=$((n + 1))
  if ! out=$("$fabc" check --color=never "$f" 2>&1); then
    echo "FAIL: fabc check $f"; echo "$out"; fail=1
  elif printf '%s' "$out" | grep -q 'error\|warning'; then
    echo "FAIL: $f printed errors or warnings"; echo "$out"; fail=1
  elif ! "$fabc" check --json "$f" | python3 -c 'import json, sys; m = json.load(sys.stdin); assert m["elements"]'; then
    echo "FAIL: check --json $f is not valid JSON with elements"; fail=1
  elif [ -z "$("$fabc" check --dump "$f" | grep '^element')" ]; then
    echo "FAIL: check --dump $f lists no element"; fail=1
  fi
done
# all at once, as `fabc check FILE...`
"$fabc" check --color=never "$dir"/*.fab || { echo "FAIL: fabc check on all examples at once"; fail=1; }
# command-line errors: one line naming the option, exit status 2
for args in "check --bogus x.fab" "check" "check -I" "check --color=sometimes x.fab" "fmt --bogus x.fab" "fmt" "frobnicate"; do
  err=$("$fabc" $args 2>&1 >/dev/null); st=$?
  if [ $st -ne 2 ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
    echo "FAIL: 'fabc $args' gave status $st and: $err"; fail=1
  fi
done
[ "$n" -ge 5 ] || { echo "FAIL: expected at least the 5 contract examples, found $n"; fail=1; }
[ $fail = 0 ] && echo "ok: $n examples check"
exit $fail
