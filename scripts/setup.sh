#!/usr/bin/env bash
# Set up newsclean from nothing: .venv/ with the project and its pinned dependencies,
# and the Data Docs assets (npm). Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
echo "setup: installing newsclean and its dependencies (constraints.txt pins the proven versions)"
.venv/bin/python -m pip install --quiet -c constraints.txt -e '.[test]'
if [ -f package.json ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "setup: installing Data Docs assets with npm"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  else
    echo "setup: npm not found: Data Docs will render without styles" >&2
  fi
fi
echo "setup: done (.venv/bin/newsclean)"
