"""One run at a time per output folder.

Two runs writing one output folder at once leave its tables empty or corrupt, so a run holds an
OS lock (``flock``) on ``<output>/.state/run.lock`` from before it reads the last run's state until
its manifest is written. The kernel releases the lock when its holder exits or is killed: a lock
file left behind never blocks the next run. Inside one process the lock is re-entrant (the CLI takes
it before it starts a Prefect server, the flow takes it again).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = "run.lock"  # in the output folder's .state/


class OutputLocked(RuntimeError):
    """Another run holds the output folder; the message says which process and since when."""


_held: dict[str, tuple[int, int]] = {}  # lock path -> (fd, depth) held by this process
_guard = threading.Lock()


def lock_path(out_dir: Path) -> Path:
    """Where the lock of ``out_dir`` lives.

    >>> lock_path(Path("cleaned")).as_posix()
    'cleaned/.state/run.lock'
    """
    return out_dir / ".state" / LOCK_FILE


def _holder(fd: int) -> str:
    """Who holds the lock, as its holder wrote it into the lock file."""
    try:
        raw = os.pread(fd, 4096, 0)
        info = json.loads(raw.decode("utf-8"))
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(info["started"])))
        return f"process {int(info['pid'])} on {info['host']} since {since}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


@contextlib.contextmanager
def output_lock(out_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the run lock of ``out_dir`` (made if missing) for the ``with`` block.

    Raises :class:`OutputLocked` if another process holds it for longer than ``wait`` seconds.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with output_lock(d), output_lock(d):  # re-entrant in one process
    ...     lock_path(d).exists()
    True
    """
    from flows.outputs import own_dir

    path = lock_path(out_dir)
    own_dir(path.parent)  # a planted link there is replaced, never followed
    if path.is_symlink():
        path.unlink()
    key = os.path.realpath(path)
    with _guard:
        nested = key in _held
        if nested:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
    if not nested:
        fd = _acquire(path, out_dir, wait)
        with _guard:
            _held[key] = (fd, 1)
    try:
        yield
    finally:
        with _guard:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                os.close(fd)  # closing the last descriptor releases the flock


def _acquire(path: Path, out_dir: Path, wait: float) -> int:
    """Open and ``flock`` the lock file (polling until ``wait`` runs out); write who holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutputLocked(
                        f"the output folder {out_dir} is in use by another newsclean run "
                        f"({_holder(fd)}); wait for it to finish or use another --output"
                    ) from None
                time.sleep(0.5)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


def output_busy(out_dir: Path) -> str | None:
    """Why ``out_dir`` cannot be taken now (another run holds it), or None. Creates nothing: an
    output folder without a lock file has no holder.

    >>> import tempfile
    >>> output_busy(Path(tempfile.mkdtemp()) / "new") is None
    True
    """
    path = lock_path(out_dir)
    if path.is_symlink() or not path.is_file():
        return None
    try:
        with output_lock(out_dir):
            return None
    except OutputLocked as exc:
        return str(exc)
