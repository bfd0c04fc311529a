#!/usr/bin/env bash
# The test command: lint, type-check, then the fast tests (doctests included; not the ones marked
# slow: flows, servers, the browser, long property searches). `--all` runs every test (what CI runs);
# other arguments go to pytest.
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
if [[ "${1:-}" == "--all" ]]; then
  shift
  .venv/bin/python -m pytest "$@"
else
  .venv/bin/python -m pytest -m "not slow" "$@"
fi
