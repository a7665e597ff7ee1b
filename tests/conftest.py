"""Shared fixtures: a local HTTP server, a database per test (SQLite, and PostgreSQL when
reachable; under CI=true PostgreSQL must be reachable), and sources files pointing at them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from db.engine import dispose_all
from tests.httpserver import FixtureServer

PG_URL = os.environ.get("WARWATCH_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _pg_reachable() -> str | None:
    import psycopg

    try:
        conninfo = PG_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(conninfo, connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return str(error).strip()


@pytest.fixture(scope="session")
def pg_problem() -> str | None:
    return _pg_reachable()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, pg_problem: str | None) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warwatch.db'}"
        dispose_all()
        return
    if pg_problem:
        message = f"PostgreSQL at {PG_URL} is not reachable: {pg_problem}"
        if IN_CI:
            pytest.fail(message + " (CI=true: the PostgreSQL tests must run)")
        pytest.skip(message)
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    conninfo = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        dispose_all()
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    fixture_server = FixtureServer().start()
    yield fixture_server
    fixture_server.stop()


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a sources file: ``write_config({"id": url, ...})`` or full source dicts."""

    def write(sources: dict[str, str] | list[dict[str, object]], **crawler: object) -> Path:
        if isinstance(sources, dict):
            entries = [
                {
                    "id": sid,
                    "name": sid,
                    "family": "other",
                    "kind": "feed",
                    "url": url,
                    "language": "en",
                }
                for sid, url in sources.items()
            ]
        else:
            entries = sources
        polite = {"download_delay": 0, "autothrottle": False, "timeout": 10, **crawler}
        path = tmp_path / f"sources-{uuid.uuid4().hex[:6]}.yaml"
        path.write_text(yaml.safe_dump({"crawler": polite, "sources": entries}), encoding="utf-8")
        return path

    return write
