"""Alembic configured in code, with the URL from settings (no alembic.ini to keep in sync)."""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from db.engine import get_engine
from db.locks import lock_directory
from warwatch.exceptions import SchemaError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (``warwatch db upgrade``).

    Several processes may start on an empty database at once (two daemons, a daemon and
    a cron run): the schema lock makes one of them migrate while the others wait, then
    find the schema current and do nothing.
    """
    config = alembic_config(url)
    engine = get_engine(url)
    with schema_lock(url), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


_SCHEMA_KEY = int.from_bytes(hashlib.sha256(b"warwatch.schema").digest()[:8], "big", signed=True)


@contextmanager
def schema_lock(url: str) -> Iterator[None]:
    """For a SQLite file, an exclusive lock file beside it (PostgreSQL locks in-session)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        yield
        return
    with (lock_directory(Path(parsed.database)) / "schema.lock").open("ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_schema(url: str) -> None:
    """Create the schema on an empty database; refuse to write to an outdated one.

    An empty database is migrated on the spot (so ``warwatch crawl`` works on first use);
    a database at an older revision is left alone, because upgrading production data is a
    decision for the operator (``warwatch db upgrade``), not a side effect of a cron job.
    """
    engine = get_engine(url)
    current = current_revision(engine)
    if current is None:
        upgrade(url)
    elif current != head_revision():
        raise SchemaError(
            f"database {engine.url.render_as_string(hide_password=True)} is at schema "
            f"revision {current}, the code needs {head_revision()}: run 'warwatch db upgrade'"
        )
