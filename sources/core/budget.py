"""One quota budget per vendor key, shared by every run that uses the key on this machine.

A vendor counts its quota per key (or per user or team behind it), not per run: the accounts an
orchestrator fans out and plain CLI runs started side by side spend the same budget. Each run
reads what the vendor says is left (or what the documented limit leaves) when it starts, but the
runs going on at that moment have not spent their calls yet. So every quota-checked run takes a
**reservation** of its estimated calls before it reads the list, atomically with the check
(`reserve`), and releases it when it ends (`release`): a run refuses when its estimate exceeds
what is left less the calls the other live runs reserved (`sales_tasks.sources.core.quota`).
The count is deliberately cautious: a live run's reservation is subtracted whole, although the
vendor's figure may already include part of its calls.

The ledger is a small JSON file per key, `<folder>/<digest>.json`, named by a digest of the
vendor and the key (never the key itself), next to the dlt pipelines folder
(`ledger_folder`); every read-modify-write holds an exclusive `flock` on `<digest>.lock`, so
concurrent processes never interleave. A reservation of a process that is gone (same host) or
older than `max_age_s` is dropped, so a killed run never blocks the key. The ledger also keeps
the calls of the runs that ended (for a vendor that sends no budget figures: the calls made on
the key within its documented window, `calls_since`) and each job's last calls per kind of run
(`last_calls`: an estimate for a list without a total).

A ledger that cannot be read or written (a read-only folder) never fails a run: the run is then
checked on its own, `problem` says why, and the quota check warns so.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

LEDGER_FOLDER = "quota-budgets"
# Ended runs older than this are forgotten (the longest vendor window counted is a day).
HISTORY_S = 2 * 86_400.0


def key_digest(vendor: str, api_key: str) -> str:
    """A short, non-reversible name of (vendor, key): the ledger file's name."""
    return hashlib.sha256(f"{vendor}\0{api_key}".encode()).hexdigest()[:20]


def ledger_folder(pipelines_dir: str) -> str:
    """The ledgers' folder for runs whose dlt pipelines live in `pipelines_dir`: beside it (with
    dlt's default `~/.dlt/pipelines`, `~/.dlt/quota-budgets`)."""
    return os.path.join(os.path.dirname(os.path.abspath(pipelines_dir)), LEDGER_FOLDER)


@dataclass(frozen=True)
class Reserved:
    """The outcome of `reserve`: taken or not, and what the other live runs hold."""

    taken: bool
    others_calls: int
    others_runs: int


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class QuotaBudget:
    """The shared budget of one vendor key, as one job's runs see it.

    Args:
        folder: where the ledgers live (`ledger_folder`).
        vendor / api_key: what the budget is counted for (only their digest is stored).
        job: the job's identity digest (its last calls are kept under it).
        clock: epoch seconds (tests pass the sandbox's).
        max_age_s: a reservation older than this is dropped (a run that never released it).
    """

    def __init__(
        self,
        folder: str,
        vendor: str,
        api_key: str,
        job: str,
        *,
        clock: Callable[[], float] = time.time,
        max_age_s: float = 86_400.0,
    ) -> None:
        digest = key_digest(vendor, api_key)
        self.folder = folder
        self.path = os.path.join(folder, f"{digest}.json")
        self._lock_path = os.path.join(folder, f"{digest}.lock")
        self.job = job
        self._clock = clock
        self.max_age_s = max_age_s
        self._host = socket.gethostname()
        self.problem: str | None = None  # why the ledger could not be used (None: it could)

    def _failed(self, exc: OSError) -> None:
        self.problem = f"{type(exc).__name__}: {exc.strerror or exc}"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        """The ledger, read under the key's lock and written back when the block ends."""
        os.makedirs(self.folder, exist_ok=True)
        with open(self._lock_path, "a+", encoding="utf-8") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                state = self._read()
                self._prune(state)
                yield state
                tmp = f"{self.path}.{os.getpid()}.tmp"
                with open(tmp, "w", encoding="utf-8") as out:
                    json.dump(state, out)
                os.replace(tmp, self.path)
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _read(self) -> dict[str, Any]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                state = json.load(handle)
        except (OSError, ValueError):
            state = {}  # none yet, or torn: reservations are taken again from now on
        if not isinstance(state, dict):
            state = {}
        state.setdefault("reservations", {})
        state.setdefault("ended", [])
        state.setdefault("last_calls", {})
        return state

    def _prune(self, state: dict[str, Any]) -> None:
        now = self._clock()
        live = {}
        for run_id, held in state["reservations"].items():
            gone = held.get("host") == self._host and not _alive(int(held.get("pid", 0)))
            if not gone and now - float(held.get("taken_at", 0.0)) <= self.max_age_s:
                live[run_id] = held
        state["reservations"] = live
        state["ended"] = [e for e in state["ended"] if now - float(e[0]) <= HISTORY_S]

    def reserve(self, run_id: str, calls: int, left: int | None, *, force: bool) -> Reserved:
        """Hold `calls` for `run_id` when they fit in `left` less the other runs' reservations
        (or when `force`, or `left` is unknown), atomically with that check."""
        try:
            return self._reserve(run_id, calls, left, force=force)
        except OSError as exc:
            self._failed(exc)
            return Reserved(True, 0, 0)

    def _reserve(self, run_id: str, calls: int, left: int | None, *, force: bool) -> Reserved:
        with self._locked() as state:
            others = {k: v for k, v in state["reservations"].items() if k != run_id}
            held = sum(int(v["calls"]) for v in others.values())
            taken = force or left is None or calls <= left - held
            if taken:
                state["reservations"][run_id] = {
                    "calls": int(calls),
                    "job": self.job,
                    "pid": os.getpid(),
                    "host": self._host,
                    "taken_at": self._clock(),
                }
        return Reserved(taken, held, len(others))

    def release(self, run_id: str, *, calls: int, full_scan: bool, finished: bool) -> None:
        """End `run_id`'s reservation and record the `calls` it made; a `finished` run's calls
        become its job's estimate for the next run of the same kind."""
        try:
            self._release(run_id, calls=calls, full_scan=full_scan, finished=finished)
        except OSError as exc:
            self._failed(exc)

    def _release(self, run_id: str, *, calls: int, full_scan: bool, finished: bool) -> None:
        with self._locked() as state:
            state["reservations"].pop(run_id, None)
            if calls > 0:
                state["ended"].append([self._clock(), int(calls)])
            if finished:
                kind = "full" if full_scan else "incremental"
                state["last_calls"].setdefault(self.job, {})[kind] = int(calls)

    def calls_since(self, seconds: float) -> int:
        """Calls the runs that ended within the last `seconds` made on this key (0: unknown)."""
        try:
            with self._locked() as state:
                since = self._clock() - seconds
                return sum(int(calls) for at, calls in state["ended"] if float(at) >= since)
        except OSError as exc:
            self._failed(exc)
            return 0

    def last_calls(self, full_scan: bool) -> int | None:
        """The calls this job's last finished run of that kind made (None: none yet)."""
        try:
            with self._locked() as state:
                kind = "full" if full_scan else "incremental"
                value = state["last_calls"].get(self.job, {}).get(kind)
        except OSError as exc:
            self._failed(exc)
            return None
        return int(value) if value is not None else None
