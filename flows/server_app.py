"""The temporary Prefect server's application: Prefect's, in a process that stops itself (as
uvicorn does on SIGTERM) when the command that started it is gone (:mod:`flows.orphans`).

``NEWSCLEAN_PARENT_PID`` names that command (set by :class:`flows.server.TemporaryServer`).
"""

from __future__ import annotations

import os
import signal
from typing import Any

from flows.orphans import watch_parent

PARENT_ENV = "NEWSCLEAN_PARENT_PID"


def _stop() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def create_app() -> Any:
    """uvicorn's ``--factory`` entry point."""
    parent = os.environ.get(PARENT_ENV)
    if parent:
        watch_parent(int(parent), _stop)
    from prefect.server.api.server import create_app as prefect_app

    return prefect_app()
