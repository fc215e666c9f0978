#!/usr/bin/env bash
# The feature profiles, for CI (.ci/run calls it):
#   1. every feature profile of the core builds for thumbv7em-none-eabihf;
#   2. the firmware static library builds (smallest and full profile);
#   3. the smallest profile's size is within 10 % of firmware/size-baseline.txt
#      (firmware/size.sh --check).
# The KATs on the Cortex-M4 are firmware/run-qemu.sh; the header check is ffi/check-header.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo; echo "== profiles: $* ($(( $(date +%s) - start )) s)"; }
rustup target list --installed | grep -q thumbv7em-none-eabihf || rustup target add thumbv7em-none-eabihf

step "every profile builds for thumbv7em-none-eabihf"
for features in "" ecc ecc-p256 ecc-p384 ecc-p521 ecc-secp256k1 sm2 service keygen \
    "service,keygen" "ecc,sm2,service,keygen"; do
  echo "kms-import --no-default-features --features '$features'"
  cargo build -q -p kms-import --lib --no-default-features --features "$features" \
    --target thumbv7em-none-eabihf
done
for features in firmware "firmware,ecc,sm2,service,keygen"; do
  echo "kms-import-ffi (staticlib) --no-default-features --features '$features'"
  cargo rustc -q -p kms-import-ffi --lib --crate-type staticlib --no-default-features \
    --features "$features" --target thumbv7em-none-eabihf
done

step "size of the smallest profile"
firmware/size.sh --check

step "done"
