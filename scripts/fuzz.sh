#!/usr/bin/env bash
# Bounded Jazzer fuzzing of every target that reads peer-written bytes, one target after the other.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET_FILTER]
#
# SECONDS_PER_TARGET defaults to 60. TARGET_FILTER (an extended regex) limits the run to matching
# "Class#method" names, e.g. scripts/fuzz.sh 30 'HostAgent|Slot'.
# The saved inputs (src/test/resources/<package>/<Class>Inputs/<method>/) replay in every ./mvnw verify; this
# script fuzzes beyond them (JAZZER_FUZZ=1) and keeps the corpus it grows in <module>/.cifuzz-corpus/
# (git-ignored). Exits non-zero if any target finds a crash or a broken invariant, and says where the
# input that triggers it was written; copying that file into the target's Inputs directory turns it into a
# regression test.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

seconds="${1:-60}"
filter="${2:-.}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SECONDS_PER_TARGET (positive integer, default 60)] [TARGET_FILTER regex]" >&2
    exit 2
fi

#        module        test class                                               method
targets=(
  "protocol-api dev.vboost.api.fuzz.HypercallCodecFuzzTest                 decode"
  "protocol-api dev.vboost.api.fuzz.RegionImageFuzzTest                    decode"
  "hardening    dev.vboost.hardening.fuzz.RegionAttachFuzzTest             attach"
  "hardening    dev.vboost.hardening.fuzz.SlotSnapshotFuzzTest             hostReadsGuestLines"
  "hardening    dev.vboost.hardening.fuzz.SlotSnapshotFuzzTest             guestReadsHostLines"
  "hardening    dev.vboost.hardening.fuzz.HostAgentFuzzTest                drive"
  "hardening    dev.vboost.hardening.fuzz.TesteeReplyFuzzTest              frames"
  "hardening    dev.vboost.hardening.fuzz.TesteeReplyFuzzTest              payload"
)

mvn=(./mvnw -q -B -o)
[[ -n "${VBOOST_FUZZ_ONLINE:-}" ]] && mvn=(./mvnw -q -B)

echo "fuzz: compiling the targets once"
"${mvn[@]}" -pl hardening -am test-compile

logs="$root/target/fuzz-logs"
mkdir -p "$logs"
failed=()
for t in "${targets[@]}"; do
    read -r module class method <<<"$t"
    simple="${class##*.}"
    name="$simple#$method"
    [[ "$name" =~ $filter ]] || continue
    inputs="$module/src/test/resources/$(dirname "${class//.//}")/${simple}Inputs/$method"
    marker="$(mktemp)"
    log="$logs/$simple-$method.log"
    echo "fuzz: $name for ${seconds}s (log: ${log#"$root"/})"
    start=$SECONDS
    # One target per JVM: jazzer-junit fuzzes a single @FuzzTest per run. JUnit's own timeout is off because
    # it would time the whole run; Jazzer hands each target's @Timeout to libFuzzer as the per-input limit.
    if JAZZER_FUZZ=1 "${mvn[@]}" -pl "$module" -am test -Dtest="$class#$method" \
            -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration="${seconds}s" \
            -Djunit.jupiter.execution.timeout.mode=disabled >"$log" 2>&1; then
        runs="$(grep -ohE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)"
        echo "fuzz: $name ok after $((SECONDS - start))s${runs:+ ($runs(s))}"
    else
        failed+=("$name")
        echo "fuzz: $name FAILED after $((SECONDS - start))s" >&2
        grep -E "FuzzTestFinding|Exception|AssertionFailedError|Error:|timeout" "$log" | head -8 | sed 's/^/    /' >&2 || true
        found="$(find "$root/$module" -newer "$marker" -type f \( -name 'crash-*' -o -name 'timeout-*' \
                    -o -name 'slow-unit-*' -o -name 'oom-*' \) -not -path '*/.cifuzz-corpus/*' -not -path '*/target/*' 2>/dev/null || true)"
        written="$(grep -oE "Test unit written to [^ ]+" "$log" | sed 's/Test unit written to //' || true)"
        if [[ -n "$found$written" ]]; then
            echo "    input that triggers it:" >&2
            printf '%s\n' $found $written | sort -u | sed 's/^/      /' >&2
            echo "    keep it as a regression input in $inputs/" >&2
        else
            echo "    no input file was written (a build or setup error?); see $log" >&2
        fi
    fi
    rm -f "$marker"
done

if ((${#failed[@]} > 0)); then
    echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: every target ran ${seconds}s without a finding"
