"""One engine per database URL per process, with SQLite set up for one writer and readers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 30_000

_engines: dict[str, Engine] = {}


def get_engine(url: str) -> Engine:
    """The process's engine for ``url``, created on first use."""
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = create_db_engine(url)
    return engine


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An engine; SQLite connections get WAL, a busy timeout and synchronous=NORMAL.

    WAL lets downstream readers query while the crawler writes; the busy timeout makes a
    second writer wait instead of failing with "database is locked".
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        connect_args.update(kwargs.pop("connect_args", {}))
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def dispose_all() -> None:
    """Close every pooled connection (tests, and before a process forks)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
