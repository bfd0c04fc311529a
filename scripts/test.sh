#!/usr/bin/env bash
# The test command: lint, type-check, then the test suite (doctests included).
set -euo pipefail
cd "$(dirname "$0")/.."
export PREFECT_HOME=${PREFECT_HOME:-$PWD/.prefect}
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=180 PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
export GX_ANALYTICS_ENABLED=false
unset PREFECT_API_URL
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest "$@"
