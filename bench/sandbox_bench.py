"""Benchmark of the Apollo.io sandbox itself (run by hand: `python -m bench.sandbox_bench`).

1. Paging: a sandbox in a child process with 100,000 tasks, `max_per_page=200` and the display
   cap lifted; one client pages all 500 pages of full tasks. Median of 3 runs of pages/s, MB/s
   and the server's CPU per page, with three clients: a bare socket (the server's figure),
   httpx reading bytes, httpx + `orjson.loads` (what a real client does). The first run meets a
   cold contact cache; later runs are warm.
2. Startup: time from spawning `python -m sales_tasks.sandbox --tasks 1000000` to its READY line, and the
   child's RSS then and after paging 100,000 tasks of it.

Prints its figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import time

import httpx
import orjson
import psutil

from sales_tasks.sandbox import SandboxConfig, running_sandbox
from sales_tasks.sandbox.apollo import App

UNCAPPED = {"max_records": 10**9, "max_pages": 10**9, "max_per_page": 200}


def page_all(
    base_url: str, key: str, parse: bool, max_pages: int | None = None
) -> tuple[int, int, float]:
    """(pages, bytes, seconds) to page every task at 200 per page."""
    pages = size = 0
    start = time.perf_counter()
    with httpx.Client(base_url=base_url, headers={"x-api-key": key}, timeout=60) as api:
        page = 1
        while max_pages is None or page <= max_pages:
            resp = api.post(f"/api/v1/tasks/search?page={page}&per_page=200")
            resp.raise_for_status()
            body = resp.content
            size += len(body)
            pages += 1
            if parse:
                if len(orjson.loads(body)["tasks"]) < 200:
                    break
            elif len(body) < 50_000:  # a short last page (200 full tasks weigh ~700 KB)
                break
            page += 1
    return pages, size, time.perf_counter() - start


def page_all_raw(base_url: str, key: str) -> tuple[int, int, float]:
    """Like `page_all` over a bare keep-alive socket: the least client work, so the figure is
    the server's."""
    host, port = base_url.removeprefix("http://").split(":")
    pages = size = 0
    start = time.perf_counter()
    with socket.create_connection((host, int(port))) as sock:
        while True:
            pages += 1
            sock.sendall(
                f"POST /api/v1/tasks/search?page={pages}&per_page=200 HTTP/1.1\r\n"
                f"Host: {host}\r\nx-api-key: {key}\r\nContent-Length: 0\r\n\r\n".encode()
            )
            buf = b""
            while b"\r\n\r\n" not in buf:
                buf += sock.recv(1 << 20)
            head, _, body = buf.partition(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            got = len(body)
            while got < length:
                got += len(sock.recv(1 << 20))
            size += length
            if length < 50_000:
                return pages, size, time.perf_counter() - start


def server_process(base_url: str) -> psutil.Process:
    """The child process listening on `base_url`'s port."""
    port = int(base_url.rsplit(":", 1)[1])
    for conn in psutil.net_connections(kind="tcp"):
        if (
            conn.laddr
            and conn.laddr.port == port
            and conn.status == psutil.CONN_LISTEN
            and conn.pid
        ):
            return psutil.Process(conn.pid)
    raise RuntimeError(f"no process listens on port {port}")


def cpu_seconds(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system)


def bench_paging(tasks: int, runs: int) -> None:
    cfg = SandboxConfig(tasks=tasks, **UNCAPPED)  # type: ignore[arg-type]
    with running_sandbox(cfg, subprocess=True) as sb:
        server = server_process(sb.base_url)
        for mode in ("raw socket", "httpx, bytes only", "httpx + orjson.loads"):
            label = mode
            rates = []
            for run in range(runs):
                cpu0 = cpu_seconds(server)
                if mode == "raw socket":
                    pages, size, secs = page_all_raw(sb.base_url, sb.master_key)
                else:
                    pages, size, secs = page_all(sb.base_url, sb.master_key, "orjson" in mode)
                cpu_ms = (cpu_seconds(server) - cpu0) / pages * 1000
                rates.append((pages / secs, size / secs / 1e6, cpu_ms))
                print(
                    f"  run {run + 1} ({label}): {pages} pages, {size / 1e6:.0f} MB in "
                    f"{secs:.2f}s = {pages / secs:.0f} pages/s, {size / secs / 1e6:.0f} MB/s; "
                    f"server CPU {cpu_ms:.2f} ms/page"
                )
            mid = [statistics.median(r[i] for r in rates) for i in range(3)]
            print(
                f"paging {tasks} tasks ({label}): median {mid[0]:.0f} pages/s, {mid[1]:.0f} MB/s; "
                f"server CPU {mid[2]:.2f} ms/page = capacity {1000 / mid[2]:.0f} pages/s/core"
            )


def bench_startup(tasks: int) -> None:
    cfg = SandboxConfig(tasks=tasks, **UNCAPPED)  # type: ignore[arg-type]
    start = time.perf_counter()
    App(cfg)
    print(
        f"startup {tasks} tasks: dataset + app built in-process in {time.perf_counter() - start:.2f}s"
    )
    start = time.perf_counter()
    with running_sandbox(cfg, subprocess=True) as sb:
        ready = time.perf_counter() - start
        server = server_process(sb.base_url)
        rss0 = server.memory_info().rss / 2**20
        pages, _, secs = page_all(sb.base_url, sb.master_key, parse=False, max_pages=500)
        rss1 = server.memory_info().rss / 2**20
    print(
        f"startup {tasks} tasks: READY after {ready:.2f}s (process spawn included), RSS {rss0:.0f} MB"
    )
    print(
        f"  after paging {pages * 200} of them ({pages / secs:.0f} pages/s, cold contacts): "
        f"RSS {rss1:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--startup-tasks", type=int, default=1_000_000)
    ns = parser.parse_args()
    bench_paging(ns.tasks, ns.runs)
    bench_startup(ns.startup_tasks)


if __name__ == "__main__":
    main()
