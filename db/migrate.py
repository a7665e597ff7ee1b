"""Alembic configured in code, with the URL from settings (no alembic.ini to keep in sync)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from db.engine import get_engine
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
    """Apply migrations up to ``revision`` (``warwatch db upgrade``)."""
    config = alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


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
