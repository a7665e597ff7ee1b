"""Versions and changes: what an item said, and each observed move from one content to
another, classified (``warwatch.diffing``).

``items.current_version_id`` is the content last observed. It moves with a
compare-and-set, so two writers observing the same edit record one change, and a batch
stored twice (a retried crawl) records nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, tuple_, update

from crawler.items import ArticleItem
from db.dialect import insert
from db.models import Item, ItemChange, ItemVersion
from warwatch.diffing import diff_versions
from warwatch.flagging.engine import default_engine
from warwatch.sources import RecheckStep, next_check


@dataclass(frozen=True, slots=True)
class CurrentVersion:
    item_id: int
    first_seen_at: datetime
    last_seen_at: datetime
    version_id: int | None
    content_hash: str | None
    title: str
    text: str
    language: str | None


def read_current(
    connection: Connection, canonical_urls: Sequence[str]
) -> dict[str, CurrentVersion]:
    rows = connection.execute(
        select(
            Item.canonical_url,
            Item.id,
            Item.first_seen_at,
            Item.last_seen_at,
            ItemVersion.id.label("version_id"),
            ItemVersion.content_hash,
            ItemVersion.title,
            ItemVersion.text,
            ItemVersion.language,
        )
        .outerjoin(ItemVersion, ItemVersion.id == Item.current_version_id)
        .where(Item.canonical_url.in_(canonical_urls))
    )
    return {
        row.canonical_url: CurrentVersion(
            row.id,
            row.first_seen_at,
            row.last_seen_at,
            row.version_id,
            row.content_hash,
            row.title or "",
            row.text or "",
            row.language,
        )
        for row in rows
    }


def touch_items(
    connection: Connection,
    items: Sequence[ArticleItem],
    found: dict[str, CurrentVersion],
    recheck: Sequence[RecheckStep],
) -> None:
    """Seen again (in a feed with full text, or on its page): a re-check, rescheduled."""
    rows = []
    for item in items:
        state = found[item.canonical_url]
        rows.append(
            {
                "b_id": state.item_id,
                "b_seen": max(state.last_seen_at, item.fetched_at),
                "b_checked": item.fetched_at,
                "b_next": next_check(recheck, state.first_seen_at, item.fetched_at),
            }
        )
    connection.execute(
        update(Item)
        .where(Item.id == bindparam("b_id"))
        .values(
            last_seen_at=bindparam("b_seen"),
            last_checked_at=bindparam("b_checked"),
            next_check_at=bindparam("b_next"),
        ),
        rows,
    )


def insert_versions(
    connection: Connection, rows: list[dict[str, Any]]
) -> tuple[dict[tuple[int, str], int], set[tuple[int, str]]]:
    """Insert versions not stored yet; return every row's version id, and which were new."""
    inserted = {
        (row.item_id, row.content_hash): row.id
        for row in connection.execute(
            insert(connection, ItemVersion)
            .on_conflict_do_nothing(index_elements=["item_id", "content_hash"])
            .returning(ItemVersion.id, ItemVersion.item_id, ItemVersion.content_hash),
            rows,
        )
    }
    ids = dict(inserted)
    missing = [
        (r["item_id"], r["content_hash"])
        for r in rows
        if (r["item_id"], r["content_hash"]) not in ids
    ]
    if missing:
        ids.update(
            ((row.item_id, row.content_hash), row.id)
            for row in connection.execute(
                select(ItemVersion.id, ItemVersion.item_id, ItemVersion.content_hash).where(
                    tuple_(ItemVersion.item_id, ItemVersion.content_hash).in_(missing)
                )
            )
        )
    return ids, set(inserted)


def record_change(
    connection: Connection,
    item_id: int,
    before: CurrentVersion | None,
    version_id: int,
    *,
    revisited: bool,
    item: ArticleItem,
    response_id: int | None,
) -> bool:
    """Make ``version_id`` the item's current content; record the change if it moved.

    Returns whether a change was recorded (not for a new item's first version, nor when
    another writer got there first).
    """
    old_version = before.version_id if before is not None else None
    condition = (
        Item.current_version_id.is_(None)
        if old_version is None
        else Item.current_version_id == old_version
    )
    moved = connection.execute(
        update(Item).where(Item.id == item_id, condition).values(current_version_id=version_id)
    ).rowcount
    if not moved or before is None or old_version is None:
        return False
    diff = diff_versions(
        before.title,
        before.text,
        item.title,
        item.text,
        item.language or before.language,
        default_engine(),
    )
    revert_of = None
    if revisited:  # back to a content seen before: does it undo the last change?
        revert_of = connection.execute(
            select(ItemChange.id)
            .where(
                ItemChange.item_id == item_id,
                ItemChange.from_version_id == version_id,
                ItemChange.to_version_id == old_version,
            )
            .order_by(ItemChange.id.desc())
            .limit(1)
        ).scalar()
    connection.execute(
        insert(connection, ItemChange).values(
            item_id=item_id,
            from_version_id=old_version,
            to_version_id=version_id,
            observed_at=item.fetched_at,
            kind=diff.kind,
            title_changed=diff.title_changed,
            sentences_added=diff.count("added"),
            sentences_removed=diff.count("removed"),
            sentences_reworded=diff.count("reworded"),
            reasons="\n".join(diff.reasons),
            revert_of=revert_of,
            response_id=response_id,
        )
    )
    return True
