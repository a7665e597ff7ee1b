"""``warwatch export``: items and flags as JSON lines or CSV, the way downstream tools read them."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Connection, func, select

from db.models import Flag, Item, ItemVersion

ITEM_FIELDS = [
    "id",
    "source_id",
    "url",
    "title",
    "published_at",
    "modified_at",
    "fetched_at",
    "language",
    "text",
    "content_hash",
    "versions",
]
FLAG_FIELDS = [
    "id",
    "item_id",
    "version_id",
    "url",
    "title",
    "category",
    "rule",
    "rules_version",
    "matched_text",
    "snippet",
    "start",
    "end",
    "modality",
    "language",
    "score",
    "status",
    "created_at",
]


def item_rows(connection: Connection) -> Iterator[dict[str, Any]]:
    """Each item with its latest version and its number of versions."""
    counts = (
        select(
            ItemVersion.item_id,
            func.count().label("versions"),
            func.max(ItemVersion.id).label("latest_id"),
        )
        .group_by(ItemVersion.item_id)
        .subquery()
    )
    query = (
        select(
            Item.id,
            Item.source_id,
            Item.url,
            ItemVersion.title,
            ItemVersion.published_at,
            ItemVersion.modified_at,
            ItemVersion.fetched_at,
            ItemVersion.language,
            ItemVersion.text,
            ItemVersion.content_hash,
            counts.c.versions,
        )
        .join(counts, counts.c.item_id == Item.id)
        .join(ItemVersion, ItemVersion.id == counts.c.latest_id)
        .order_by(Item.id)
    )
    for row in connection.execute(query):
        yield dict(row._mapping)


def flag_rows(connection: Connection) -> Iterator[dict[str, Any]]:
    """Each flag with what raised it and the item it is on."""
    query = (
        select(
            Flag.id,
            Flag.item_id,
            Flag.version_id,
            Item.url,
            ItemVersion.title,
            Flag.category,
            Flag.rule_id.label("rule"),
            Flag.rules_version,
            Flag.matched_text,
            Flag.sentence.label("snippet"),
            Flag.start_offset.label("start"),
            Flag.end_offset.label("end"),
            Flag.modality,
            Flag.language,
            Flag.score,
            Flag.status,
            Flag.created_at,
        )
        .join(Item, Item.id == Flag.item_id)
        .join(ItemVersion, ItemVersion.id == Flag.version_id)
        .order_by(Flag.id)
    )
    for row in connection.execute(query):
        yield dict(row._mapping)


def write(rows: Iterator[dict[str, Any]], fields: list[str], fmt: str, out: IO[str]) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _plain(row[k]) for k in fields})
            count += 1
    else:
        for row in rows:
            out.write(json.dumps({k: _plain(row[k]) for k in fields}, ensure_ascii=False) + "\n")
            count += 1
    return count


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
