#!/usr/bin/env bash
# Fuzz smoke for CI: builds every cargo-fuzz target once and runs each for FUZZ_SMOKE_SECS seconds
# (default 30) from the committed seed corpus. Fails if any target crashes, times out or leaks.
#
#   fuzz/smoke.sh                      # all targets, 30 s each (what the issue asks of CI)
#   FUZZ_SMOKE_SECS=300 fuzz/smoke.sh  # a longer local campaign
#   fuzz/smoke.sh names matrix         # some targets only
#
# Only the stable toolchain is needed: cargo-fuzz passes nightly -Z flags, which RUSTC_BOOTSTRAP=1
# allows on stable. AddressSanitizer is used when it builds; otherwise the script falls back to
# `--sanitizer none` (the crate forbids unsafe code, so ASan mostly guards the dependencies).
# New inputs go to a scratch directory, not into fuzz/corpus/; a crash is left in
# fuzz/artifacts/<target>/ and printed in hex, ready to be copied to fuzz/regressions/<target>/.
set -euo pipefail
cd "$(dirname "$0")"

secs="${FUZZ_SMOKE_SECS:-30}"
export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR=never
start=$(date +%s)

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi

sanitizer="address"
if ! cargo fuzz build --sanitizer "$sanitizer"; then
  echo "fuzz smoke: the ASan build failed; falling back to --sanitizer none"
  sanitizer="none"
  cargo fuzz build --sanitizer "$sanitizer"
fi
echo "fuzz smoke: build done in $(( $(date +%s) - start )) s (sanitizer: $sanitizer)"

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

# The binaries are run directly: `cargo fuzz run` would re-check the build for every target.
bin_dir="target/$(rustc -vV | sed -n 's/^host: //p')/release"
mkdir -p artifacts
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=()
for target in "${targets[@]}"; do
  mkdir -p "$scratch/$target" "corpus/$target" "artifacts/$target"
  log="$scratch/$target.log"
  echo "== $target (${secs} s)"
  if "$bin_dir/$target" "$scratch/$target" "corpus/$target" -artifact_prefix="artifacts/$target/" \
      -max_total_time="$secs" -max_len=6200 -len_control=0 -timeout=20 -rss_limit_mb=2560 \
      -dict=dicts/der.dict -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
  else
    failed+=("$target")
    tail -n 60 "$log"
    for artifact in artifacts/"$target"/*; do
      [ -f "$artifact" ] || continue
      echo "artifact $artifact: $(od -An -tx1 -v "$artifact" | tr -d ' \n' | head -c 2000)"
    done
  fi
done

echo "fuzz smoke: ${#targets[@]} targets in $(( $(date +%s) - start )) s"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz smoke FAILED: ${failed[*]}"
  exit 1
fi
