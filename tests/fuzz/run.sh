#!/usr/bin/env bash
# Run each libFuzzer target of the front end for SECONDS, starting from the seed corpus
# (examples/, stdlib/ and tests/golden/*.fab). Fails when any target finds a crash, a leak,
# undefined behaviour or a timeout. FUZZ_SEED (environment) fixes libFuzzer's mutation seed, so
# that a run repeats the mutations of an earlier run with the same seed (the first N inputs, N
# depending on the machine's speed); unset or 0 draws a new seed each run.
#
#   bash tests/fuzz/run.sh BUILD_DIR SECONDS
#   (BUILD_DIR configured with: CC=clang-19 meson setup build-fuzz -Dfuzz=true -Dtests=false
#                               -Db_sanitize=address,undefined)
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR SECONDS}
seconds=${2:-60}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/seed"
cp "$src"/examples/*.fab "$src"/stdlib/*.fab "$src"/tests/golden/*.fab "$src"/tests/fuzz/corpus/* "$work/seed/"
status=0
for stage in lex parse sema; do
  exe="$build/tests/fuzz/fuzz_$stage"
  [ -x "$exe" ] || { echo "run.sh: $exe not built (configure with -Dfuzz=true)"; exit 2; }
  mkdir -p "$work/corpus_$stage"
  echo "== fuzz_$stage for ${seconds}s"
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
      "$exe" -seed="${FUZZ_SEED:-0}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus_$stage" "$work/seed" \
      > "$work/log_$stage" 2>&1; then
    echo "fuzz_$stage FAILED:"; tail -60 "$work/log_$stage"
    mkdir -p "$src/tests/fuzz/crashes"
    cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$src/tests/fuzz/crashes/" 2>/dev/null || true
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$work/log_$stage" | tail -2
  fi
done
exit $status
