#!/usr/bin/env bash
# bench_line (the runtime through the C API) against bench_line_hand (the hand-written line),
# run alternately N times (default 9) on the 200 000 s line; prints the best and median CPU
# seconds of each, events per CPU second, and the ratio runtime / hand-written of the best
# times and the median of the per-pair ratios. Alternating the two puts both under the same
# conditions of a shared machine; CPU time leaves out the time other processes held the core.
#
#   bash bench/runtime/compare_line.sh BUILD [N]
set -euo pipefail
build=${1:?usage: compare_line.sh BUILD [N]}
n=${2:-9}
cpu() { "$@" --horizon 200000 | grep -o 'cpu [0-9.]*' | cut -d' ' -f2; }
events=$("$build/bench/runtime/bench_line_hand" --horizon 200000 | grep -o 'events [0-9]*' | cut -d' ' -f2)
for _ in $(seq "$n"); do
  echo "$(cpu "$build/bench/runtime/bench_line") $(cpu "$build/bench/runtime/bench_line_hand")"
done | awk -v n="$n" -v ev="$events" '
  { r[NR] = $1; h[NR] = $2; q[NR] = $1 / $2 }
  function median(a, k,   i, j, t, b) {
    for (i = 1; i <= k; i++) b[i] = a[i]
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
    return k % 2 ? b[(k + 1) / 2] : (b[k / 2] + b[k / 2 + 1]) / 2
  }
  function least(a, k,   i, m) { m = a[1]; for (i = 2; i <= k; i++) if (a[i] < m) m = a[i]; return m }
  END {
    br = least(r, n); bh = least(h, n)
    printf "runtime       best %.3f s  median %.3f s  %.2f M events/s (best)\n", br, median(r, n), ev / br / 1e6
    printf "hand-written  best %.3f s  median %.3f s  %.2f M events/s (best)\n", bh, median(h, n), ev / bh / 1e6
    printf "ratio runtime / hand-written: best times %.2f, median of %d pairs %.2f\n", br / bh, n, median(q, n)
  }'
