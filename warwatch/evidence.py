"""Raw responses kept as evidence: the bytes as received, their SHA-256, the headers.

A feed's response is shared by every item read from it, so the body is hashed and
compressed once, lazily, and only if something new is stored from it.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from datetime import datetime

COMPRESSION = "zlib"

Headers = list[tuple[str, str]]


@dataclass(eq=False, slots=True)
class RawResponse:
    """One HTTP exchange (or one archived capture, ``origin="import"``)."""

    url: str
    status: int
    fetched_at: datetime
    body: bytes
    headers: Headers = field(default_factory=list)
    request_headers: Headers = field(default_factory=list)
    origin: str = "fetch"
    _sha256: str | None = None
    _compressed: bytes | None = None

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.body).hexdigest()
        return self._sha256

    @property
    def compressed(self) -> bytes:
        if self._compressed is None:
            self._compressed = zlib.compress(self.body, 6)
        return self._compressed

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


def decompress(data: bytes, compression: str) -> bytes:
    if compression != COMPRESSION:
        raise ValueError(f"unknown body compression {compression!r}")
    return zlib.decompress(data)


def dump_headers(headers: Headers) -> str:
    return json.dumps([[k, v] for k, v in headers], ensure_ascii=False)


def load_headers(text: str) -> Headers:
    return [(k, v) for k, v in json.loads(text)]


def scrapy_headers(headers: object) -> Headers:
    """Scrapy's ``Headers`` (bytes, multi-valued) as a list of (name, value) strings."""
    pairs: Headers = []
    for name, values in headers.items():  # type: ignore[attr-defined]
        key = name.decode("latin-1")
        for value in values:
            pairs.append((key, value.decode("latin-1")))
    return pairs
