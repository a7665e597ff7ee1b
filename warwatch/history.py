"""``warwatch history``: an item's versions, the diffs between them, and its events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from db.models import Item, ItemChange, ItemEvent, ItemVersion, Response
from warwatch.diffing import Diff, diff_versions
from warwatch.exceptions import WarwatchError
from warwatch.flagging.engine import default_engine
from warwatch.normalize import canonical_url


class UnknownItem(WarwatchError):
    """No stored item has this id or URL."""


@dataclass(slots=True)
class History:
    item: Any
    versions: list[Any]
    changes: list[tuple[Any, Diff]]
    events: list[Any]
    evidence: dict[int, str] = field(default_factory=dict)  # response id -> body SHA-256


def load_history(connection: Connection, key: str) -> History:
    """The item with this id or URL (any tracking parameters are ignored)."""
    condition = Item.id == int(key) if key.isdigit() else Item.canonical_url == canonical_url(key)
    item = connection.execute(select(Item).where(condition)).first()
    if item is None:
        raise UnknownItem(f"no stored item with id or URL {key!r}")
    versions = connection.execute(
        select(ItemVersion).where(ItemVersion.item_id == item.id).order_by(ItemVersion.id)
    ).all()
    by_id = {v.id: v for v in versions}
    changes = []
    engine = default_engine()
    for change in connection.execute(
        select(ItemChange).where(ItemChange.item_id == item.id).order_by(ItemChange.id)
    ).all():
        old, new = by_id[change.from_version_id], by_id[change.to_version_id]
        diff = diff_versions(old.title, old.text, new.title, new.text, new.language, engine)
        changes.append((change, diff))
    events = connection.execute(
        select(ItemEvent).where(ItemEvent.item_id == item.id).order_by(ItemEvent.id)
    ).all()
    cited = {v.response_id for v in versions} | {e.response_id for e in events}
    cited.discard(None)
    evidence = dict(
        connection.execute(
            select(Response.id, Response.body_sha256).where(Response.id.in_(cited))
        ).all()
    )
    return History(item, versions, changes, events, evidence)


def render(history: History) -> str:
    item = history.item
    lines = [
        f"item {item.id}  {item.canonical_url}",
        f"source {item.source_id}  status {item.status}"
        + (f" since {_when(item.status_at)}" if item.status_at else "")
        + (f"  cluster {item.cluster_id}" if item.cluster_id else ""),
        f"first seen {_when(item.first_seen_at)}  last seen {_when(item.last_seen_at)}",
        "",
        f"versions ({len(history.versions)}):",
    ]
    numbers = {v.id: n for n, v in enumerate(history.versions, 1)}
    for number, version in enumerate(history.versions, 1):
        evidence = history.evidence.get(version.response_id)
        lines.append(
            f"  v{number}  {_when(version.fetched_at)}  {version.content_hash[:12]}  "
            f"{version.title!r}" + (f"  raw sha256 {evidence[:12]}" if evidence else "")
        )
    reverted = {change.revert_of for change, _ in history.changes if change.revert_of}
    for change, diff in history.changes:
        label = change.kind
        if change.revert_of:
            label += ", reverts an earlier change (flapping)"
        elif change.id in reverted:
            label += ", later reverted"
        lines += [
            "",
            f"change v{numbers[change.from_version_id]} -> v{numbers[change.to_version_id]}"
            f"  {_when(change.observed_at)}  [{label}]",
        ]
        lines += [f"  why: {reason}" for reason in diff.reasons]
        if diff.title_changed:
            lines += [f"  - title: {diff.old_title}", f"  + title: {diff.new_title}"]
        for sentence in diff.changes:
            if sentence.old is not None:
                lines.append(f"  - {sentence.old}")
            if sentence.new is not None:
                lines.append(f"  + {sentence.new}")
    if history.events:
        lines += ["", "events:"]
        for event in history.events:
            where = f" -> {event.location}" if event.location else ""
            status = f" HTTP {event.http_status}" if event.http_status else ""
            lines.append(
                f"  {_when(event.observed_at)}  {event.kind}{status}{where}  {event.detail}"
            )
    return "\n".join(lines)


def as_json(history: History) -> dict[str, Any]:
    item = history.item
    numbers = {v.id: n for n, v in enumerate(history.versions, 1)}
    return {
        "item": {
            "id": item.id, "source_id": item.source_id, "url": item.canonical_url,
            "status": item.status, "cluster_id": item.cluster_id,
            "first_seen_at": _iso(item.first_seen_at), "last_seen_at": _iso(item.last_seen_at),
        },
        "versions": [
            {
                "number": numbers[v.id], "id": v.id, "fetched_at": _iso(v.fetched_at),
                "content_hash": v.content_hash, "title": v.title, "text": v.text,
                "raw_sha256": history.evidence.get(v.response_id),
            }
            for v in history.versions
        ],
        "changes": [
            {
                "from": numbers[c.from_version_id], "to": numbers[c.to_version_id],
                "observed_at": _iso(c.observed_at), "kind": c.kind, "revert_of": c.revert_of,
                "reasons": d.reasons,
                "sentences": [{"op": s.op, "old": s.old, "new": s.new} for s in d.changes],
            }
            for c, d in history.changes
        ],
        "events": [
            {
                "kind": e.kind, "observed_at": _iso(e.observed_at), "http_status": e.http_status,
                "location": e.location, "detail": e.detail,
            }
            for e in history.events
        ],
    }  # fmt: skip


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}Z" if value else "-"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
