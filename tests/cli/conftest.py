"""The sink's fixtures (`warehouse_url` on DuckDB and PostgreSQL, `push`) for the CLI tests."""

from tests.sink.conftest import push, warehouse_url  # noqa: F401
