"""Source health in the database: gather each source's facts, assess, store.

``source_health`` holds the latest assessment per source for dashboards; ``update``
returns the sources whose state changed, so a source entering a bad state is logged
once, when it enters it, and not on every run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from db.dialect import insert
from db.models import CrawlError, CrawlRunSource, Item, ItemVersion, SourceHealth
from warwatch.health import USUAL_WINDOW, Health, RunFact, assess
from warwatch.sources import Source

RUNS_CONSIDERED = 50


@dataclass(frozen=True, slots=True)
class Transition:
    source_id: str
    before: str | None
    health: Health


def assess_source(
    connection: Connection, source: Source, now: datetime, previous: SourceHealth | None = None
) -> Health:
    """The source's health now, from its last runs and its items of the last 30 days."""
    runs = connection.execute(
        select(
            CrawlRunSource.id,
            func.coalesce(CrawlRunSource.finished_at, CrawlRunSource.started_at).label("at"),
            CrawlRunSource.status,
            CrawlRunSource.entries_seen,
            CrawlRunSource.run_id,
            CrawlRunSource.retry_after_at,
        )
        .where(CrawlRunSource.source_id == source.id)
        .order_by(CrawlRunSource.id.desc())
        .limit(RUNS_CONSIDERED)
    ).all()
    first_errors: dict[int, str] = {}
    if runs:
        for run_id, kind, message in connection.execute(
            select(CrawlError.run_id, CrawlError.kind, CrawlError.message)
            .where(
                CrawlError.source_id == source.id,
                CrawlError.run_id.in_([run.run_id for run in runs]),
            )
            .order_by(CrawlError.id)
        ):
            first_errors.setdefault(run_id, f"{kind}: {message}")
    published = func.coalesce(ItemVersion.published_at, Item.first_seen_at)
    item_times = connection.scalars(
        select(published)
        .select_from(Item)
        .outerjoin(ItemVersion, ItemVersion.id == Item.current_version_id)
        .where(Item.source_id == source.id, published > now - USUAL_WINDOW - timedelta(days=1))
    ).all()
    latest = connection.scalar(
        select(func.max(published))
        .select_from(Item)
        .outerjoin(ItemVersion, ItemVersion.id == Item.current_version_id)
        .where(Item.source_id == source.id, published <= now)
    )
    facts = [
        RunFact(
            run.at,
            run.status,
            run.entries_seen,
            first_errors.get(run.run_id) if run.status in ("failed", "partial") else None,
            run.retry_after_at,
        )
        for run in runs
    ]
    times = list(item_times) + ([latest] if latest is not None else [])
    return assess(
        source.id,
        facts,
        sorted(set(times)),
        now,
        source.interval,
        silent_after=source.silent_after,
        max_backoff=source.max_backoff,
        previous_next_attempt=previous.next_attempt_at if previous else None,
    )


def update(
    connection: Connection,
    sources: Iterable[Source],
    now: datetime,
) -> list[Transition]:
    """Re-assess these sources, store the result, and return those whose state changed."""
    changed = []
    for source in sources:
        previous = _row(connection, source.id)
        health = assess_source(connection, source, now, previous)
        before = previous.state if previous else None
        values = {
            "state": health.state,
            "reason": health.reason,
            "state_since": previous.state_since if before == health.state else now,
            "last_success_at": health.last_success_at,
            "last_error_at": health.last_error_at,
            "last_error": health.last_error,
            "consecutive_failures": health.consecutive_failures,
            "last_item_at": health.last_item_at,
            "items_per_day": health.items_per_day,
            "usual_items_per_day": health.usual_items_per_day,
            "usual_gap_seconds": health.usual_gap_seconds,
            "next_attempt_at": health.next_attempt_at,
            "updated_at": now,
        }
        statement = insert(connection, SourceHealth).values(source_id=source.id, **values)
        connection.execute(
            statement.on_conflict_do_update(index_elements=["source_id"], set_=values)
        )
        if before != health.state:
            changed.append(Transition(source.id, before, health))
    return changed


def _row(connection: Connection, source_id: str) -> Any:
    return connection.execute(
        select(SourceHealth.__table__).where(SourceHealth.source_id == source_id)
    ).one_or_none()


def stored(connection: Connection) -> dict[str, object]:
    """Every stored health row, keyed by source id (rows with column attributes)."""
    return {row.source_id: row for row in connection.execute(select(SourceHealth.__table__)).all()}
