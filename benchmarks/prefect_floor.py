"""The least a Prefect flow run costs here: a flow of N no-op tasks and no newsclean code.

    PREFECT_HOME=/tmp/floor .venv/bin/python benchmarks/prefect_floor.py [N]

Prints the import time of Prefect and the wall time of the flow call. Without ``PREFECT_API_URL``
Prefect starts its own temporary server inside the call; with it set to a running server
(``prefect server start``) the call is only the flow run. The figure bounds the "Prefect overhead"
any run pays, whatever its size (README, "Measured figures").
"""

from __future__ import annotations

import sys
import time

t0 = time.perf_counter()
from prefect import flow, task  # noqa: E402

t1 = time.perf_counter()


@task
def noop(x: int) -> int:
    return x


@flow
def floor(n: int) -> list[int]:
    return [noop(i) for i in range(n)]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    floor(n)
    t2 = time.perf_counter()
    print(f"prefect import {t1 - t0:.2f} s; flow of {n} no-op tasks {t2 - t1:.2f} s")
