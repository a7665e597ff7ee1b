"""Takedowns: items that leave their listing early or whose page stops serving them.

Kinds (``item_events.kind``), each recorded once when an item enters it, with the time,
the HTTP status, a redirect's target and the response as evidence:

- ``gone``: the page answers 404 or 410;
- ``redirected``: it redirects to a different page; ``redirected_to_index``: to a section
  or home page;
- ``soft_404``: it answers 200 with a "page not found" page;
- ``blocked``: 401, 403 or 451, or robots.txt now forbids it;
- ``removed_from_listing``: it left its feed, sitemap or listing page while entries older
  than it are still there (an entry that scrolls off the end is not a removal);
- ``restored``: it is back (listed again, or its page serves it again).

A removal of an item that has flags an operator has not dismissed is itself flagged
(category ``takedown``), so operators see it in the same queue.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, select, update

from crawler.items import CheckRecord, ListingRecord
from db.dialect import insert
from db.evidence import store_responses
from db.models import Flag, Item, ItemEvent, ItemVersion, Listing
from warwatch.evidence import RawResponse
from warwatch.sources import RecheckStep, next_check

REMOVALS = frozenset(
    {"gone", "redirected", "redirected_to_index", "soft_404", "blocked", "removed_from_listing"}
)
TAKEDOWN_RULES_VERSION = "takedown-1"


def observe_listing(
    connection: Connection, record: ListingRecord, run_id: int | None = None
) -> list[tuple[int, str]]:
    """Compare a listing with its previous reading; record removals and returns.

    Returns the (item id, event kind) pairs recorded.
    """
    at = record.response.fetched_at
    previous = connection.execute(
        select(Listing.entries, Listing.observed_at).where(Listing.url == record.url)
    ).first()
    now_entries = [
        (url, published.isoformat() if published else None) for url, published in record.entries
    ]
    statement = insert(connection, Listing).values(
        url=record.url,
        source_id=record.source_id,
        observed_at=at,
        entries=json.dumps(now_entries),
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["url"],
            set_={"observed_at": at, "entries": statement.excluded.entries},
            where=Listing.observed_at <= at,
        )
    )
    if previous is not None and previous.observed_at > at:
        return []  # an older reading arriving late says nothing about the present
    before = (
        [(url, published) for url, published in json.loads(previous.entries)] if previous else []
    )
    removed = removed_early(before, now_entries)
    listed = [url for url, _ in now_entries]
    states = _states(connection, removed + listed)
    events: list[tuple[int, str]] = []
    for url in removed:
        state = states.get(url)
        if state is not None and state[1] not in REMOVALS:
            events.append((state[0], "removed_from_listing"))
    for url in listed:
        state = states.get(url)
        if state is not None and state[1] == "removed_from_listing":
            events.append((state[0], "restored"))
    if events:
        response_id = _evidence(connection, record.response, record.source_id, run_id)
        for item_id, kind in events:
            detail = (
                f"no longer listed in {record.url}, while entries older than it still are"
                if kind == "removed_from_listing"
                else f"listed again in {record.url}"
            )
            record_event(
                connection,
                item_id,
                kind,
                at,
                detail,
                response_id=response_id,
                http_status=record.response.status,
            )
    return events


def removed_early(
    before: Sequence[tuple[str, str | None]], now: Sequence[tuple[str, str | None]]
) -> list[str]:
    """Entries of the previous reading missing now although an older entry remains.

    "Older" is by published date when both entries have one, else by position in the
    previous reading (feeds and listings put the newest first).
    """
    present = {url for url, _ in now}
    position = {url: index for index, (url, _) in enumerate(before)}
    published = dict(before)
    remaining = [url for url, _ in before if url in present]
    removed = []
    for url, date in before:
        if url in present:
            continue
        for other in remaining:
            other_date = published[other]
            older = other_date < date if date and other_date else position[other] > position[url]
            if older:
                removed.append(url)
                break
    return removed


def record_check(
    connection: Connection,
    check: CheckRecord,
    at: datetime,
    run_id: int | None,
    recheck: Sequence[RecheckStep],
) -> str | None:
    """Apply a page re-check's outcome to its item (and schedule the next re-check);
    return the event kind recorded, if any."""
    state = _states(connection, [check.canonical_url]).get(check.canonical_url)
    if state is None:
        return None
    item_id, status, location = state
    first_seen = connection.scalar(select(Item.first_seen_at).where(Item.id == item_id))
    connection.execute(
        update(Item)
        .where(Item.id == item_id)
        .values(last_checked_at=at, next_check_at=next_check(recheck, first_seen, at))
    )
    kind: str | None = None
    if check.outcome == "live":
        if status in REMOVALS and status != "removed_from_listing":
            kind = "restored"
    elif check.outcome != status or (check.location or None) != location:
        kind = check.outcome
    if kind is None:
        return None
    response_id = (
        _evidence(connection, check.response, check.source_id, run_id) if check.response else None
    )
    record_event(
        connection,
        item_id,
        kind,
        at,
        check.detail,
        response_id=response_id,
        http_status=check.response.status if check.response else None,
        location=check.location,
    )
    return kind


def record_event(
    connection: Connection,
    item_id: int,
    kind: str,
    at: datetime,
    detail: str,
    *,
    response_id: int | None = None,
    http_status: int | None = None,
    location: str | None = None,
) -> int:
    """Store an event, move the item's status, and flag the removal of a flagged item."""
    event_id = connection.execute(
        insert(connection, ItemEvent)
        .values(
            item_id=item_id,
            kind=kind,
            observed_at=at,
            http_status=http_status,
            location=location,
            detail=detail,
            response_id=response_id,
        )
        .returning(ItemEvent.id)
    ).scalar_one()
    connection.execute(
        update(Item)
        .where(Item.id == item_id)
        .values(status="live" if kind == "restored" else kind, status_at=at)
    )
    if kind in REMOVALS:
        _flag_removal(connection, item_id, event_id, kind, at, detail)
    return event_id


