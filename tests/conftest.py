"""Shared fixtures: one temporary Prefect server for the whole session (it takes ~30 s to start)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# the helpers here (badinput.py, ui_helpers.py, gx_frames.py) are imported by name from the test
# modules in tests/cleaners/, tests/flows/ and tests/schemas/
sys.path.insert(0, str(Path(__file__).parent))

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[str]:
    """A temporary Prefect server and database for the session; yields its API URL.

    Not autouse: tests that run the flow request it by name. Subprocesses can be pointed at the
    same server with ``PREFECT_API_URL`` (see :func:`subprocess_env`) instead of each starting one.
    """
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield str(PREFECT_API_URL.value())
