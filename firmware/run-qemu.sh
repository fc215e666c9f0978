#!/usr/bin/env bash
# Builds the Cortex-M4 known-answer test image (firmware/kat-m4) and runs it under QEMU's
# Cortex-M4 machine, mps2-an386, with semihosting for output and the exit status.
#
#   firmware/run-qemu.sh                         # the full profile (every feature)
#   firmware/run-qemu.sh --no-default-features   # the smallest profile (RSA only)
#
# Extra arguments go to `cargo build` (features). Exits non-zero on any failed vector. Without
# qemu-system-arm it installs Debian's package when CI is set, else prints SKIPPED and exits 0.
set -euo pipefail
cd "$(dirname "$0")/kat-m4"

if ! command -v qemu-system-arm >/dev/null; then
  if [ -n "${CI:-}" ]; then
    apt-get update -qq && apt-get install -y -qq qemu-system-arm >/dev/null
  else
    echo "SKIPPED: firmware/run-qemu.sh: qemu-system-arm not found (apt-get install -y qemu-system-arm)"
    exit 0
  fi
fi
rustup target list --installed | grep -q thumbv7em-none-eabihf || rustup target add thumbv7em-none-eabihf

start=$(date +%s)
cargo build --release --locked "$@"
built=$(date +%s)
status=0
timeout 900 qemu-system-arm -M mps2-an386 -cpu cortex-m4 -nographic \
  -semihosting-config enable=on,target=native \
  -kernel target/thumbv7em-none-eabihf/release/kat-m4 || status=$?
end=$(date +%s)
echo "run-qemu: build $((built - start)) s, QEMU run $((end - built)) s, status $status"
exit "$status"
