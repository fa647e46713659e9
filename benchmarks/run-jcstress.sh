#!/usr/bin/env bash
# Runs the jcstress memory-model tests for the seqlock and the request/acknowledge publication.
#
#   benchmarks/run-jcstress.sh [sanity|quick|default|tough] [--no-build] [--tests REGEX] [--no-self-check]
#
#   sanity (default)  a few seconds per test; what CI runs
#   quick/default/tough  jcstress's longer modes, for runs on demand
#   --tests REGEX     which tests (default: every real test, dev\.vboost\.stress\.[A-Z].*)
#   --no-self-check   skip the run of the deliberately broken variants
#
# Exits non-zero if any real test shows a FORBIDDEN outcome (or errors), and also if jcstress fails to catch
# the deliberately broken variants in dev.vboost.stress.broken (then the harness itself cannot be trusted).
# Uses JAVA_HOME if set, else the java on PATH. Results: benchmarks/target/jcstress-results/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mode=sanity
build=1
self_check=1
tests='dev\.vboost\.stress\.[A-Z].*'
while [ $# -gt 0 ]; do
  case "$1" in
    sanity|quick|default|tough) mode="$1" ;;
    --no-build) build=0 ;;
    --no-self-check) self_check=0 ;;
    --tests) tests="$2"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run-jcstress.sh: unknown argument '$1' (try --help)" >&2; exit 64 ;;
  esac
  shift
done

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [ "$build" = 1 ]; then
  echo "== building (./mvnw -q -B -pl benchmarks -am package -DskipTests)"
  ./mvnw -q -B -pl benchmarks -am package -DskipTests
fi
cp_file="$root/benchmarks/target/runtime-classpath.txt"
[ -f "$cp_file" ] || { echo "run-jcstress.sh: $cp_file missing; run without --no-build" >&2; exit 1; }
classpath="$root/benchmarks/target/classes:$(cat "$cp_file")"
results="$root/benchmarks/target/jcstress-results"
rm -rf "$results"
mkdir -p "$results"

# --enable-native-access is accepted by 17 and keeps jcstress's JNA quiet on 24+
run_jcstress() { # $1 = test regex, $2 = results dir, $3 = mode, then extra jcstress options
  local t="$1" r="$2" m="$3"
  shift 3
  # run inside the results folder: jcstress drops a jcstress-results-*.bin.gz into its working directory
  (cd "$results" && "$java_bin" --enable-native-access=ALL-UNNAMED -cp "$classpath" org.openjdk.jcstress.Main \
    -m "$m" -t "$t" -r "$r" "$@")
}

echo "== jcstress -m $mode -t '$tests' ($("$java_bin" -version 2>&1 | head -1))"
set +e
run_jcstress "$tests" "$results/tests" "$mode" > "$results/tests.log" 2>&1
rc=$?
# the summary, without the progress lines (the whole log stays in the results folder)
sed -n '/RUN RESULTS/,$p' "$results/tests.log"
[ "$rc" -eq 0 ] || tail -30 "$results/tests.log"
set -e
failed=0
if [ "$rc" -ne 0 ]; then
  echo "run-jcstress.sh: jcstress exited $rc: FORBIDDEN outcome or test error in the real tests (see above)" >&2
  failed=1
fi

if [ "$self_check" = 1 ]; then
  echo "== self-check: the deliberately broken variants must FAIL"
  set +e
  # longer iterations than plain sanity so that a torn copy is caught in every run, not by luck
  run_jcstress 'dev\.vboost\.stress\.broken\..*' "$results/broken" sanity -time 300 -iters 3 \
    > "$results/broken.log" 2>&1
  brc=$?
  set -e
  missed=()
  for t in $(cd benchmarks/src/main/java && ls dev/vboost/stress/broken/*Test.java | sed 's#/#.#g; s#\.java$##'); do
    # jcstress prints "[FAILED] <test>" for every configuration with a FORBIDDEN outcome
    if ! grep -qF "[FAILED] $t" "$results/broken.log"; then
      missed+=("$t")
    fi
  done
  if [ "$brc" -eq 0 ] || [ ${#missed[@]} -gt 0 ]; then
    echo "run-jcstress.sh: jcstress did not catch broken variant(s): ${missed[*]:-all} (rc=$brc); log: $results/broken.log" >&2
    failed=1
  else
    echo "   caught: every broken variant showed a FORBIDDEN outcome (rc=$brc), as it must"
  fi
fi

if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "== jcstress $mode: all real tests passed"
