"""Migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from db.engine import get_engine
from db.migrate import ensure_schema, head_revision, upgrade
from db.models import Base
from warwatch.exceptions import SchemaError


def test_migrations_match_the_models(db_url):
    upgrade(db_url)

    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_an_empty_database_is_created_on_first_use(db_url):
    ensure_schema(db_url)

    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert {
        "sources",
        "items",
        "item_versions",
        "flags",
        "crawl_runs",
        "crawl_run_sources",
        "crawl_errors",
        "http_validators",
    } <= tables


def test_an_outdated_database_is_not_upgraded_behind_the_operators_back(db_url):
    upgrade(db_url)
    with get_engine(db_url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))

    with pytest.raises(
        SchemaError, match=r"revision older, the code needs .*run 'warwatch db upgrade'"
    ):
        ensure_schema(db_url)
    assert head_revision() != "older"


def test_sqlite_is_set_up_for_a_writer_and_readers(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    with get_engine(url).connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
