#!/usr/bin/env bash
# The doorbell measurements of docs/performance.md ("Doorbell", spec §12), all in one run on one machine:
#   1. request -> boosted -> acknowledged between host processes, p50/p99/max: the raw C baseline
#      (src/main/c/doorbell_baseline.c), then the Java agent with the doorbell (an eventfd rung by the guest
#      process stands in for KVM's ioeventfd) and in lazy mode, the guest waiting with awaitActed; and the
#      doorbell again with a guest that busy-spins (the agent's share alone); interleaved REPEAT times;
#   2. the agent's CPU while every guest is idle: 1, 16 and 64 VMs x 8 vCPUs, lazy vs doorbell;
#   3. lazy mode's trade-off: poll period vs idle CPU vs latency.
#
#   benchmarks/run-doorbell.sh [quick|long] [--no-build]
#
#   quick (default)  2,000 round trips per measurement, 5 s idle windows, REPEAT 2: about 5 minutes
#   long             10,000 round trips, 20 s idle windows, REPEAT 3
#
# Needs root (or CAP_SYS_NICE) for SCHED_FIFO and sched_setattr, gcc, Linux. Uses JAVA_HOME if set.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mode=quick
build=1
for a in "$@"; do
  case "$a" in
    quick|long) mode="$a" ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run-doorbell.sh: unknown argument '$a' (try --help)" >&2; exit 2 ;;
  esac
done
if [ "$mode" = long ]; then rounds=10000; idle_s=20; repeat=3; else rounds=2000; idle_s=5; repeat=2; fi
warmup=2000
gap_us=500
fifo=10
safety_us=100000   # the doorbell agent's safety poll (the agent's longest idle poll)
lazy_us=200        # the agent's default poll period

command -v gcc >/dev/null || { echo "run-doorbell.sh: gcc is needed for the C baseline" >&2; exit 2; }
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [ "$build" = 1 ]; then
  echo "== building benchmarks (./mvnw -q -B -pl benchmarks -am package -DskipTests)"
  ./mvnw -q -B ${MVNW_ARGS:-} -pl benchmarks -am package -DskipTests
fi
cp_file="$root/benchmarks/target/runtime-classpath.txt"
[ -f "$cp_file" ] || { echo "run-doorbell.sh: $cp_file missing; run without --no-build" >&2; exit 1; }
classpath="$root/benchmarks/target/classes:$(cat "$cp_file")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 -Wall -Wextra -Werror -pthread -o "$work/doorbell_baseline" benchmarks/src/main/c/doorbell_baseline.c
bench() { "$java_bin" -XX:+UseSerialGC -cp "$classpath" dev.vboost.bench.doorbell.DoorbellBench "$@"; }

echo "== machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1), kernel $(uname -r)"
echo "== JDK: $("$java_bin" -version 2>&1 | head -1)"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 1. round trip ($rounds rounds after $warmup warm-up, ${gap_us} us apart; agent/waker SCHED_FIFO $fifo)"
for i in $(seq 1 "$repeat"); do
  "$work/doorbell_baseline" "$rounds" "$gap_us" "$fifo"
  bench roundtrip doorbell "$warmup" "$rounds" "$gap_us" "$safety_us" "$fifo" await
  bench roundtrip lazy "$warmup" "$rounds" "$gap_us" "$lazy_us" "$fifo" await
  bench roundtrip doorbell "$warmup" "$rounds" "$gap_us" "$safety_us" "$fifo" spin
done
echo "== 2. idle agent CPU (${idle_s} s windows; lazy polls every ${lazy_us} us, doorbell safety poll ${safety_us} us)"
for vms in 1 16 64; do
  bench idle lazy "$vms" 8 "$idle_s" "$lazy_us"
  bench idle doorbell "$vms" 8 "$idle_s" "$safety_us"
done
echo "== 3. lazy mode: poll period vs idle CPU (64 x 8) vs round trip"
for p in 50 200 1000 5000; do
  bench idle lazy 64 8 "$idle_s" "$p"
  bench roundtrip lazy "$warmup" "$((rounds / 2))" "$gap_us" "$p" "$fifo" await
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
