#!/usr/bin/env bash
# Two or more builds of a line benchmark against each other: the programs run in turn, N
# rounds (default 40) to HORIZON simulated seconds (default 50 000), and for each the minimum,
# 20th percentile and median CPU seconds are printed. Interference from other processes or
# from the host only ever adds time, so the low quantiles of many short alternating runs
# compare builds more steadily than single long runs on a machine whose speed varies.
#
#   bash bench/runtime/ab_line.sh [-n N] [-h HORIZON] PROGRAM...
#   bash bench/runtime/ab_line.sh -n 40 /tmp/bench_line.before build/bench/runtime/bench_line
set -euo pipefail
n=40
horizon=50000
while getopts n:h: opt; do
  case $opt in
    n) n=$OPTARG ;;
    h) horizon=$OPTARG ;;
    *) echo "usage: ab_line.sh [-n N] [-h HORIZON] PROGRAM..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
(( $# >= 1 )) || { echo "usage: ab_line.sh [-n N] [-h HORIZON] PROGRAM..." >&2; exit 2; }
for _ in $(seq "$n"); do
  row=""
  for prog in "$@"; do
    row="$row $("$prog" --horizon "$horizon" | grep -o 'cpu [0-9.]*' | cut -d' ' -f2)"
  done
  echo "$row"
done | awk -v names="$*" '
  BEGIN { k = split(names, name, " ") }
  { for (i = 1; i <= k; i++) t[i, NR] = $i }
  END {
    for (i = 1; i <= k; i++) {
      for (j = 1; j <= NR; j++) y[j] = t[i, j]
      for (j = 1; j <= NR; j++) for (l = j + 1; l <= NR; l++) if (y[l] < y[j]) { s = y[j]; y[j] = y[l]; y[l] = s }
      printf "%s  min %.4f s  p20 %.4f s  median %.4f s\n", name[i], y[1], y[int(NR * 0.2) + 1], y[int((NR + 1) / 2)]
    }
  }'
