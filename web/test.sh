#!/usr/bin/env bash
# The browser test: builds web/dist/ (web/build.sh), installs playwright-core under web/ (npm ci),
# and runs web/tests/browser.mjs in Debian's headless Chromium against a loopback static server,
# with OpenSSL and the kms-import CLI as the outside oracles. Prints how long it took.
#
# Needs: /usr/bin/chromium (or CHROMIUM=path), node (20 or later) and npm, openssl, wasm-opt
# (binaryen), cargo and rustup. When one is missing it fails under CI (CI=true) and otherwise
# prints "SKIPPED: <why>" and exits 0. WEB_SCREENSHOT=docs/web-page.png writes the README's
# screenshot (and docs/web-page-phone.png); by default the screenshots go under the target
# directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
started=$(date +%s)

missing() {
  case "${CI:-}" in
    true | 1) echo "web/test.sh: FAILED: $1" >&2; exit 1 ;;
    *) echo "SKIPPED: $1"; exit 0 ;;
  esac
}
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || missing "no Chromium at $chromium (apt-get install chromium)"
for tool in node npm openssl wasm-opt cargo rustup; do
  command -v "$tool" >/dev/null || missing "$tool not found"
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] ||
  missing "node $(node --version) is too old: playwright-core needs 20 or later"

echo "== npm ci (playwright-core, under web/node_modules)"
(cd web && npm ci --no-audit --no-fund --loglevel=error)

echo "== web/build.sh"
web/build.sh

echo "== the kms-import CLI (the refusals the page must repeat)"
cargo build --quiet -p kms-import-cli
target_dir=$(cargo metadata --format-version 1 --no-deps |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

echo "== headless Chromium ($("$chromium" --version 2>/dev/null || echo "$chromium"))"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
screenshot=${WEB_SCREENSHOT:-$target_dir/web-test/web-page.png}
mkdir -p "$(dirname "$screenshot")"
CHROMIUM=$chromium node web/tests/browser.mjs web/dist "$target_dir/debug/kms-import" "$work" \
  "$screenshot"

echo "web/test.sh passed in $(($(date +%s) - started)) s"
