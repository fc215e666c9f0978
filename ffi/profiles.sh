#!/usr/bin/env bash
# The feature profiles, for CI (.ci/run calls it):
#   1. every feature profile of the core compiles for thumbv7em-none-eabihf without a warning
#      (`cargo check`: type checking and lints, no code generation, so it stays quick);
#   2. so does the firmware static library (smallest, service without keygen, full profile);
#   3. the smallest profile's static library is built (release, LTO) and linked into the minimal
#      image, whose size must be within 10 % of firmware/size-baseline.txt (firmware/size.sh
#      --check).
# The KATs on the Cortex-M4 are firmware/run-qemu.sh; the header check is ffi/check-header.sh.
# Prints how long each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step_start=$start
step() {
  local now
  now=$(date +%s)
  echo
  echo "== profiles: $* (previous step $((now - step_start)) s, total $((now - start)) s)"
  step_start=$now
}
rustup target list --installed | grep -q thumbv7em-none-eabihf || rustup target add thumbv7em-none-eabihf

# Runs a cargo command; fails on an error or on any warning (cargo replays the cached warnings of
# a crate it does not rebuild, so a warm build is checked too).
warning_free() {
  local out
  if ! out=$("$@" 2>&1); then
    echo "$out"
    echo "profiles: FAILED: $*"
    exit 1
  fi
  if grep -q '^warning' <<<"$out"; then
    echo "$out"
    echo "profiles: FAILED: warnings from $*"
    exit 1
  fi
}

step "every profile compiles for thumbv7em-none-eabihf, warning-free"
for features in "" ecc ecc-p256 ecc-p384 ecc-p521 ecc-secp256k1 sm2 service keygen \
    "service,keygen" "ecc,sm2,service,keygen"; do
  echo "kms-import --no-default-features --features '$features'"
  warning_free cargo check -q -p kms-import --lib --no-default-features --features "$features" \
    --target thumbv7em-none-eabihf
done
for features in firmware "firmware,service" "firmware,ecc,sm2,service,keygen"; do
  echo "kms-import-ffi (staticlib) --no-default-features --features '$features'"
  warning_free cargo rustc -q -p kms-import-ffi --lib --crate-type staticlib --profile check \
    --no-default-features --features "$features" --target thumbv7em-none-eabihf
done

step "size of the smallest profile"
firmware/size.sh --check

step "done"
