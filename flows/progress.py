"""Progress of a long run: a rich progress bar (only on a terminal) and a Prefect progress artifact."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


class Progress:
    """Counts files, bytes and stage steps; draws a rich progress bar on stderr when it is a
    terminal (the stage, files done, MB/s and the time left).

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
        tty = force_tty or bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.bar: Any = None  # None: no bar (disabled, or not a terminal)
        if enabled and tty:
            from rich.console import Console
            from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            console = Console(file=self.stream, force_terminal=True if force_tty else None)
            self.bar = Bar(
                BarColumn(bar_width=24),
                TextColumn(
                    "{task.fields[stage]:<8} {task.fields[files]} files {task.fields[mbps]:6.1f} MB/s"
                ),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console,
                auto_refresh=False,  # drawn at each step: no refresh thread
                redirect_stdout=False,  # the run's output and logs go where they went
                redirect_stderr=False,
            )
            self.task = self.bar.add_task(
                "run", total=self.total_steps, stage="", files=f"0/{total_files}", mbps=0.0
            )
            self.bar.start()
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
        if self.bar is None:
            return
        elapsed = time.monotonic() - self.started
        mbps = self.n_bytes / 1e6 / elapsed if elapsed > 0 else 0.0
        files_done = f"{self.files}/{self.total_files}"
        self.bar.update(self.task, completed=self.steps, stage=stage, files=files_done, mbps=mbps)
        self.bar.refresh()

    def close(self) -> None:
        """End the bar (and show the cursor again); a second call does nothing."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
