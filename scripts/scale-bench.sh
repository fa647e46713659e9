#!/usr/bin/env bash
# Scale benchmark: one host agent with 1, 16, 64 and 256 VMs of 4-8 vCPUs over region files, guests idle and
# guests requesting at a steady rate, the agent in lazy mode (polling every 200 us) and in doorbell mode (one
# ivshmem server per VM, one eventfd waiter, 100 ms safety poll; the guests ring after each publication).
# Prints one line per run, the load average before and after, and a Markdown table for docs/performance.md
# ("One agent, many VMs"). Needs root or CAP_SYS_NICE (the vCPU threads are boosted for real; they are parked
# threads of the driver process, so that costs nothing but the syscalls).
# 16 runs of SECONDS + about 4 s each by default (about 4 minutes at 10 s); MODES "lazy" or "doorbell" halves it.
#   scripts/scale-bench.sh [SECONDS per run, default 10] [RATE per VM per second, default 20] [MODES, default "lazy doorbell"]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-10}"
rate="${2:-20}"
modes="${3:-lazy doorbell}"
for m in $modes; do
  if [[ "$m" != lazy && "$m" != doorbell ]]; then
    echo "scale-bench.sh: MODES must be lazy and/or doorbell, got '$m'" >&2
    exit 2
  fi
done
jar="$root/tools/target/vboost.jar"
if [[ ! -f "$jar" ]]; then
  (cd "$root" && ./mvnw -q -B -pl tools -am package -DskipTests)
fi
dir="$(mktemp -d /dev/shm/vboost-scale.XXXXXX)"
trap 'rm -rf "$dir"' EXIT
echo "before: $(uptime)"
results=()
for vms in 1 16 64 256; do
  for mode in idle steady; do
    for agent in $modes; do
      line="$(java -XX:+UseSerialGC -Xss256k -cp "$jar" dev.vboost.tools.bench.ScaleBench run "$vms" "$mode" \
        "$seconds" "$rate" "$dir" "$agent")"
      echo "$line"
      results+=("$line")
    done
  done
done
echo "after: $(uptime)"
echo
echo "| VMs | vCPUs | guests | agent | boosts/s (all VMs) | agent CPU (% of a core) | agent RSS (MiB) | loop wake-ups/s | request -> boosted p50 / p99 (us) |"
echo "|---:|---:|---|---|---:|---:|---:|---:|---|"
for line in "${results[@]}"; do
  declare -A f=()
  for kv in $line; do f["${kv%%=*}"]="${kv#*=}"; done
  if [[ "${f[mode]}" == idle ]]; then
    lat="-"
    guests="idle"
  else
    lat="${f[p50_us]} / ${f[p99_us]}"
    guests="${f[rate_per_vm]}/s each"
  fi
  printf '| %s | %s | %s | %s | %.0f | %.1f | %s | %.0f | %s |\n' "${f[vms]}" "${f[vcpus]}" "$guests" \
    "${f[agent_mode]}" "$(awk -v r="${f[requests]}" -v s="${f[seconds]}" 'BEGIN{print r/s}')" \
    "$(awk -v c="${f[cpu_share]}" 'BEGIN{print c*100}')" "${f[rss_mib]}" \
    "$(awk -v w="${f[wakeups]}" -v s="${f[seconds]}" 'BEGIN{print w/s}')" "$lat"
  unset f
done
