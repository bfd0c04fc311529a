"""How long the Prefect UI takes to show a files table artifact of N rows, in headless Chromium.

Starts a real ``prefect server`` on loopback (``tests/ui_helpers.py``), creates one table artifact
per size with rows shaped like ``newsclean-files``, opens each artifact's page over the DevTools
protocol (``tests/ui_helpers.py`` ``devtools_page``) and times navigation until the table's first and last file names are on the page
(median of three loads; the first load of the UI, which warms its caches, is not counted).

    .venv/bin/python benchmarks/bench_table_render.py [ROWS ...]   # default 500 2000
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from ui_helpers import _cdp_call, _eval, devtools_page, find_chromium, prefect_server  # noqa: E402


def rows(n: int) -> list[dict[str, object]]:
    return [
        {
            "file": f"file-{i:05d}.txt",
            "quarantined": "no",
            "error": "",
            "typos": i % 3,
            "removed_boilerplate": i % 7,
            "moved_to_metadata": i % 5,
            "fixes": i % 2,
            "lines": 40 + i % 30,
            "articles": 1,
            "encoding": "utf-8",
        }
        for i in range(n)
    ]


def time_to_text(
    ws: object, counter: list[int], url: str, needles: list[str], timeout: float = 60.0
) -> float:
    _cdp_call(ws, counter, "Page.navigate", url=url)
    t0 = time.monotonic()
    js = " && ".join(f"document.body.innerText.includes({json.dumps(n)})" for n in needles)
    while time.monotonic() - t0 < timeout:
        if _eval(ws, counter, f"!!document.body && ({js})"):
            return time.monotonic() - t0
        time.sleep(0.05)
    return float("nan")


def main(sizes: list[int]) -> None:
    browser = find_chromium()
    if browser is None:
        raise SystemExit("no Chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp, prefect_server(Path(tmp)) as server:
        ids = {}
        for n in sizes:
            made = server.post(
                "/artifacts/",
                {
                    "key": f"bench-table-{n}",
                    "type": "table",
                    "data": json.dumps(rows(n)),
                    "description": f"{n} rows",
                },
            )
            ids[n] = made["id"]
        with devtools_page(browser, time.monotonic() + 60) as (ws, counter):
            time_to_text(
                ws, counter, f"{server.ui_url}/artifacts/artifact/{ids[sizes[0]]}", ["file-00000.txt"]
            )
            print(f"{'rows':>6}  {'first row (s)':>14}  {'last row (s)':>13}")
            for n in sizes:
                url = f"{server.ui_url}/artifacts/artifact/{ids[n]}"
                first = statistics.median(
                    time_to_text(ws, counter, url, ["file-00000.txt"]) for _ in range(3)
                )
                last = statistics.median(
                    time_to_text(ws, counter, url, ["file-00000.txt", f"file-{n - 1:05d}.txt"], 30.0)
                    for _ in range(3)
                )
                print(f"{n:>6}  {first:>14.2f}  {last:>13.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [500, 2000])
