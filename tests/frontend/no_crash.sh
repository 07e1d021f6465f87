#!/usr/bin/env bash
# Inputs that once crashed the front end (tests/fuzz/corpus) and hostile inputs made here:
# `fabc check` and `fabc fmt --stdout` must end with status 0 or 1, never by a signal.
# usage: no_crash.sh FABC CORPUS_DIR
set -u
fabc=$1 corpus=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 4096 /dev/urandom > "$tmp/random.fab" 2>/dev/null || true
printf 'model "x" { horizon = %s h }\n' "$(printf '9%.0s' $(seq 1 400))" > "$tmp/huge-number.fab"
python3 -c 'print("fn f(x) = " + "-" * 5000 + "x")' > "$tmp/deep-unary.fab"
python3 -c 'print("fn f(x) = x" + " + x" * 20000)' > "$tmp/long-chain.fab"
printf 'import "self.fab"\n' > "$tmp/self.fab"
: > "$tmp/empty.fab"
fail=0 n=0
for f in "$corpus"/* "$tmp"/*.fab; do
  n=$((n + 1))
  for cmd in "check" "fmt --stdout"; do
    $fabc $cmd "$f" > /dev/null 2>&1
    st=$?
    if [ $st -gt 1 ]; then echo "FAIL: fabc $cmd $f exited with $st"; fail=1; fi
  done
done
[ $fail = 0 ] && echo "ok: $n hostile inputs"
exit $fail
