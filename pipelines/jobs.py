"""A job's identity decides its state, and one run of a job at a time.

A *job* is what a run reads and writes: for an extract, the vendor, the account (its base URL,
and its name when it is a named account of `sales_tasks.pipelines.accounts`), the destination (and where it
is: a DuckDB file, a database without its password) and the dataset; for a push, the vendor, the
base URL (and named account), the warehouse and the ledger schema. Two runs of different jobs
must never share a dlt working folder, a load package or pipeline state (two jobs sharing the
fixed name `<vendor>_tasks` once sent one account's rows to another and emptied a `tasks` table), so
the dlt pipeline name is derived from the job, readable: `sales_tasks_<vendor>_<account>` for an
extract (`sales_tasks_<vendor>_<account>_push` for a push), `<account>` being the named account
or the base URL's host (`sales_tasks_<vendor>_api_<vendor>_io`), so `dlt pipeline <name> info` needs no
listing first. Only when that name is already taken in the pipelines folder by another job (the
same account into a second warehouse or dataset) does a job get a longer one, with what differs
(`sales_tasks_<vendor>_acme_postgres_<dataset>`), and past that its digest: `pipeline_name_for` keeps
who holds which name in `<dlt data dir>/locks/pipeline-names.json`, so each job keeps its name
from run to run. A working folder left by the older digest names
(`<vendor>_extract_<host>_<digest>`) is renamed to the job's new name on its first run, so its
state and any unfinished load package carry on (`adopt_legacy_folder`). The API key is never part
of a name: two keys to the same account and destination are the same job, and a name or a path
must not become a way to recognise a key.

Two runs of the *same* job never interleave: `JobLock` holds an exclusive `flock` on a file per job
(and one per dlt working folder, for a `--pipeline-name` shared on purpose) in a machine-wide
folder, `<dlt data dir>/locks` (`~/.dlt/locks`, or `$DLT_DATA_DIR/locks`). It lives outside the
pipelines folder on purpose: schedulers give every run a fresh pipelines folder, and the lock must
still see the other run. The kernel releases a `flock` when its process dies, however it dies, so
a lock left by a killed run (SIGKILL, OOM, a lost container) is recovered by the next run with
nothing to clean by hand; the file's text (pid, host, start, command) only explains who holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import urlsplit

from sales_tasks.clients.core.errors import ActionableError
from sales_tasks.pipelines.exit_codes import EXIT_BUSY

LOCKS_FOLDER = "locks"
POLL_SECONDS = 0.2
NAME_PREFIX = "sales_tasks"
# dlt refuses a pipeline name past 64 characters (`InvalidSchemaName`, at the run's first
# contact with the destination): a longer name keeps its readable start and ends in the digest.
MAX_NAME = 64
NAMES_FILE = "pipeline-names.json"


class JobBusyError(ActionableError, RuntimeError):
    """Another run of the same job holds its lock (exit code `EXIT_BUSY` on the command line)."""

    exit_code = EXIT_BUSY


def _without_password(url: str) -> str:
    """A URL as a person may see it: no password, no query (it may hold tokens)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return f"{parts.scheme}://{user}{host}{parts.path}"


def normalize_base_url(base_url: str) -> str:
    """`HTTPS://API.example.com/` and `https://api.example.com` are the same account endpoint."""
    parts = urlsplit(base_url.strip())
    host = (parts.hostname or "").lower()
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme.lower()}://{host}{parts.path.rstrip('/')}"


def _slug(text: str, limit: int = 24) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit].strip("_") or "local"