def _flag_removal(
    connection: Connection, item_id: int, event_id: int, kind: str, at: datetime, detail: str
) -> None:
    flagged = connection.scalar(
        select(Flag.id)
        .where(Flag.item_id == item_id, Flag.category != "takedown", Flag.status != "dismissed")
        .limit(1)
    )
    if flagged is None:
        return
    version = connection.execute(
        select(ItemVersion.id, ItemVersion.title, ItemVersion.language)
        .join(Item, Item.current_version_id == ItemVersion.id)
        .where(Item.id == item_id)
    ).first()
    if version is None:
        return
    sentence = f"{kind.replace('_', ' ')}: {version.title} ({detail})"
    connection.execute(
        insert(connection, Flag)
        .values(
            item_id=item_id,
            version_id=version.id,
            category="takedown",
            rule_id=f"takedown/{kind}",
            rules_version=TAKEDOWN_RULES_VERSION,
            matched_text=kind,
            sentence=sentence,
            sentence_key=hashlib.sha1(f"event:{event_id}".encode()).hexdigest(),
            start_offset=0,
            end_offset=0,
            modality="observed",
            language=version.language,
            score=1.0,
            status="new",
            created_at=at,
        )
        .on_conflict_do_nothing(index_elements=["item_id", "rule_id", "sentence_key"])
    )


def _states(connection: Connection, urls: Sequence[str]) -> dict[str, tuple[int, str, str | None]]:
    """(item id, status, last event's location) of the stored items among these URLs."""
    if not urls:
        return {}
    rows = connection.execute(
        select(Item.canonical_url, Item.id, Item.status).where(
            Item.canonical_url.in_(list(set(urls)))
        )
    ).all()
    locations: dict[int, str | None] = {}
    moved = [row.id for row in rows if row.status in ("redirected", "redirected_to_index")]
    if moved:
        for item_id, location in connection.execute(
            select(ItemEvent.item_id, ItemEvent.location)
            .where(ItemEvent.item_id.in_(moved))
            .order_by(ItemEvent.id)
        ):
            locations[item_id] = location
    return {row.canonical_url: (row.id, row.status, locations.get(row.id)) for row in rows}


def _evidence(
    connection: Connection, response: RawResponse, source_id: str, run_id: int | None
) -> int:
    return store_responses(connection, [response], source_id, run_id)[id(response)]
