#!/usr/bin/env bash
# Model-checks the vboost handshake (spec/model/handshake.pml) with SPIN.
#
#   spec/model/check.sh            every configuration (safety, then liveness: every boost ends), then every
#                                  mutant, which must FAIL with the expected property
#   spec/model/check.sh --quick    the base configuration and one mutant only
#
# Needs 'spin' and 'gcc' on the PATH and installs nothing (CI installs the Debian package 'spin').
# Exits 0 only if every configuration verifies completely and every mutant is caught; 1 if a check finds an
# error, a search is cut short (depth or memory) or a mutant is NOT caught; 2 if a tool is missing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
quick=false
case "${1:-}" in
    --quick) quick=true ;;
    "") ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac

missing=()
command -v spin >/dev/null 2>&1 || missing+=("spin (Debian/Ubuntu: apt-get install spin)")
command -v gcc >/dev/null 2>&1 || missing+=("gcc (the verifier pan is C code SPIN generates)")
if ((${#missing[@]} > 0)); then
    for m in "${missing[@]}"; do echo "check.sh: missing tool: $m" >&2; done
    echo "check.sh: the model was NOT checked" >&2
    exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here"/*.pml "$work"/

# Bounded configurations, each searched exhaustively; together they enable every step of the model.
#   name     modes             spin -D flags
configs=(
  "base     safety,liveness  -DMAX_RESTARTS=0 -DMAX_ATTACH=1 -DMAX_REQ=2 -DMAX_HB=1 -DMAX_READ=1"
  "retry    safety,liveness  -DMAX_RESTARTS=0 -DMAX_ATTACH=1 -DMAX_REQ=1 -DMAX_HB=1 -DMAX_READ=2"
  "detach   safety,liveness  -DMAX_RESTARTS=0 -DMAX_ATTACH=2 -DMAX_REQ=1 -DMAX_HB=1 -DMAX_READ=1"
  "restart  safety,liveness  -DMAX_RESTARTS=1 -DMAX_ATTACH=2 -DMAX_REQ=1 -DMAX_HB=0 -DMAX_READ=1"
  "restarthb safety          -DMAX_RESTARTS=1 -DMAX_ATTACH=2 -DMAX_REQ=0 -DMAX_HB=1 -DMAX_READ=1"
  "hostile  safety,liveness  -DHOSTILE -DHOSTILE_WRITES=3 -DMAX_RESTARTS=1 -DMAX_HB=1 -DMAX_READ=1"
)
# Mutants: file, configuration, mode, what pan must report.
mutants=(
  "handshake-mutant-no-recheck.pml   base     safety    assertion violated"
  "handshake-mutant-no-odd-check.pml base     safety    assertion violated"
  "handshake-mutant-no-clamp.pml     base     safety    assertion violated"
  "handshake-mutant-no-expiry.pml    base     liveness  acceptance cycle"
  "handshake-mutant-no-gen-check.pml restart  safety    assertion violated"
  "handshake-mutant-no-clear.pml     restart  safety    assertion violated"
  "handshake-mutant-header-first.pml base     safety    assertion violated"
)

flags_of() {
    local c name modes flags
    for c in "${configs[@]}"; do
        read -r name modes flags <<<"$c"
        [[ "$name" == "$1" ]] && { echo "$flags"; return 0; }
    done
    echo "check.sh: unknown configuration $1" >&2
    return 1
}

# run_pan MODEL MODE FLAGS... : prints pan's output. MODE safety: assertions and invalid end states, no
# never claim. MODE liveness: the LTL claim boost_ends, acceptance cycles under weak fairness (-a -f).
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
    grep -E "errors:|states, stored|elapsed time" <<<"$1" | sed 's/^ */    /'
}

# What pan reports as violated: the assertion with its expression, or the LTL property for a cycle.
violated() {
    local out="$1"
    if grep -q "acceptance cycle" <<<"$out"; then
        echo "ltl boost_ends: [] (boosted -> <> !boosted) ($(grep -m1 -o 'acceptance cycle.*' <<<"$out"))"
    else
        grep -m1 -E "assertion violated|invalid end state" <<<"$out" | sed 's/^pan:[0-9]*: *//'
    fi
}

failures=0

check_config() {
    local name="$1" mode="$2" out
    local -a flags
    read -r -a flags <<<"$(flags_of "$name")"
    echo "== handshake.pml [$name] $mode"
    out="$(run_pan handshake.pml "$mode" "${flags[@]}")"
    summary "$out"
    if grep -q "errors: 0" <<<"$out" \
        && ! grep -qE "depth too small|out of memory|reached -DMEMLIM|Search not completed" <<<"$out"; then
        echo "    ok"
    else
        echo "    FAILED: $(violated "$out")"
        grep -E "depth too small|out of memory|MEMLIM|Search not completed" <<<"$out" | head -3 | sed 's/^/    /'
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
        echo "    caught, violated: $(violated "$out")"
    else
        echo "    NOT CAUGHT: this check could not fail here"
        summary "$out"
        failures=$((failures + 1))
    fi
}

start=$SECONDS
if $quick; then
    check_config base safety
    check_config base liveness
    check_mutant handshake-mutant-no-recheck.pml base safety "assertion violated"
else
    for c in "${configs[@]}"; do
        read -r name modes _ <<<"$c"
        IFS=, read -r -a ms <<<"$modes"
        for m in "${ms[@]}"; do
            check_config "$name" "$m"
        done
    done
    for m in "${mutants[@]}"; do
        read -r file config mode expect <<<"$m"
        check_mutant "$file" "$config" "$mode" "$expect"
    done
fi

if ((failures > 0)); then
    echo "model check: $failures problem(s) ($((SECONDS - start)) s)"
    exit 1
fi
echo "model check: every configuration verified, every mutant caught ($((SECONDS - start)) s)"