@dataclass(frozen=True)
class JobIdentity:
    """What one job reads and writes; equal identities are the same job."""

    kind: str  # "extract" | "push"
    vendor: str
    base_url: str
    target: str  # where the data goes (extract) or the warehouse (push), without secrets
    dataset: str  # dataset (extract) or ledger schema (push)
    # A named account (`sales_tasks.pipelines.accounts`); "" for the base URL's own, whose jobs keep the
    # names they had before accounts existed.
    account: str = ""

    @property
    def digest(self) -> str:
        parts = (self.kind, self.vendor, self.base_url, self.target, self.dataset)
        text = "\n".join(parts + ((f"account {self.account}",) if self.account else ()))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @property
    def legacy_pipeline_name(self) -> str:
        """The digest name jobs had before names became readable (`adopt_legacy_folder`)."""
        host = urlsplit(self.base_url).netloc or self.base_url
        return f"{self.vendor}_{self.kind}_{_slug(self.account or host)}_{self.digest}"

    @property
    def pipeline_name(self) -> str:
        """The readable name: `sales_tasks_<vendor>_<account>` (`_push` for a push)."""
        host = urlsplit(self.base_url).netloc or self.base_url
        name = f"{NAME_PREFIX}_{self.vendor}_{_slug(self.account or host, 40)}"
        return self._fit(name if self.kind == "extract" else f"{name}_{self.kind}")

    def candidate_names(self) -> tuple[str, ...]:
        """The names this job may take, most readable first (`pipeline_name_for`)."""
        where = self.target.split(" ", 1)
        place = os.path.splitext(os.path.basename(where[-1].rstrip("/")))[0] if where[1:] else ""
        differs = _slug("_".join(p for p in (where[0], place, self.dataset) if p), 40)
        return (
            self.pipeline_name,
            self._fit(f"{self.pipeline_name}_{differs}"),
            self._fit(f"{self.pipeline_name}_{self.digest}"),
        )

    def _fit(self, name: str) -> str:
        """`name` within dlt's limit on a schema name (`MAX_NAME`): a longer one keeps its start
        and ends in the job's digest, so it stays this job's alone."""
        if len(name) <= MAX_NAME:
            return name
        return f"{name[: MAX_NAME - len(self.digest) - 1].rstrip('_')}_{self.digest}"

    def describe(self) -> str:
        account = f" account {self.account}" if self.account else ""
        return (
            f"{self.vendor}{account} {self.kind} from {self.base_url} into {self.target},"
            f" {'dataset' if self.kind == 'extract' else 'ledger schema'} {self.dataset}"
        )


def extract_identity(
    *,
    vendor: str,
    base_url: str,
    destination: str,
    location: str | None,
    dataset: str,
    account: str | None = None,
) -> JobIdentity:
    """The identity of an extract; `location` is the DuckDB file or database URL, if known;
    `account` a named account (two accounts on one base URL are two jobs)."""
    target = destination if not location else f"{destination} {_without_password(location)}"
    return JobIdentity(
        "extract", vendor, normalize_base_url(base_url), target, dataset, account or ""
    )


def push_identity(
    *,
    vendor: str,
    base_url: str,
    warehouse_url: str,
    ledger_schema: str,
    account: str | None = None,
) -> JobIdentity:
    """The identity of a push: the vendor account, the warehouse and the ledger in it."""
    return JobIdentity(
        "push",
        vendor,
        normalize_base_url(base_url),
        _without_password(warehouse_url),
        ledger_schema,
        account or "",
    )


