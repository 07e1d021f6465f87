#!/usr/bin/env bash
# Instructions, L1 data-cache misses and mispredicted branches per event of a line
# benchmark, counted by cachegrind (independent of the machine's load): a run to HORIZON minus
# a run to 1 s (set-up only), divided by the events of the first. The simulated caches are
# this machine's: L1d 48 KiB 12-way, L2 (as cachegrind's last level) 2 MiB 16-way, 64-byte
# lines. The branch predictor is cachegrind's simple model, not this processor's: its count
# compares two builds, it does not predict the hardware's.
#
#   bash bench/runtime/per_event.sh BUILD/bench/runtime/bench_line [HORIZON [ARGS...]]
#   bash bench/runtime/per_event.sh BUILD/bench/runtime/bench_line 60000 --evset heap
#   bash bench/runtime/per_event.sh BUILD/bench/runtime/bench_line_hand
# (HORIZON defaults to 60000; ARGS go to the program.)
set -euo pipefail
bin=${1:?usage: per_event.sh BENCH_PROGRAM [HORIZON [ARGS...]]}
horizon=${2:-60000}
shift $(( $# < 2 ? $# : 2 ))
args=("$@")
run() {
  valgrind --tool=cachegrind --cache-sim=yes --branch-sim=yes --I1=32768,8,64 --D1=49152,12,64 \
    --LL=2097152,16,64 --cachegrind-out-file=/dev/null "$bin" --horizon "$1" "${args[@]}" 2>&1
}
count() {   # the number after "$2" in valgrind's summary, without separators
  sed -n "s/^==[0-9]*== $2 *\([0-9,]*\).*/\1/p" <<< "$1" | tr -d ,
}
long=$(run "$horizon")
short=$(run 1)
events=$(grep -o 'events [0-9]*' <<< "$long" | head -1 | cut -d' ' -f2)
ir=$(( $(count "$long" 'I   refs:') - $(count "$short" 'I   refs:') ))
d1=$(( $(count "$long" 'D1  misses:') - $(count "$short" 'D1  misses:') ))
bcm=$(( $(count "$long" 'Mispredicts:') - $(count "$short" 'Mispredicts:') ))
awk -v e="$events" -v ir="$ir" -v d1="$d1" -v bcm="$bcm" -v b="$(basename "$bin")" -v h="$horizon" \
  'BEGIN { printf "%s  horizon %s s  events %d  instructions/event %.1f  L1d misses/event %.2f  mispredicts/event %.2f\n", b, h, e, ir / e, d1 / e, bcm / e }'
