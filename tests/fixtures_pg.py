"""pytest fixtures for a real PostgreSQL server, started once per test session."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.postgres_server import PostgresServer

_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty database on the session's server, one per test."""
    return postgres_server.create_database(f"t{next(_counter)}")
