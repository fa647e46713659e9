#!/usr/bin/env bash
# Builds the benchmarks (and what they depend on), runs the JMH set with the GC profiler in bounded time and
# prints one table: time per operation, ratio to the raw baseline with its target, bytes allocated per op.
#
#   benchmarks/run-benchmarks.sh [quick|long] [--include REGEX] [--json FILE] [--check] [--no-build]
#
#   quick (default)  1 fork, 2 x 1 s warm-up, 3 x 1 s measurement: 12 benchmarks in about 2.5 minutes
#   long             2 forks, 5 x 2 s warm-up, 5 x 2 s measurement: about 10 minutes
#   --include REGEX  only benchmarks matching REGEX (JMH syntax), e.g. 'RoundTrip|PingPong'
#   --json FILE      also write JMH's JSON results (default: benchmarks/target/jmh-result.json)
#   --check          exit 2 when a target is missed
#   --no-build       reuse the last build
#
# Uses JAVA_HOME if set, else the java on PATH. JMH never runs in `./mvnw verify`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

build=1
pass=()
json="$root/benchmarks/target/jmh-result.json"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --json) json="$2"; shift ;;
    quick|long|--check) pass+=("$1") ;;
    --include) pass+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run-benchmarks.sh: unknown argument '$1' (try --help)" >&2; exit 64 ;;
  esac
  shift
done

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [ "$build" = 1 ]; then
  echo "== building benchmarks (./mvnw -q -B -pl benchmarks -am package -DskipTests)"
  ./mvnw -q -B -pl benchmarks -am package -DskipTests
fi
cp_file="$root/benchmarks/target/runtime-classpath.txt"
[ -f "$cp_file" ] || { echo "run-benchmarks.sh: $cp_file missing; run without --no-build" >&2; exit 1; }
classpath="$root/benchmarks/target/classes:$(cat "$cp_file")"

echo "== machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1), kernel $(uname -r)"
echo "== JDK: $("$java_bin" -version 2>&1 | head -1)"
echo "== load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
# The host JVM gets no Chronicle flags: only the Chronicle forks add them (@Fork(jvmArgsAppend)).
"$java_bin" -cp "$classpath" dev.vboost.bench.RunBenchmarks "${pass[@]}" --json "$json"
echo "== load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== JMH JSON: $json"
