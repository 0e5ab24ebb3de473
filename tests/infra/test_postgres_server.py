"""The test suite's PostgreSQL is a real server: prove it answers SQL and isolates databases."""

import sqlalchemy as sa


def test_real_postgres_answers_and_databases_are_isolated(postgres_url, postgres_server):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        version = conn.execute(sa.text("select version()")).scalar_one()
        conn.execute(sa.text("create table t (id int primary key)"))
        conn.execute(sa.text("insert into t values (1), (2)"))
    assert version.startswith("PostgreSQL")
    other = sa.create_engine(postgres_server.create_database("isolation_check"))
    with other.connect() as conn:
        tables = conn.execute(
            sa.text("select count(*) from information_schema.tables where table_name = 't'")
        ).scalar_one()
    assert tables == 0
    engine.dispose()
    other.dispose()
