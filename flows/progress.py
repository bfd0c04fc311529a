"""Progress of a long run: a terminal bar (only on a terminal) and a Prefect progress artifact."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


def _fmt_eta(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class Progress:
    """Counts files, bytes and stage steps; draws a one-line bar on stderr when it is a terminal.

    In CI logs (not a terminal) it stays quiet. The Prefect progress artifact is updated per
    step when a flow run is active.

    >>> import io
    >>> p = Progress(total_files=10, total_batches=2, enabled=True, stream=io.StringIO(), force_tty=True)
    >>> p.step(files=5, n_bytes=1_000_000, stage="decode")
    >>> "5/10 files" in p.stream.getvalue()
    True
    """

    def __init__(
        self,
        total_files: int,
        total_batches: int,
        enabled: bool = True,
        stream: TextIO | None = None,
        force_tty: bool = False,
    ) -> None:
        self.total_files, self.total_steps = total_files, max(total_batches, 1)
        self.files = self.steps = self.n_bytes = 0
        self.stream = stream if stream is not None else sys.stderr
        self.tty = force_tty or bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled and self.tty
        self.started = time.monotonic()
        self.artifact_id: Any = None
        try:
            from prefect.artifacts import create_progress_artifact
            from prefect.context import FlowRunContext

            if FlowRunContext.get() is not None:
                self.artifact_id = create_progress_artifact(
                    progress=0.0, key="newsclean-progress", description="newsclean run progress"
                )
        except Exception:  # no Prefect run (a unit test, the plain CLI): the bar alone
            self.artifact_id = None

    def step(self, *, files: int = 0, n_bytes: int = 0, stage: str = "", batches: int = 1) -> None:
        self.files += files
        self.n_bytes += n_bytes
        self.steps = min(self.total_steps, self.steps + (batches if not files else 1))
        share = self.steps / self.total_steps
        if self.artifact_id is not None:
            try:
                from prefect.artifacts import update_progress_artifact

                update_progress_artifact(artifact_id=self.artifact_id, progress=round(100 * share, 1))
            except Exception:
                self.artifact_id = None
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        mbps = self.n_bytes / 1e6 / elapsed if elapsed > 0 else 0.0
        eta = elapsed / share - elapsed if share > 0 else 0.0
        width = 24
        fill = int(width * share)
        self.stream.write(
            f"\r[{'#' * fill}{'.' * (width - fill)}] {stage:<8} {self.files}/{self.total_files} files "
            f"{mbps:6.1f} MB/s  ETA {_fmt_eta(eta)} "
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
