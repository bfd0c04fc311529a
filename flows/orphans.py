"""Child processes that end with the command that started them.

A command killed outright (SIGKILL, the OOM killer) cannot stop its children. A process-pool
worker then waits forever on a queue whose other end it holds itself, and the temporary Prefect
server (its own process group, so Ctrl-C does not reach it) serves nobody. Each of them runs
:func:`watch_parent` and ends once the command is gone.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

POLL_SECONDS = 1.0


def _watch(parent: int, on_gone: Callable[[], None]) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    on_gone()


def watch_parent(parent: int, on_gone: Callable[[], None]) -> threading.Thread:
    """Call ``on_gone`` (in a daemon thread) once this process's parent is no longer ``parent``:
    the command's process id, passed down, since the command may be gone before a child has
    finished importing.

    >>> done = threading.Event()
    >>> _ = watch_parent(-1, done.set)  # never this process's parent
    >>> done.wait(5)
    True
    """
    t = threading.Thread(target=_watch, args=(parent, on_gone), name="watch-parent", daemon=True)
    t.start()
    return t
