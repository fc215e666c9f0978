#!/usr/bin/env bash
# Regenerates ffi/include/kms_import.h with cbindgen and fails if it differs from the committed one
# (CI). `ffi/check-header.sh --update` rewrites the committed header instead.
# cbindgen is installed (pinned, --locked) when missing. Prints how long it took.
set -euo pipefail
cd "$(dirname "$0")"
start=$(date +%s)
trap 'echo "check-header: $(( $(date +%s) - start )) s"' EXIT
version=0.29.4
if ! cbindgen --version 2>/dev/null | grep -q " $version$"; then
  cargo install --locked --version "$version" cbindgen
fi
fresh=$(mktemp)
trap 'rm -f "$fresh"; echo "check-header: $(( $(date +%s) - start )) s"' EXIT
cbindgen --quiet --config cbindgen.toml --crate kms-import-ffi --output "$fresh" .
if [ "${1:-}" = --update ]; then
  cp "$fresh" include/kms_import.h
  echo "check-header: wrote ffi/include/kms_import.h"
elif diff -u include/kms_import.h "$fresh"; then
  echo "check-header: ffi/include/kms_import.h is what cbindgen $version generates"
else
  echo "check-header: FAILED: ffi/include/kms_import.h is stale; run ffi/check-header.sh --update"
  exit 1
fi
