"""Reads and writes of the crawl: batched, idempotent, in short transactions.

Dedupe is the database's job: UNIQUE keys and ``INSERT … ON CONFLICT DO NOTHING
RETURNING``, so a batch stored twice (a retried or killed crawl) adds nothing, and two
writers never race between a SELECT and an INSERT.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from crawler.items import ArticleItem, FetchRecord
from db.clusters import assign_clusters, reconsider
from db.dialect import insert
from db.evidence import store_responses
from db.models import (
    CrawlError,
    CrawlRun,
    CrawlRunSource,
    Flag,
    HttpValidator,
    Item,
    ItemVersion,
    Source,
)
from db.versions import CurrentVersion, insert_versions, read_current, record_change, touch_items
from warwatch.sources import DEFAULT_RECHECK, RecheckStep, next_check
from warwatch.sources import Source as SourceConfig


@dataclass(frozen=True, slots=True)
class BatchResult:
    items_new: int
    versions_new: int
    flags_new: int
    changes_new: int = 0


def store_batch(
    connection: Connection,
    items: Sequence[ArticleItem],
    run_id: int | None,
    recheck: Sequence[RecheckStep] = DEFAULT_RECHECK,
    cluster: bool = True,
) -> BatchResult:
    """Store items, a version for each content not current, changes, flags and evidence.

    An item whose content equals its current version adds nothing but its re-check
    times; a new content adds a version (or, for a content seen before, moves back to
    that version: a revert), a classified change, and the response it came from.
    """
    if not items:
        return BatchResult(0, 0, 0)
    items = list({item.canonical_url: item for item in items}.values())
    new_items = connection.execute(
        insert(connection, Item)
        .on_conflict_do_nothing(index_elements=["canonical_url"])
        .returning(Item.id, Item.canonical_url),
        [
            {
                "source_id": item.source_id,
                "canonical_url": item.canonical_url,
                "url": item.url,
                "first_seen_at": item.fetched_at,
                "last_seen_at": item.fetched_at,
                "status": "live",
                "last_checked_at": item.fetched_at,
                "next_check_at": next_check(recheck, item.fetched_at, item.fetched_at),
            }
            for item in items
        ],
    ).all()
    ids = {row.canonical_url: row.id for row in new_items}
    current: dict[int, CurrentVersion] = {}
    existing = [item for item in items if item.canonical_url not in ids]
    if existing:
        found = read_current(connection, [item.canonical_url for item in existing])
        for item in existing:
            state = found[item.canonical_url]
            ids[item.canonical_url] = state.item_id
            current[state.item_id] = state
        touch_items(connection, existing, found, recheck)

    changed = [
        item
        for item in items
        if ids[item.canonical_url] not in current
        or current[ids[item.canonical_url]].content_hash != item.content_hash
    ]
    if not changed:
        return BatchResult(0, 0, 0)
    source_id = changed[0].source_id
    response_ids = store_responses(
        connection,
        [item.response for item in changed if item.response is not None],
        source_id,
        run_id,
    )
    version_ids, inserted = insert_versions(
        connection,
        [_version_row(ids[item.canonical_url], item, run_id, response_ids) for item in changed],
    )
    changes_new = 0
    for item in changed:
        item_id = ids[item.canonical_url]
        before = current.get(item_id)
        if before is not None and before.last_seen_at > item.fetched_at:
            continue  # an older observation (a re-imported capture): kept, not "current"
        version_id = version_ids[(item_id, item.content_hash)]
        response_id = response_ids.get(id(item.response)) if item.response else None
        if record_change(
            connection,
            item_id,
            before,
            version_id,
            revisited=(item_id, item.content_hash) not in inserted,
            item=item,
            response_id=response_id,
        ):
            changes_new += 1
            if cluster:
                reconsider(connection, item_id, item.title, item.text, item.fetched_at)

    flag_rows = []
    for item in changed:
        key = (ids[item.canonical_url], item.content_hash)
        if key in inserted:
            flag_rows.extend(_flag_rows(key[0], version_ids[key], item))
    flags_new = 0
    if flag_rows:
        flags_new = len(
            connection.execute(
                insert(connection, Flag)
                .on_conflict_do_nothing(index_elements=["item_id", "rule_id", "sentence_key"])
                .returning(Flag.id),
                flag_rows,
            ).all()
        )
    if cluster and new_items:
        by_url = {item.canonical_url: item for item in items}
        assign_clusters(
            connection,
            [
                (row.id, by_url[row.canonical_url].title, by_url[row.canonical_url].text)
                for row in new_items
            ],
            max(item.fetched_at for item in items),
        )
    return BatchResult(len(new_items), len(inserted), flags_new, changes_new)


def _version_row(
    item_id: int, item: ArticleItem, run_id: int | None, response_ids: dict[int, int]
) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "content_hash": item.content_hash,
        "title": item.title,
        "text": item.text,
        "author": item.author,
        "language": item.language,
        "published_at": item.published_at,
        "modified_at": item.modified_at,
        "fetched_at": item.fetched_at,
        "origin": item.origin,
        "http_status": item.http_status,
        "extractor": item.extractor,
        "run_id": run_id,
        "response_id": response_ids.get(id(item.response)) if item.response else None,
    }


def _flag_rows(item_id: int, version_id: int, item: ArticleItem) -> list[dict[str, Any]]:
    return [
        {
            "item_id": item_id,
            "version_id": version_id,
            "category": match.category,
            "rule_id": match.rule,
            "rules_version": item.rules_version,
            "matched_text": match.text,
            "sentence": match.sentence,
            "sentence_key": match.sentence_key,
            "start_offset": match.start,
            "end_offset": match.end,
            "modality": match.modality,
            "language": match.language,
            "score": match.score,
            "status": "new",
            "created_at": item.fetched_at,
        }
        for match in item.matches
    ]


def known_urls(connection: Connection, canonical_urls: Iterable[str]) -> set[str]:
    """Which of these canonical URLs are stored already."""
    urls = list(canonical_urls)
    if not urls:
        return set()
    return set(connection.scalars(select(Item.canonical_url).where(Item.canonical_url.in_(urls))))


def due_for_recheck(
    connection: Connection, source_id: str, now: datetime, limit: int
) -> list[tuple[str, str, str]]:
    """(URL, canonical URL, origin of its current version) of the source's items whose
    re-check is due, the most overdue first."""
    rows = connection.execute(
        select(Item.url, Item.canonical_url, ItemVersion.origin)
        .join(ItemVersion, ItemVersion.id == Item.current_version_id)
        .where(Item.source_id == source_id, Item.next_check_at <= now)
        .order_by(Item.next_check_at)
        .limit(limit)
    )
    return [(row.url, row.canonical_url, row.origin) for row in rows]


def get_validators(connection: Connection, url: str) -> tuple[str | None, str | None]:
    row = connection.execute(
        select(HttpValidator.etag, HttpValidator.last_modified).where(HttpValidator.url == url)
    ).first()
    return (row.etag, row.last_modified) if row else (None, None)


def save_validators(connection: Connection, records: Iterable[FetchRecord], now: datetime) -> None:
    rows = [
        {"url": r.url, "etag": r.etag, "last_modified": r.last_modified, "updated_at": now}
        for r in records
        if r.etag or r.last_modified
    ]
    if not rows:
        return
    statement = insert(connection, HttpValidator)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["url"],
            set_={
                "etag": statement.excluded.etag,
                "last_modified": statement.excluded.last_modified,
                "updated_at": statement.excluded.updated_at,
            },
        ),
        rows,
    )


def sync_sources(connection: Connection, sources: Iterable[SourceConfig], now: datetime) -> None:
    """Upsert the configured sources, so runs, items and errors can refer to them."""
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "family": s.family,
            "kind": s.kind,
            "url": s.url,
            "language": s.language,
            "enabled": s.enabled,
            "created_at": now,
            "updated_at": now,
        }
        for s in sources
    ]
    if not rows:
        return
    statement = insert(connection, Source)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                column: getattr(statement.excluded, column)
                for column in ("name", "family", "kind", "url", "language", "enabled", "updated_at")
            },
        ),
        rows,
    )


def start_run(connection: Connection, trigger: str, now: datetime) -> int:
    return connection.execute(
        insert(connection, CrawlRun)
        .values(trigger=trigger, started_at=now, status="running")
        .returning(CrawlRun.id)
    ).scalar_one()


def finish_run(connection: Connection, run_id: int, status: str, now: datetime) -> None:
    connection.execute(
        update(CrawlRun).where(CrawlRun.id == run_id).values(status=status, finished_at=now)
    )


def record_run_source(connection: Connection, values: dict[str, Any]) -> None:
    """Insert or replace what a run did for a source (one row per run and source)."""
    statement = insert(connection, CrawlRunSource).values(**values)
    updates = {k: v for k, v in values.items() if k not in ("run_id", "source_id")}
    connection.execute(
        statement.on_conflict_do_update(index_elements=["run_id", "source_id"], set_=updates)
    )


def record_errors(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(connection, CrawlError), list(rows))


def run_sources(connection: Connection, run_id: int) -> dict[str, Any]:
    """What a run recorded per source, keyed by source id (rows with column attributes)."""
    table = CrawlRunSource.__table__
    rows = connection.execute(select(table).where(table.c.run_id == run_id))
    return {row.source_id: row for row in rows}


def run_errors(connection: Connection, run_id: int) -> list[Any]:
    return list(
        connection.execute(
            select(CrawlError.source_id, CrawlError.url, CrawlError.kind, CrawlError.message)
            .where(CrawlError.run_id == run_id)
            .order_by(CrawlError.id)
        )
    )


def last_crawls(connection: Connection) -> dict[str, tuple[str, datetime]]:
    """Each source's most recent crawl: (status, finished or started time)."""
    latest = (
        select(CrawlRunSource.source_id, func.max(CrawlRunSource.id).label("id"))
        .group_by(CrawlRunSource.source_id)
        .subquery()
    )
    rows = connection.execute(
        select(
            CrawlRunSource.source_id,
            CrawlRunSource.status,
            func.coalesce(CrawlRunSource.finished_at, CrawlRunSource.started_at),
        ).join(latest, latest.c.id == CrawlRunSource.id)
    )
    return {source_id: (status, at) for source_id, status, at in rows}
