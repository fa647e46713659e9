#!/usr/bin/env bash
# Scale benchmark: one host agent with 1, 16, 64 and 256 VMs of 4-8 vCPUs over region files (lazy mode),
# guests idle and guests requesting at a steady rate. Prints one line per run and a Markdown table for
# docs/performance.md ("One agent, many VMs"). Needs root or CAP_SYS_NICE (the vCPU threads are boosted for
# real; they are parked threads of the driver process, so that costs nothing but the syscalls).
#   scripts/scale-bench.sh [SECONDS per run, default 10] [RATE per VM per second, default 20]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-10}"
rate="${2:-20}"
jar="$root/tools/target/vboost.jar"
if [[ ! -f "$jar" ]]; then
  (cd "$root" && ./mvnw -q -B -pl tools -am package -DskipTests)
fi
dir="$(mktemp -d /dev/shm/vboost-scale.XXXXXX)"
trap 'rm -rf "$dir"' EXIT
results=()
for vms in 1 16 64 256; do
  for mode in idle steady; do
    line="$(java -XX:+UseSerialGC -Xss256k -cp "$jar" dev.vboost.tools.bench.ScaleBench run "$vms" "$mode" "$seconds" "$rate" "$dir")"
    echo "$line"
    results+=("$line")
  done
done
echo
echo "| VMs | vCPUs | guests | boosts/s (all VMs) | agent CPU (% of a core) | agent RSS (MiB) | request -> boosted p50 / p99 (us) |"
echo "|---:|---:|---|---:|---:|---:|---|"
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
  printf '| %s | %s | %s | %.0f | %.1f | %s | %s |\n' "${f[vms]}" "${f[vcpus]}" "$guests" \
    "$(awk -v r="${f[requests]}" -v s="${f[seconds]}" 'BEGIN{print r/s}')" \
    "$(awk -v c="${f[cpu_share]}" 'BEGIN{print c*100}')" "${f[rss_mib]}" "$lat"
  unset f
done
