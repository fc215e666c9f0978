"""Runs every client test of `kms-import serve` (or those whose names contain an argument) and
prints `N passed, N failed`. Needs boto3, awscli and cryptography (tests/clients/venv.sh)."""

import test_import  # noqa: F401 - registers its tests
import test_lifecycle  # noqa: F401 - registers its tests
from harness import main

if __name__ == "__main__":
    main()
