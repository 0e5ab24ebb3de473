# Root conftest: registers fixture plugins shared by every test package.
pytest_plugins = ["tests.fixtures_pg"]
