#!/usr/bin/env bash
# Creates (or reuses) the virtual environment of the client tests: boto3, the aws CLI v1 and pyca
# cryptography from PyPI. Prints the venv's python on stdout. Usage: tests/clients/venv.sh [DIR]
set -euo pipefail
dir=${1:-"$(cd "$(dirname "$0")/../.." && pwd)/target/serve-venv"}
if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c "import boto3, awscli, cryptography" 2>/dev/null; then
  python3 -m venv "$dir" >&2
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check boto3 awscli cryptography >&2
fi
echo "$dir/bin/python"
