"""Ctrl-C and SIGTERM for a command that runs the flow.

The first signal stops the run the usual way: a KeyboardInterrupt in the main thread, so the flow
run ends Crashed, the output lock and the temporary server are released on the way out and the
command exits 130 (SIGINT) or 143 (SIGTERM). Prefect's shutdown after an interrupt waits on
threads and worker processes it does not bound; if the command is still there ``grace`` seconds
later, or a second signal comes, it ends its worker processes, runs the cleanups registered with
:func:`on_forced_exit` (the temporary server's stop) and exits at once with the same status.
Outputs are replaced atomically, so an abrupt end loses only the batches not yet committed: the
next run does them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType

GRACE_SECONDS = 20.0  # a batch in progress finishes well within it (3 s or less per phase)
_cleanups: list[Callable[[], None]] = []
_first: list[int] = []  # the first signal received


def exit_status() -> int:
    """The exit status for an interrupted command: 128 + the first signal's number (130 when
    it was a KeyboardInterrupt that no signal handler of this module saw).

    >>> exit_status() == 128 + signal.SIGINT
    True
    """
    return 128 + (_first[0] if _first else signal.SIGINT)


def on_forced_exit(cleanup: Callable[[], None]) -> None:
    """Run ``cleanup`` before a forced exit (its errors are ignored)."""
    _cleanups.append(cleanup)


def _force(why: str) -> None:
    for child in multiprocessing.active_children():
        with contextlib.suppress(Exception):
            child.kill()
    for cleanup in reversed(_cleanups):
        with contextlib.suppress(Exception):
            cleanup()
    with contextlib.suppress(Exception):
        print(f"newsclean: interrupted; {why}", file=sys.stderr, flush=True)
    os._exit(exit_status())


def _watchdog(grace: float) -> None:
    time.sleep(grace)
    _force(f"the run did not stop within {grace:g} s, so its workers were ended")


def _quiet_after_interrupt(args: threading.ExceptHookArgs) -> None:
    """A thread torn down by the interrupt ends without a traceback of its own; the command
    says it was interrupted."""
    if not _first:
        threading.__excepthook__(args)


def _handler(grace: float) -> Callable[[int, FrameType | None], None]:
    def handle(signum: int, frame: FrameType | None) -> None:
        if _first:
            _force("stopped at once (a second signal)")
        _first.append(signum)
        threading.excepthook = _quiet_after_interrupt
        threading.Thread(target=_watchdog, args=(grace,), name="interrupt-watchdog", daemon=True).start()
        raise KeyboardInterrupt

    return handle


def install(grace: float = GRACE_SECONDS) -> None:
    """Handle SIGINT and SIGTERM as described above; call it from the main thread."""
    handle = _handler(grace)
    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
