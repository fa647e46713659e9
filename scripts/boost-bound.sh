#!/usr/bin/env bash
# Boost-length bound under a starving load (docs/performance.md, "Boost-length bound"): a spinning vCPU process
# and the agent thread on CPU 0, a SCHED_OTHER and a SCHED_RR 1 hog on every CPU, boosts of the ceiling that the
# agent must end at MAX_BOOST_MS; an observer at SCHED_FIFO 99 measures each boost's real length from the
# thread's side. Run twice: the agent thread at SCHED_FIFO above the ceiling (what the agent does by default),
# then at SCHED_OTHER (what it falls back to where RT is refused). Needs root (or CAP_SYS_NICE), chrt, taskset.
# The RR hogs leave other work on the machine only the kernel's RT-throttling share while a run lasts.
#   scripts/boost-bound.sh [BOOSTS with the agent at FIFO, default 500] [BOOSTS at OTHER, default 10] [MAX_BOOST_MS, default 2]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fifo_boosts="${1:-500}"
other_boosts="${2:-10}"
max_ms="${3:-2}"
jar="$root/tools/target/vboost.jar"
if [[ ! -f "$jar" ]]; then
  (cd "$root" && ./mvnw -q -B -pl tools -am package -DskipTests)
fi
for tool in chrt taskset; do
  command -v "$tool" >/dev/null || { echo "boost-bound.sh: $tool (util-linux) is needed" >&2; exit 2; }
done
# little allocation and no periodic safepoint: the JVM's own threads are starved by the RR hogs too
jvm=(-XX:+UseSerialGC -Xmn256m -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0)
echo "machine: $(nproc) CPU(s), $(uname -r), $(java -version 2>&1 | head -n 1), sched_rt_runtime_us=$(cat /proc/sys/kernel/sched_rt_runtime_us), load $(cut -d' ' -f1-3 /proc/loadavg)"
java "${jvm[@]}" -cp "$jar" dev.vboost.tools.bench.BoostBound fifo "$fifo_boosts" "$max_ms"
java "${jvm[@]}" -cp "$jar" dev.vboost.tools.bench.BoostBound other "$other_boosts" "$max_ms"