def pipeline_name_for(identity: JobIdentity, pipelines_dir: str | None) -> str:
    """The dlt pipeline name of `identity` in `pipelines_dir`: readable unless another job holds
    that name there (see the module docstring); the choice is recorded so it sticks.

    A working folder under the job's older digest name is renamed to the chosen name first.
    """
    folder = os.path.abspath(working_folder("", pipelines_dir))
    registry = os.path.join(locks_dir(), NAMES_FILE)
    os.makedirs(os.path.dirname(registry), exist_ok=True)
    with open(registry, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            handle.seek(0)
            text = handle.read()
            try:
                held: dict[str, str] = json.loads(text) if text.strip() else {}
            except ValueError:
                held = {}  # a torn file: names are re-claimed, each job by its own digest
            for name in identity.candidate_names():
                key = os.path.join(folder, name)
                if held.get(key, identity.digest) == identity.digest:
                    break
            if held.get(key) != identity.digest:
                # Schedulers give runs fresh pipelines folders: names in folders that are gone
                # hold nothing any more.
                held = {
                    k: v
                    for k, v in held.items()
                    if os.path.dirname(k) == folder or os.path.isdir(os.path.dirname(k))
                }
                held[key] = identity.digest
                _write_names(handle, held)
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    adopt_legacy_folder(identity, name, pipelines_dir)
    return name


def release_pipeline_name(identity: JobIdentity, name: str, pipelines_dir: str | None) -> None:
    """Give `name` back (a job whose first run stopped before it loaded anything, e.g. at a
    destination without credentials): it held no data, so it holds no name either, and the
    job's next run (or another job) gets the readable name again."""
    registry = os.path.join(locks_dir(), NAMES_FILE)
    key = os.path.join(os.path.abspath(working_folder("", pipelines_dir)), name)
    if not os.path.exists(registry):
        return
    with open(registry, "r+", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            try:
                held: dict[str, str] = json.loads(handle.read() or "{}")
            except ValueError:
                return
            if held.get(key) == identity.digest:
                del held[key]
                _write_names(handle, held)
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_names(handle: IO[str], held: dict[str, str]) -> None:
    """Replace the names file's content (its lock held) with `held`."""
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(held, indent=0, sort_keys=True))
    handle.flush()


def adopt_legacy_folder(identity: JobIdentity, name: str, pipelines_dir: str | None) -> bool:
    """Rename the job's working folder from its older digest name to `name`, if only the old one
    exists; its state (whose `pipeline_name` is rewritten) and load packages carry on.

    Returns:
        True when a folder was renamed.
    """
    old = working_folder(identity.legacy_pipeline_name, pipelines_dir)
    new = working_folder(name, pipelines_dir)
    if not os.path.isdir(old) or os.path.exists(new):
        return False
    os.rename(old, new)
    state_file = os.path.join(new, "state.json")
    with contextlib.suppress(OSError, ValueError):
        with open(state_file, encoding="utf-8") as f:
            state = json.load(f)
        state["pipeline_name"] = name
        with open(state_file, "w", encoding="utf-8") as f:
            json.dump(state, f)
    return True


def locks_dir() -> str:
    """The machine-wide folder of job locks (inside dlt's data dir, `$DLT_DATA_DIR` honoured)."""
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

    data_dir = Container()[PluggableRunContext].context.data_dir
    return os.path.join(data_dir, LOCKS_FOLDER)


class JobLock:
    """Exclusive locks of one run: the job's, and its dlt working folder's.

    Args:
        identity: the job.
        working_folder: the dlt pipeline's working folder (pipelines dir / pipeline name).
        wait_seconds: how long to wait for a running run to end before giving up (0: at once).
    """

    def __init__(
        self, identity: JobIdentity, working_folder: str, *, wait_seconds: float = 0.0
    ) -> None:
        self.identity = identity
        self.working_folder = os.path.abspath(working_folder)
        self.wait_seconds = max(0.0, wait_seconds)
        folder_key = hashlib.sha256(self.working_folder.encode()).hexdigest()[:12]
        folder = locks_dir()
        # Sorted, so two runs taking both locks can never wait on each other in a cycle.
        self.paths = sorted(
            {
                os.path.join(folder, f"job-{identity.digest}.lock"),
                os.path.join(folder, f"folder-{folder_key}.lock"),
            }
        )
        self._files: list[IO[str]] = []

    def acquire(self) -> JobLock:
        os.makedirs(os.path.dirname(self.paths[0]), exist_ok=True)
        deadline = time.monotonic() + self.wait_seconds
        try:
            for path in self.paths:
                self._files.append(self._take(path, deadline))
        except BaseException:
            self.release()
            raise
        return self

    def _take(self, path: str, deadline: float) -> IO[str]:
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
        try:
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise self._busy(path) from None
                    time.sleep(POLL_SECONDS)
            handle.seek(0)
            handle.truncate()
            handle.write(
                f"pid {os.getpid()} on {socket.gethostname()} since"
                f" {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}: {self.identity.describe()}"
                f" ({os.path.basename(sys.argv[0]) if sys.argv else 'python'})\n"
            )
            handle.flush()
        except BaseException:
            handle.close()
            raise
        return handle

    def _busy(self, path: str) -> JobBusyError:
        holder = ""
        with contextlib.suppress(OSError), open(path, encoding="utf-8") as f:
            holder = f.read().strip().split(": ", 1)[0]
        waited = f" after waiting {self.wait_seconds:g}s" if self.wait_seconds else ""
        return JobBusyError(
            f"another run of this job is going ({holder or 'holder unknown'}; pipeline"
            f" {self.identity.pipeline_name}){waited}: let it finish, or pass --wait SECONDS to"
            " queue behind it; two runs of one job at once could duplicate or lose data"
        )

    def release(self) -> None:
        files, self._files = self._files, []
        for handle in reversed(files):
            with contextlib.suppress(OSError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()

    def __enter__(self) -> JobLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


@contextlib.contextmanager
def job_lock(
    identity: JobIdentity, working_folder: str, *, wait_seconds: float = 0.0
) -> Iterator[JobLock]:
    """Hold the locks of `identity` for the block (see `JobLock`)."""
    with JobLock(identity, working_folder, wait_seconds=wait_seconds) as lock:
        yield lock


def add_job_arguments(parser: Any) -> None:
    """The job flags every extract and push command takes (`argparse` parser)."""
    parser.add_argument(
        "--pipeline-name",
        default=None,
        help="dlt pipeline name (default: derived from the job, see the README's 'Jobs')",
    )
    parser.add_argument(
        "--pipelines-dir", default=None, help="dlt pipelines folder (default: dlt's own)"
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="when another run of this job is going, wait up to SECONDS for it (default: exit"
        " at once with code 75)",
    )


def working_folder(pipeline_name: str, pipelines_dir: str | None) -> str:
    """The dlt working folder of a pipeline, without creating it."""
    if pipelines_dir is None:
        from dlt.common.pipeline import get_dlt_pipelines_dir

        pipelines_dir = get_dlt_pipelines_dir()
    return os.path.join(os.path.abspath(pipelines_dir), pipeline_name)
