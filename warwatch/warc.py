"""``warwatch export-warc``: stored raw responses as WARC 1.1 records (warcio).

A fetched response becomes a ``request`` and a ``response`` record with the headers as
sent and received; an imported capture (no HTTP exchange happened) a ``resource`` record.
Records are written with their lengths known (warcio then needs no temporary file) and
warcio computes the ``WARC-Block-Digest`` and ``WARC-Payload-Digest``. Each is followed by
a ``metadata`` record naming the warwatch items and versions it is
evidence for, and the SHA-256 the store keeps. Bodies are stored decoded, so the
``Content-Encoding`` and ``Transfer-Encoding`` a server sent are kept under
``X-Warwatch-Original-…`` names and ``Content-Length`` is the stored body's, which lets
standard WARC readers (``warcio check``, replay tools) read the payload as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from http import HTTPStatus
from io import BytesIO
from typing import IO, Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, select, union
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from db.evidence import load_body
from db.models import Item, ItemChange, ItemEvent, ItemVersion, Response
from warwatch import __version__
from warwatch.evidence import Headers, load_headers

_RENAMED = ("content-encoding", "transfer-encoding")


def select_responses(
    connection: Connection,
    item_id: int | None = None,
    source_id: str | None = None,
    since: datetime | None = None,
) -> list[int]:
    """Ids of the responses cited by one item, or stored for a source since a date."""
    if item_id is not None:
        cited = union(
            select(ItemVersion.response_id).where(ItemVersion.item_id == item_id),
            select(ItemEvent.response_id).where(ItemEvent.item_id == item_id),
            select(ItemChange.response_id).where(ItemChange.item_id == item_id),
        )
        query = select(Response.id).where(Response.id.in_(cited))
    else:
        query = select(Response.id).where(Response.source_id == source_id)
        if since is not None:
            query = query.where(Response.fetched_at >= since)
    return list(connection.scalars(query.order_by(Response.fetched_at, Response.id)))


def write_warc(connection: Connection, response_ids: list[int], out: IO[bytes]) -> int:
    """Write the responses as gzipped WARC records; return how many responses."""
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    info = writer.create_warcinfo_record(
        "warwatch-export.warc.gz",
        {"software": f"warwatch/{__version__}", "format": "WARC File Format 1.1",
         "description": "raw responses kept by warwatch as evidence"},
    )  # fmt: skip
    writer.write_record(info)
    for response_id in response_ids:
        response = connection.execute(select(Response).where(Response.id == response_id)).one()
        body = load_body(connection, response.body_sha256)
        for record in _records(writer, connection, response, body):
            writer.write_record(record)
    return len(response_ids)


def _records(
    writer: WARCWriter, connection: Connection, response: Any, body: bytes
) -> Iterator[Any]:
    date = response.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = load_headers(response.response_headers)
    if response.origin == "import":
        content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
        main = writer.create_warc_record(
            response.url, "resource", payload=BytesIO(body), length=len(body),
            warc_content_type=content_type or "application/octet-stream",
            warc_headers_dict={"WARC-Date": date},
        )  # fmt: skip
        yield main
    else:
        status = f"{response.status} {_phrase(response.status)}"
        main = writer.create_warc_record(
            response.url, "response", payload=BytesIO(body), length=len(body),
            http_headers=StatusAndHeaders(status, _as_stored(headers, len(body)),
                                          protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": date},
        )  # fmt: skip
        yield main
        parts = urlsplit(response.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = load_headers(response.request_headers)
        if not any(k.lower() == "host" for k, _ in request_headers):
            request_headers.insert(0, ("Host", parts.netloc))
        yield writer.create_warc_record(
            response.url, "request", payload=BytesIO(b""), length=0,
            http_headers=StatusAndHeaders(f"GET {path} HTTP/1.1", request_headers,
                                          is_http_request=True),
            warc_headers_dict={"WARC-Date": date,
                               "WARC-Concurrent-To": main.rec_headers["WARC-Record-ID"]},
        )  # fmt: skip
    cites = _citations(connection, response.id)
    metadata = json.dumps(
        {"warwatch_response_id": response.id, "body_sha256": response.body_sha256,
         "source_id": response.source_id, "origin": response.origin, **cites},
        ensure_ascii=False, indent=1,
    ).encode()  # fmt: skip
    yield writer.create_warc_record(
        response.url, "metadata", payload=BytesIO(metadata), length=len(metadata),
        warc_content_type="application/json",
        warc_headers_dict={"WARC-Date": date,
                           "WARC-Concurrent-To": main.rec_headers["WARC-Record-ID"]},
    )  # fmt: skip


def _citations(connection: Connection, response_id: int) -> dict[str, Any]:
    versions = connection.execute(
        select(ItemVersion.id, ItemVersion.item_id, ItemVersion.content_hash, Item.canonical_url)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(ItemVersion.response_id == response_id)
    ).all()
    events = connection.execute(
        select(ItemEvent.id, ItemEvent.item_id, ItemEvent.kind).where(
            ItemEvent.response_id == response_id
        )
    ).all()
    return {
        "versions": [{"version_id": v.id, "item_id": v.item_id, "url": v.canonical_url,
                      "content_hash": v.content_hash} for v in versions],
        "events": [{"event_id": e.id, "item_id": e.item_id, "kind": e.kind} for e in events],
    }  # fmt: skip


def _as_stored(headers: Headers, length: int) -> Headers:
    adjusted: Headers = []
    for name, value in headers:
        lowered = name.lower()
        if lowered in _RENAMED:
            adjusted.append((f"X-Warwatch-Original-{name}", value))
        elif lowered != "content-length":
            adjusted.append((name, value))
    adjusted.append(("Content-Length", str(length)))
    return adjusted


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
