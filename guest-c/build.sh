#!/bin/sh
# Builds the static guest client vboost-guest from vboost-guest.c and the project's C implementation
# (conformance-tests/src/main/c/vboost.c). Usage: guest-c/build.sh OUTPUT [extra cc flags...]
# (-Wno-format-truncation: every path is built with snprintf into a bounded buffer; a cut path only fails to open.)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${1:?usage: guest-c/build.sh OUTPUT}
shift
cc=${CC:-cc}
mkdir -p "$(dirname "$out")"
"$cc" -std=c11 -O2 -Wall -Wextra -Werror -Wno-format-truncation -static -I "$root/spec/include" -I "$root/conformance-tests/src/main/c" "$@" \
  "$root/conformance-tests/src/main/c/vboost.c" "$root/conformance-tests/src/main/c/vboost_doorbell.c" \
  "$here/vboost-guest.c" -o "$out"
