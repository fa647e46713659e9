#!/usr/bin/env bash
# Runs the cross-process soak (hardening/src/test/java/dev/vboost/hardening/soak/SoakTest.java) through Maven.
#
#   scripts/soak.sh [SECONDS]        default 60; VBOOST_SOAK_SEED=<seed> replays a run's random choices
#
# Needs Linux and the right to set SCHED_FIFO (root or CAP_SYS_NICE); with CI=true a missing capability fails
# the run instead of skipping it. Exits non-zero when the soak fails or the arguments are wrong.
set -euo pipefail

usage() {
    echo "usage: $0 [SECONDS]   (a whole number of seconds, 1..86400; default 60)" >&2
    exit 2
}

[ "$#" -le 1 ] || usage
seconds="${1:-60}"
case "$seconds" in
    ''|*[!0-9]*) echo "$0: SECONDS must be a whole number, got '$seconds'" >&2; usage ;;
esac
if [ "$seconds" -lt 1 ] || [ "$seconds" -gt 86400 ]; then
    echo "$0: SECONDS must be 1..86400, got $seconds" >&2
    usage
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
args=(-B -pl hardening -am verify -Psoak "-Dvboost.soak.seconds=$seconds" -Dtest=SoakTest
      -Dsurefire.failIfNoSpecifiedTests=false)
if [ -n "${VBOOST_SOAK_SEED:-}" ]; then
    args+=("-Dvboost.soak.seed=$VBOOST_SOAK_SEED")
fi
# offline when the local repository already has everything (CI warms it with the first build)
if [ "${VBOOST_OFFLINE:-1}" = "1" ]; then
    args=(-o "${args[@]}")
fi
echo "soak: ${seconds} s${VBOOST_SOAK_SEED:+, seed $VBOOST_SOAK_SEED}"
exec ./mvnw -q "${args[@]}"
