"""Prefect's temporary API server, started before the flow's modules are imported.

Without ``PREFECT_API_URL`` Prefect starts a temporary server when the flow is called, after every
import: importing the server code takes ~3.5 s in the calling process, then the server process
imports it again and opens its database, while the caller waits. ``TemporaryServer.start()``
launches the same server process (the command of Prefect's ``SubprocessASGIServer``) at once,
without importing Prefect, so the server starts while the command imports the flow;
``wait()`` then returns its API URL. The caller sets ``PREFECT_API_URL`` to ``api_url`` before
importing Prefect, so Prefect's settings point there in every thread (its process-pool runner
forwards the workers' events from a thread) and worker processes inherit it.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from flows.server_app import PARENT_ENV

EXIT_STARTUP_FAILURE = 3  # uvicorn's exit code when it could not bind its port or the app failed to start
DEFAULT_STARTUP_TIMEOUT = 180.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_taken(port: int) -> bool:
    """Whether something now listens on ``port`` of the loopback address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _prefect_dir() -> str:
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        raise RuntimeError("prefect is not installed")
    return str(Path(spec.origin).parent.parent)


class TemporaryServer:
    """One temporary Prefect API server on a free loopback port, stopped when the process exits."""

    def __init__(self) -> None:
        # Prefect creates PREFECT_HOME, but not its missing parents: the server then cannot open
        # its database. Made here, with its parents; if that fails the server's own error says why.
        home = os.environ.get("PREFECT_HOME")
        if home:
            try:
                Path(home).expanduser().mkdir(parents=True, exist_ok=True)
            except OSError:
                pass
        self.port = _free_port()
        self.proc = self._spawn()
        atexit.register(self.stop)  # registered before Prefect's own exit handlers, so it runs after them

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
            PARENT_ENV: str(os.getpid()),
        }
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            _prefect_dir(),
            "--factory",
            "flows.server_app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ]
        # Its own process group: a Ctrl-C at the terminal interrupts the command, not the server,
        # so the flow run can still report its end; the command stops the server on its way out,
        # and the server stops itself if the command dies without that (SIGKILL).
        return subprocess.Popen(cmd, env=env, process_group=0)

    def wait(self, timeout: float | None = None) -> str:
        """Block until the server answers ``/health``; return its API URL (RuntimeError if it cannot)."""
        if timeout is None:
            timeout = float(
                os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", DEFAULT_STARTUP_TIMEOUT)
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code == EXIT_STARTUP_FAILURE and _port_taken(self.port):
                # the URL is in Prefect's settings already: no other port
                raise RuntimeError(
                    f"port {self.port} was taken while the temporary Prefect server started; run again"
                )
            if code == EXIT_STARTUP_FAILURE:
                home = os.environ.get("PREFECT_HOME", "~/.prefect")
                raise RuntimeError(
                    "the temporary Prefect server failed to start (its error is above); check that "
                    f"PREFECT_HOME ({home}) is a folder you can write to"
                )
            if code is not None:
                raise RuntimeError(f"the temporary Prefect server exited with code {code} while starting")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return self.api_url
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"the temporary Prefect server did not answer within {timeout:.0f} s "
            "(raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or set PREFECT_API_URL to a running server)"
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
