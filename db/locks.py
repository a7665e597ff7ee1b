"""Per-source crawl locks: one crawler at a time per source, whoever starts it.

Overlapping cron runs, a cron run beside a daemon, and several daemons on several
machines sharing one PostgreSQL database must never crawl the same source at once.

- PostgreSQL: a session-level advisory lock per source (``pg_try_advisory_lock``), held
  on a connection of its own for the length of the crawl. The database releases it when
  that connection ends, so a killed process never leaves a source locked.
- SQLite: an exclusive ``flock`` on a file per source beside the database file (one
  machine by nature). The kernel releases it when the process dies.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from db.engine import get_engine

# Lock keys are namespaced so they do not collide with other users of the database.
_NAMESPACE = "warwatch.source:"


def lock_key(source_id: str, schema: str = "public") -> int:
    """A stable signed 64-bit advisory-lock key for a source of the warwatch store in
    ``schema`` (advisory locks are database-wide; two stores in two schemas of one
    database must not block each other)."""
    digest = hashlib.sha256(f"{_NAMESPACE}{schema}:{source_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@dataclass
class SourceLocks:
    """The sources this process holds, and those another process was crawling."""

    held: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)


@contextmanager
def source_locks(db_url: str, source_ids: list[str]) -> Iterator[SourceLocks]:
    """Try to take each source's lock without waiting; hold those taken until exit."""
    url = make_url(db_url)
    backend = url.get_backend_name()
    if backend == "postgresql":
        with _advisory_locks(db_url, source_ids) as locks:
            yield locks
    elif backend == "sqlite" and url.database and url.database != ":memory:":
        with _file_locks(Path(url.database), source_ids) as locks:
            yield locks
    else:  # an in-memory database belongs to one process: nothing to share
        yield SourceLocks(held=list(source_ids))


@contextmanager
def _advisory_locks(db_url: str, source_ids: list[str]) -> Iterator[SourceLocks]:
    locks = SourceLocks()
    connection: Connection = get_engine(db_url).connect()
    keys: dict[str, int] = {}
    try:
        schema = connection.scalar(text("SELECT current_schema()")) or "public"
        keys = {source_id: lock_key(source_id, schema) for source_id in source_ids}
        for source_id in source_ids:
            taken = connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": keys[source_id]}
            )
            connection.commit()  # the lock is the session's, not the transaction's
            (locks.held if taken else locks.busy).append(source_id)
        yield locks
    finally:
        # Ending the session releases every lock it holds, even if the server restarted
        # meanwhile; invalidate so the pool never hands the session out again.
        try:
            connection.invalidate()
        finally:
            connection.close()


def lock_directory(database: Path) -> Path:
    """Where a SQLite database's lock files live: ``<database>.locks/`` beside it."""
    directory = database.parent / f"{database.name}.locks"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@contextmanager
def _file_locks(database: Path, source_ids: list[str]) -> Iterator[SourceLocks]:
    locks = SourceLocks()
    directory = lock_directory(database)
    handles: list[IO[bytes]] = []
    try:
        for source_id in source_ids:
            handle = (directory / f"{source_id}.lock").open("ab")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                locks.busy.append(source_id)
                continue
            handle.truncate(0)
            handle.write(f"{os.getpid()}\n".encode())
            handle.flush()
            handles.append(handle)
            locks.held.append(source_id)
        yield locks
    finally:
        for handle in handles:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
