#!/bin/sh
# Builds the C reference testee with the system C compiler; run by Maven (exec-maven-plugin) at
# process-classes. Usage: build.sh <spec include dir> <output file> [extra cc flags...]
# Without a compiler it skips with a message, except under CI=true, where that is an error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
include=$1
out=$2
shift 2
cc=${CC:-}
if [ -z "$cc" ]; then
  for c in cc gcc clang; do
    if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
  done
fi
if [ -z "$cc" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "vboost: no C compiler (cc, gcc, clang) found; CI=true requires one to build the C reference testee" >&2
    exit 1
  fi
  echo "vboost: no C compiler found; skipping the C reference testee (its conformance tests will be skipped)"
  rm -f "$out"
  exit 0
fi
mkdir -p "$(dirname "$out")"
"$cc" -std=c11 -O2 -Wall -Wextra -Werror -I "$include" "$@" \
  "$here/vboost.c" "$here/vboost_policy.c" "$here/vboost_image.c" "$here/testee.c" -o "$out"
