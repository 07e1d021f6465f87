#!/usr/bin/env bash
# Inputs that once crashed the front end (tests/fuzz/corpus) and hostile inputs made here:
# `fabc check` and `fabc fmt --stdout` must end with status 0 or 1, never by a signal.
# usage: no_crash.sh FABC CORPUS_DIR
set -u
fabc=$1 corpus=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# fixed-seed garbage, so that the test is reproducible
python3 -c 'import random, sys; random.seed(7); sys.stdout.buffer.write(bytes(random.randrange(256) for _ in range(4096)))' > "$tmp/random.fab"
python3 -c 'import random, sys; random.seed(8); t = "model part station buffer flow route { } ( ) [ ] = : ; -> 1 2.5 s min % inf when otherwise if then else , \" /* // x y".split(" "); sys.stdout.write(" ".join(random.choice(t) for _ in range(3000)))' > "$tmp/token-soup.fab"
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
