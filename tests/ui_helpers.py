"""Helpers for the UI test: a real Prefect server on a free port, its REST API, headless Chromium.

Used by ``tests/flows/test_ui.py``; usable by hand too::

    with prefect_server(tmp_path) as server:
        print(server.ui_url)  # open it in a browser
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_chromium() -> str | None:
    """The headless browser to drive, or None (``NEWSCLEAN_CHROMIUM`` overrides the search)."""
    explicit = os.environ.get("NEWSCLEAN_CHROMIUM")
    if explicit:
        return explicit if shutil.which(explicit) else None
    for c in CHROMIUM_CANDIDATES:
        found = shutil.which(c)
        if found:
            return found
    return None


def server_env(home: Path, port: int) -> dict[str, str]:
    """Environment for a server on ``port`` and for flows that report to it."""
    env = dict(os.environ)
    api = f"http://127.0.0.1:{port}/api"
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_API_URL=api,
        PREFECT_UI_API_URL=api,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
    )
    return env


@dataclass
class Server:
    port: int
    home: Path
    proc: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.api_url + path, timeout=30) as r:
            return json.loads(r.read())

    def post(self, path: str, body: dict[str, Any]) -> Any:
        req = urllib.request.Request(
            self.api_url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""


def wait_healthy(server: Server, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"prefect server exited with {server.proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.api_url + "/health", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    raise TimeoutError(f"prefect server not healthy after {timeout:.0f} s:\n{server.log_tail()}")


def stop(proc: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """Terminate the server's process group (it has children), then kill what is left."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def prefect_server(workdir: Path, health_timeout: float = 120.0) -> Iterator[Server]:
    """A real ``prefect server start`` on a free port with its own PREFECT_HOME; always stopped."""
    port = free_port()
    home = workdir / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    env = server_env(home, port)
    log = workdir / "prefect-server.log"
    prefect = VENV_BIN / "prefect"
    cmd = [str(prefect) if prefect.exists() else "prefect"]
    cmd += ["server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Server(port=port, home=home, proc=proc, log=log, env=env)
    try:
        wait_healthy(server, health_timeout)
        yield server
    finally:
        stop(proc)


def chromium(browser: str, url: str, *extra: str, timeout: float = 90.0) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on ``url`` with no outside traffic of its own and a throwaway profile."""
    with tempfile.TemporaryDirectory(prefix="newsclean-chromium-") as profile:
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "--window-size=1400,1000",
            "--virtual-time-budget=15000",
            *extra,
            url,
        ]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def dump_dom(browser: str, url: str) -> str:
    return chromium(browser, url, "--dump-dom").stdout


def screenshot(browser: str, url: str, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    res = chromium(browser, url, f"--screenshot={out}")
    if not out.exists():
        raise RuntimeError(f"chromium wrote no screenshot ({res.returncode}):\n{res.stderr[-2000:]}")
    return out


def _cdp_call(ws: Any, counter: list[int], method: str, **params: Any) -> dict[str, Any]:
    """One DevTools-protocol call over an open websocket; events in between are skipped."""
    counter[0] += 1
    msg_id = counter[0]
    ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
    while True:
        reply = json.loads(ws.recv(timeout=60))
        if reply.get("id") == msg_id:
            if "error" in reply:
                raise RuntimeError(f"{method}: {reply['error']}")
            return dict(reply.get("result", {}))


def _eval(ws: Any, counter: list[int], js: str) -> Any:
    res = _cdp_call(ws, counter, "Runtime.evaluate", expression=js, returnByValue=True)
    return res.get("result", {}).get("value")


@contextlib.contextmanager
def devtools_page(
    browser: str, deadline: float, width: int = 1400, height: int = 1000
) -> Iterator[tuple[Any, list[int]]]:
    """Headless Chromium on a blank page, driven over the DevTools protocol (``websockets`` comes
    with Prefect): yields the page's websocket and the call counter :func:`_cdp_call` and
    :func:`_eval` take. No outside traffic; the browser and its profile are gone on exit. Raises
    when the DevTools port is not open by ``deadline`` (a ``time.monotonic()`` value)."""
    from websockets.sync.client import connect

    profile = Path(tempfile.mkdtemp(prefix="newsclean-chromium-"))
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        "--remote-debugging-port=0",
        "about:blank",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        port_file = profile / "DevToolsActivePort"
        while not port_file.exists() or len(port_file.read_text().splitlines()) < 2:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.2)
        port = int(port_file.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            targets = json.loads(r.read())
        page = next(t for t in targets if t.get("type") == "page")
        counter = [0]
        with connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=20) as ws:
            _cdp_call(ws, counter, "Page.enable")
            _cdp_call(
                ws,
                counter,
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            yield ws, counter
    finally:
        stop(proc, grace=5)
        shutil.rmtree(profile, ignore_errors=True)


def screenshot_after_click(
    browser: str,
    url: str,
    out: Path,
    click_text: str,
    wait_text: str,
    timeout: float = 60.0,
    width: int = 1400,
    height: int = 1000,
) -> Path:
    """Load ``url``, click the element whose text is ``click_text`` (a tab), wait until
    ``wait_text`` is on the page, and save a screenshot.

    The default Prefect UI ignores ``?tab=Artifacts`` on a cold load, so the run page's Artifacts
    tab needs a click; this drives Chromium over the DevTools protocol (:func:`devtools_page`),
    with no extra browser download or npm package.
    """
    deadline = time.monotonic() + timeout
    with devtools_page(browser, deadline, width, height) as (ws, counter):
        _cdp_call(ws, counter, "Page.navigate", url=url)
        clicked = False
        js_click = (
            "(() => { const want = __WANT__; const els = [...document.querySelectorAll("
            "'button, [role=tab], a, li, span, div')].filter(e => e.textContent.trim() === want);"
            " const el = els[els.length - 1]; if (!el) return false; el.click();"
            " window.__newscleanTab = el; return true; })()"
        ).replace("__WANT__", json.dumps(click_text))
        while time.monotonic() < deadline:
            if not clicked:
                clicked = bool(_eval(ws, counter, js_click))
            elif wait_text in (_eval(ws, counter, "document.body.innerText") or ""):
                break
            time.sleep(0.5)
        else:
            raise TimeoutError(f"{wait_text!r} not on {url} after clicking {click_text!r}")
        # the tab bar at the top of the picture, the artifact cards below it
        _eval(ws, counter, "window.__newscleanTab.scrollIntoView({block: 'start'}); true")
        time.sleep(2)  # let cards and fonts settle
        shot = _cdp_call(ws, counter, "Page.captureScreenshot", format="png")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(base64.b64decode(shot["data"]))
    return out


# A file name with markup in it, and lines that a careless report would turn into live HTML.
HOSTILE_NAME = "900_hostile <b>name<i>.txt"
HOSTILE_LINES = [
    'Hostile page <script>alert("title")</script> for the renderer',
    'This body line has a <script>alert(\'x\')</script> tag and an image <img src="http://evil.example/pwn.png" onerror="alert(2)"> inline, which must show as written.',
    "Markdown is text too: [click me](http://evil.example/phish) and ![pic](http://evil.example/p.png) and *stars* and `code` and www.evil.example and mail@evil.example.",
    "- a dash list line | with a pipe",
    'Read more: <a href="javascript:alert(3)">here</a>',
]
EVIL_HOST = "evil.example"
