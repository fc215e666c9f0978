#!/usr/bin/env bash
# The `serve` CI step: boto3 and the aws CLI v1 (from PyPI, in a virtual environment) against
# `kms-import serve` on 127.0.0.1, for every key spec, every wrapping combination, every refusal,
# restart, kill -9 under load and concurrent clients (tests/clients/). Prints its own timing.
# Without Python's venv/pip or PyPI the tests print SKIPPED, except in CI (CI=true): there they fail.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
say() { echo "serve-clients: $* ($(( $(date +%s) - start )) s)"; }

skip_or_fail() {
  if [ "${CI:-}" = "true" ]; then echo "serve-clients: FAILED: $*" >&2; exit 1; fi
  echo "serve-clients: SKIPPED: $*"; exit 0
}

command -v python3 >/dev/null || skip_or_fail "python3 is missing"
command -v openssl >/dev/null || skip_or_fail "the openssl CLI is missing"

say "building kms-import"
cargo build --quiet -p kms-import-cli
export KMS_IMPORT_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/kms-import"

say "virtual environment with boto3, awscli, cryptography"
python=$(tests/clients/venv.sh) || skip_or_fail "could not create the virtual environment (boto3, awscli, cryptography)"
"$python" -c "import boto3, awscli, cryptography; print('boto3', boto3.__version__, '| awscli', awscli.__version__, '| cryptography', cryptography.__version__)"

say "client tests"
cd tests/clients
"$python" run.py "$@"
cd ../..
say "done"
