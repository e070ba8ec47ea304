#!/usr/bin/env bash
# Set up (Python dependencies, Chromium, CJK fonts) and run the whole test suite.
# Extra arguments go to pytest, e.g. ./test.sh -k quarantine
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --system
exec .venv/bin/python -m pytest "$@"
