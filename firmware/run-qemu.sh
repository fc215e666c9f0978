#!/usr/bin/env bash
# Builds the Cortex-M4 known-answer test image (firmware/kat-m4) and runs it under QEMU's
# Cortex-M4 machine, mps2-an386, with semihosting for output and the exit status.
#
#   firmware/run-qemu.sh                         # the full profile (every feature)
#   firmware/run-qemu.sh --no-default-features   # the smallest profile (RSA only)
#
# Extra arguments go to `cargo build` (features). Exits non-zero on any failed vector, a panic or
# a fault. Without qemu-system-arm: under CI (CI set and not "false") it installs Debian's
# package, and a failed install fails the run; elsewhere it prints SKIPPED and exits 0.
# Prints how long the build and the QEMU run took.
set -euo pipefail
cd "$(dirname "$0")/kat-m4"
in_ci() { [ -n "${CI:-}" ] && [ "${CI:-}" != false ]; }

if ! command -v qemu-system-arm >/dev/null; then
  if in_ci; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends qemu-system-arm >/dev/null
  else
    echo "SKIPPED: firmware/run-qemu.sh: qemu-system-arm not found (apt-get install -y qemu-system-arm)"
    exit 0
  fi
fi
rustup target list --installed | grep -q thumbv7em-none-eabihf || rustup target add thumbv7em-none-eabihf

# Its own workspace: firmware/kat-m4/target, or $CARGO_TARGET_DIR/kat-m4 (as firmware/size.sh).
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
  target_dir=$(realpath -m "$CARGO_TARGET_DIR/kat-m4")
else
  target_dir=$PWD/target
fi

start=$(date +%s)
cargo build --release --locked --target-dir "$target_dir" "$@"
built=$(date +%s)
status=0
timeout 600 qemu-system-arm -M mps2-an386 -cpu cortex-m4 -nographic \
  -semihosting-config enable=on,target=native \
  -kernel "$target_dir/thumbv7em-none-eabihf/release/kat-m4" || status=$?
end=$(date +%s)
echo "run-qemu: build $((built - start)) s, QEMU run $((end - built)) s, status $status"
exit "$status"
