#!/usr/bin/env bash
# fmt is idempotent and keeps the checked model: for every .fab file of the given directories
# (examples, stdlib, the golden files),
#   fmt(fmt(x)) == fmt(x), fmt keeps every comment (line and block), and
#   check --dump of fmt(x) equals check --dump of x (files that check without errors).
# A file with syntax errors is skipped when fmt refuses it (fmt must accept every file that
# check accepts).
# usage: fmt_idempotent.sh FABC DIR...
set -u
fabc=$1; shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for dir in "$@"; do
  for f in "$dir"/*.fab; do
    n=$((n + 1))
    base=$(basename "$f")
    # format a copy next to the original so that relative imports still resolve
    "$fabc" check "$f" > /dev/null 2>&1; checked=$?
    if ! "$fabc" fmt --stdout "$f" > "$tmp/once.fab" 2>/dev/null; then
      if [ $checked = 0 ]; then echo "FAIL: fmt $f"; fail=1; fi
      n=$((n - 1)); continue
    fi
    "$fabc" fmt --stdout "$tmp/once.fab" > "$tmp/twice.fab"
    if ! cmp -s "$tmp/once.fab" "$tmp/twice.fab"; then
      echo "FAIL: fmt is not idempotent on $f"; diff "$tmp/once.fab" "$tmp/twice.fab" | head -20; fail=1
    fi
    # in place: `fmt FILE` writes what --stdout prints, after which --check is silent
    cp "$f" "$tmp/inplace.fab" && chmod u+w "$tmp/inplace.fab"   # fmt refuses read-only files
    "$fabc" fmt "$tmp/inplace.fab" && cmp -s "$tmp/inplace.fab" "$tmp/once.fab" \
      && "$fabc" fmt --check "$tmp/inplace.fab" > /dev/null \
      || { echo "FAIL: fmt in place / fmt --check on a copy of $f"; fail=1; }
    c1=$(grep -o '//\|/\*' "$f" | wc -l); c2=$(grep -o '//\|/\*' "$tmp/once.fab" | wc -l)
    if [ "$c1" != "$c2" ]; then echo "FAIL: fmt lost comments of $f ($c1 -> $c2)"; fail=1; fi
    if [ $checked = 0 ]; then
      # the formatted copy lives in a temporary directory; -I finds the original's imports
      mkdir -p "$tmp/m"
      cp "$tmp/once.fab" "$tmp/m/$base"
      "$fabc" check --dump "$f" > "$tmp/d1" 2>/dev/null
      "$fabc" check --dump -I "$dir" "$tmp/m/$base" > "$tmp/d2" 2>/dev/null
      if ! diff -q "$tmp/d1" "$tmp/d2" >/dev/null; then
        echo "FAIL: the checked model of fmt($f) differs"; diff "$tmp/d1" "$tmp/d2" | head -20; fail=1
      fi
    fi
  done
done
[ $fail = 0 ] && echo "ok: fmt idempotent and model-preserving on $n files"
exit $fail
