"""Raw responses as evidence: stored once per body, cited by versions, changes and events.

Bodies are content-addressed (``raw_bodies.sha256`` is the SHA-256 of the uncompressed
bytes), so ``warwatch verify`` can prove that nothing was altered after the fetch.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select, tuple_

from db.dialect import insert
from db.models import ItemVersion, RawBody, Response
from warwatch.evidence import COMPRESSION, RawResponse, decompress, dump_headers
from warwatch.normalize import content_hash


def store_responses(
    connection: Connection, responses: Sequence[RawResponse], source_id: str, run_id: int | None
) -> dict[int, int]:
    """Store these responses (bodies deduplicated); map ``id(response)`` to its row id.

    Idempotent: a response stored before (same URL, time and body) keeps its row.
    """
    unique = list({id(r): r for r in responses}.values())
    if not unique:
        return {}
    bodies = {r.sha256: r for r in unique}
    connection.execute(
        insert(connection, RawBody).on_conflict_do_nothing(index_elements=["sha256"]),
        [
            {"sha256": sha, "size": len(r.body), "compression": COMPRESSION, "data": r.compressed}
            for sha, r in bodies.items()
        ],
    )
    rows = [
        {
            "source_id": source_id,
            "url": r.url,
            "fetched_at": r.fetched_at,
            "status": r.status,
            "request_headers": dump_headers(r.request_headers),
            "response_headers": dump_headers(r.headers),
            "body_sha256": r.sha256,
            "origin": r.origin,
            "run_id": run_id,
        }
        for r in unique
    ]
    connection.execute(
        insert(connection, Response).on_conflict_do_nothing(
            index_elements=["url", "fetched_at", "body_sha256"]
        ),
        rows,
    )
    keys = [(r.url, r.fetched_at, r.sha256) for r in unique]
    found = {
        (row.url, row.fetched_at, row.body_sha256): row.id
        for row in connection.execute(
            select(Response.id, Response.url, Response.fetched_at, Response.body_sha256).where(
                tuple_(Response.url, Response.fetched_at, Response.body_sha256).in_(keys)
            )
        )
    }
    return {id(r): found[(r.url, r.fetched_at, r.sha256)] for r in unique}


def load_body(connection: Connection, sha256: str) -> bytes:
    row = connection.execute(
        select(RawBody.data, RawBody.compression).where(RawBody.sha256 == sha256)
    ).one()
    return decompress(row.data, row.compression)


@dataclass(frozen=True, slots=True)
class Problem:
    """A stored record that does not match its own hash."""

    table: str
    key: str
    message: str


def verify(connection: Connection, batch: int = 200) -> Iterator[Problem | int]:
    """Re-hash every stored raw body and every version's text; yield each mismatch.

    Yields the running count of records checked (an int) after each batch, for progress.
    Rows are read in key order a batch at a time, so memory stays flat on a large store.
    """
    checked = 0
    last = ""
    while True:
        rows = connection.execute(
            select(RawBody.sha256, RawBody.size, RawBody.compression, RawBody.data)
            .where(RawBody.sha256 > last)
            .order_by(RawBody.sha256)
            .limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            try:
                body = decompress(row.data, row.compression)
            except (zlib.error, ValueError) as error:  # corrupt, or unknown compression
                yield Problem("raw_bodies", row.sha256, f"cannot decompress: {error}")
                continue
            actual = hashlib.sha256(body).hexdigest()
            if actual != row.sha256:
                yield Problem("raw_bodies", row.sha256, f"body hashes to {actual}")
            elif len(body) != row.size:
                yield Problem("raw_bodies", row.sha256, f"size {len(body)}, recorded {row.size}")
        checked += len(rows)
        last = rows[-1].sha256
        yield checked
    last_id = 0
    while True:
        versions = connection.execute(
            select(ItemVersion.id, ItemVersion.title, ItemVersion.text, ItemVersion.content_hash)
            .where(ItemVersion.id > last_id)
            .order_by(ItemVersion.id)
            .limit(batch)
        ).all()
        if not versions:
            break
        for version in versions:
            actual = content_hash(version.title, version.text)
            if actual != version.content_hash:
                yield Problem("item_versions", str(version.id), f"title and text hash to {actual}")
        checked += len(versions)
        last_id = versions[-1].id
        yield checked
