#!/usr/bin/env bash
# Set up (Python dependencies, Chromium, CJK fonts), check the import contracts and run the whole test suite.
# Extra arguments go to pytest, e.g. ./test.sh -k quarantine
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --system
# The import contracts (.importlinter) first: a layer importing upwards fails CI before any test runs.
.venv/bin/lint-imports --no-logo
exec .venv/bin/python -m pytest "$@"
