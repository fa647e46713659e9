#!/usr/bin/env bash
# Model-checks the vboost handshake (spec/model/handshake.pml) with SPIN.
#
#   spec/model/check.sh            every configuration: safety, then liveness (every boost ends),
#                                  then every mutant, which must FAIL with the expected error
#   spec/model/check.sh --quick    the base configuration and one mutant only
#
# Exits non-zero if a check finds an error, a search is cut short, or a mutant is NOT caught.
# Installs the Debian package 'spin' when it is missing and CI=true (as root).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
quick=false
[[ "${1:-}" == "--quick" ]] && quick=true

if ! command -v spin >/dev/null 2>&1; then
    if [[ "${CI:-}" == "true" ]] && command -v apt-get >/dev/null 2>&1; then
        echo "spin not found: installing the Debian package"
        apt-get update -qq && apt-get install -y -qq spin >/dev/null
    else
        echo "check.sh: 'spin' is not installed (apt-get install spin)" >&2
        exit 2
    fi
fi
command -v gcc >/dev/null 2>&1 || { echo "check.sh: gcc is needed to build the verifier" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here"/*.pml "$work"/

# Bounded configurations. Each is checked exhaustively; together they cover every step of the model.
#   name      spin -D flags
configs=(
  "base     -DMAX_RESTARTS=0 -DMAX_ATTACH=1 -DMAX_REQ=2 -DMAX_HB=1 -DMAX_READ=1"
  "retry    -DMAX_RESTARTS=0 -DMAX_ATTACH=1 -DMAX_REQ=1 -DMAX_HB=1 -DMAX_READ=2"
  "detach   -DMAX_RESTARTS=0 -DMAX_ATTACH=2 -DMAX_REQ=1 -DMAX_HB=1 -DMAX_READ=1"
  "restart  -DMAX_RESTARTS=1 -DMAX_ATTACH=2 -DMAX_REQ=1 -DMAX_HB=1 -DMAX_READ=1"
  "hostile  -DHOSTILE -DMAX_RESTARTS=1 -DMAX_HB=1 -DMAX_READ=1"
)
# Mutants: file, configuration, mode, what pan must report.
mutants=(
  "handshake-mutant-no-recheck.pml   base    safety    assertion violated"
  "handshake-mutant-no-odd-check.pml base    safety    assertion violated"
  "handshake-mutant-no-clamp.pml     base    safety    assertion violated"
  "handshake-mutant-no-expiry.pml    base    liveness  acceptance cycle"
  "handshake-mutant-no-gen-check.pml restart safety    assertion violated"
  "handshake-mutant-no-clear.pml     restart safety    assertion violated"
)

flags_of() {
    local c
    for c in "${configs[@]}"; do
        read -r name flags <<<"$c"
        [[ "$name" == "$1" ]] && { echo "$flags"; return 0; }
    done
    echo "unknown configuration $1" >&2
    return 1
}

# run_pan MODEL MODE FLAGS... : prints pan's output; MODE is safety (no never claim) or liveness (-a -f)
run_pan() {
    local model="$1" mode="$2"
    shift 2
    (
        cd "$work"
        rm -f pan pan.* ./*.trail
        spin "$@" -a "$model" >/dev/null
        if [[ "$mode" == safety ]]; then
            gcc -O2 -w -DNOCLAIM -DCOLLAPSE -DMEMLIM=3072 -o pan pan.c
            ./pan -m2000000 2>&1
        else
            gcc -O2 -w -DCOLLAPSE -DMEMLIM=3072 -o pan pan.c
            ./pan -m2000000 -a -f -N boost_ends 2>&1
        fi
    ) || true
}

summary() {
    grep -E "errors:|states, stored|elapsed time" <<<"$1" | sed 's/^/    /'
}

failures=0

check_config() {
    local name="$1" mode="$2" out
    local -a flags
    read -r -a flags <<<"$(flags_of "$name")"
    echo "== handshake.pml [$name] $mode"
    out="$(run_pan handshake.pml "$mode" "${flags[@]}")"
    summary "$out"
    if grep -q "errors: 0" <<<"$out" && ! grep -qE "depth too small|out of memory|pan: reached -DMEMLIM" <<<"$out"; then
        echo "   ok"
    else
        echo "   FAILED"
        grep -E "assertion violated|acceptance cycle|invalid end state|depth too small|memory" <<<"$out" | head -5 | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

check_mutant() {
    local file="$1" config="$2" mode="$3" expect="$4" out
    local -a flags
    read -r -a flags <<<"$(flags_of "$config")"
    echo "== $file [$config] $mode: must fail with '$expect'"
    out="$(run_pan "$file" "$mode" "${flags[@]}")"
    if grep -qE "errors: [1-9]" <<<"$out" && grep -q "$expect" <<<"$out"; then
        grep -m1 "$expect" <<<"$out" | sed 's/^/    caught: /'
    else
        echo "   NOT CAUGHT: the check could not fail here"
        summary "$out"
        failures=$((failures + 1))
    fi
}

if $quick; then
    check_config base safety
    check_config base liveness
    check_mutant handshake-mutant-no-recheck.pml base safety "assertion violated"
else
    for c in "${configs[@]}"; do
        read -r name _ <<<"$c"
        check_config "$name" safety
        check_config "$name" liveness
    done
    for m in "${mutants[@]}"; do
        read -r file config mode expect <<<"$m"
        check_mutant "$file" "$config" "$mode" "$expect"
    done
fi

if ((failures > 0)); then
    echo "model check: $failures problem(s)"
    exit 1
fi
echo "model check: all configurations verified, every mutant caught"
