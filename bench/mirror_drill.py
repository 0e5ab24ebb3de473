"""The mirror drill, many rounds: does the mirror ever lose a live task, touch another account's
rows, or differ from the vendor after a run that said complete?

Each round, per vendor: two accounts (two sandboxes) extract into one warehouse, each into its
own dataset; then a random schedule of extracts with creates, deletes and status changes made in
the vendor at random points of the scan (`/_sandbox/on_request`), runs of one account aimed at
the other's dataset (they must be refused before reading), and, with `--kill`, extracts run as
the CLI and killed with SIGKILL at a random point. A last clean run of each account closes the
round. The invariants are those of `tests/mirror/drill.py`.

    .venv/bin/python -m bench.mirror_drill                 # 20 rounds per vendor, DuckDB
    .venv/bin/python -m bench.mirror_drill --rounds 5 --vendor reply --warehouse postgres --kill

Prints one line per vendor: runs, complete runs, refused runs, killed runs, live tasks lost,
rows of another account touched, complete-run mismatches; exit code 1 when any of the last
three is not 0. Seeds are printed, so a failing round can be replayed (`--seed`).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.mirror.drill import KITS, Tally, Warehouse, drill, random_changes, temp_folder  # noqa: E402


@contextmanager
def _warehouse(kind: str, folder: Path, server: object | None, n: int) -> Iterator[Warehouse]:
    if kind == "duckdb":
        yield Warehouse.duckdb(folder)
        return
    url = server.create_database(f"mirror_drill_{n}")  # type: ignore[attr-defined]
    yield Warehouse.postgres(url)


def one_round(vendor: str, kind: str, seed: int, kill: bool, server: object | None) -> Tally:
    """One round of the drill for `vendor` (see the module docstring)."""
    rng = random.Random(seed)
    with (
        temp_folder() as folder,
        _warehouse(kind, folder, server, seed) as warehouse,
        drill(KITS[vendor], warehouse, folder, seed) as d,
    ):
        d.run("a", [])
        d.run("b", [])
        for _ in range(rng.randrange(2, 6)):
            step = rng.random()
            if step < 0.15:
                d.run("b", random_changes(rng), into=d.accounts["a"].dataset)
            elif kill and step < 0.35:
                d.kill_run(rng.choice("ab"), random_changes(rng), rng.randrange(1, 9))
            else:
                d.run(rng.choice("ab"), random_changes(rng))
        for name in ("a", "b"):
            summary = d.run(name, [])
            if not summary.complete:
                d.tally.notes.append(f"the closing clean run of {name} was incomplete")
        d.tally.notes = [f"seed {seed}: {note}" for note in d.tally.notes]
        return d.tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--vendor", action="append", choices=sorted(KITS))
    parser.add_argument("--warehouse", choices=("duckdb", "postgres"), default="duckdb")
    parser.add_argument("--kill", action="store_true", help="also SIGKILL CLI extracts")
    parser.add_argument("--seed", type=int, default=1000, help="seed of the first round")
    args = parser.parse_args(argv)
    server = None
    if args.warehouse == "postgres":
        from tests.postgres_server import PostgresServer

        server = PostgresServer().start()
    failed = False
    try:
        for vendor in args.vendor or sorted(KITS):
            total, started = Tally(), time.monotonic()
            for n in range(args.rounds):
                total.add(one_round(vendor, args.warehouse, args.seed + n, args.kill, server))
            print(
                f"{vendor} ({args.warehouse}, {args.rounds} rounds, seeds {args.seed}.."
                f"{args.seed + args.rounds - 1}): {total.runs} runs, {total.complete} complete,"
                f" {total.refused} refused, {total.killed} killed; live tasks lost {total.lost},"
                f" rows of another account touched {total.foreign}, complete-run mismatches"
                f" {total.mismatch} ({time.monotonic() - started:.0f}s)"
            )
            for note in total.notes:
                print(f"  {note}")
            failed = failed or not total.clean()
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
