#!/usr/bin/env bash
# Inputs that once crashed the front end (tests/fuzz/corpus) and hostile inputs made here:
# `fabc check` and `fabc fmt --stdout` must end with status 0 or 1, never by a signal, and
# (in sanitizer builds) without a sanitizer report.
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
# 10^5-deep nesting of each bracket kind, an identifier and a line of 200 000 bytes
python3 -c 'print("fn f(x) = " + "(" * 100000 + "x" + ")" * 100000)' > "$tmp/deep-parens.fab"
python3 -c 'print("station s " + "{" * 100000 + "}" * 100000)' > "$tmp/deep-braces.fab"
python3 -c 'print("model \"x\" { horizon = " + "[" * 100000 + " }")' > "$tmp/deep-brackets.fab"
python3 -c 'print("station " + "x" * 200000 + " { cycle = 1 s }")' > "$tmp/long-ident.fab"
python3 -c 'print("// " + "c" * 200000); print("/* only comments */")' > "$tmp/only-comments.fab"
printf 'part P\n\xff\xfe\xc3\x28 station \xe2\x82 s { cycle = 1 s }\n' > "$tmp/bad-utf8.fab"
printf 'part P\0\nsink \0k\n' > "$tmp/nul-bytes.fab"
printf 'model "x { horizon = 1e999999 h; warmup = 1__0 s; seed = 0x; replications = 1.2.3 }\n' > "$tmp/bad-numbers.fab"
printf 'part P /* never closed\n' > "$tmp/open-comment.fab"
printf 'template T(c: time) station { cycle = T(c: c) }\nstation t = T(c: 1 s)\n' > "$tmp/template-self.fab"
# 40 000 errors naming unknown elements among 20 000 declared ones: "did you mean" searches
# stop at the error limit (they once made this file take minutes: the test times out then)
python3 -c 'import sys; sys.stdout.write("".join("staton m%d { cycle = 1 s }\nflow m%d -> x%d\n" % (i, i, i) for i in range(20000)))' > "$tmp/many-errors.fab"
printf 'import "cyc-b.fab"\npart A\n' > "$tmp/cyc-a.fab"
printf 'import "cyc-c.fab"\npart B\n' > "$tmp/cyc-b.fab"
printf 'import "cyc-a.fab"\npart C\n' > "$tmp/cyc-c.fab"
fail=0 n=0
for f in "$corpus"/* "$tmp"/*.fab; do
  n=$((n + 1))
  for cmd in "check" "fmt --stdout"; do
    $fabc $cmd "$f" > /dev/null 2> "$tmp/stderr"
    st=$?
    if [ $st -gt 1 ]; then echo "FAIL: fabc $cmd $f exited with $st"; fail=1; fi
    # under ASan/UBSan a report may still end with status 1: look for it
    if grep -q 'runtime error:\|AddressSanitizer\|LeakSanitizer' "$tmp/stderr"; then
      echo "FAIL: fabc $cmd $f: sanitizer report"; head -20 "$tmp/stderr"; fail=1
    fi
  done
done
[ $fail = 0 ] && echo "ok: $n hostile inputs"
exit $fail
