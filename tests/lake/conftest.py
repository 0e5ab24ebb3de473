"""A real MariaDB server for the session (started on first use, like `postgres_server`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.lake.mariadb_server import MariaDbServer

_counter = itertools.count()


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDbServer]:
    server = MariaDbServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mariadb_url(mariadb_server: MariaDbServer) -> str:
    """A fresh, empty database on the session's server, one per test."""
    return mariadb_server.create_database(f"m{next(_counter)}")
