"""Strict Content-Encoding: a truncated, corrupt or mislabelled body is an error.

Scrapy's own decompression keeps whatever a truncated gzip stream inflated to, so a feed
cut short would be read as a shorter feed and its missing entries taken as removed. This
middleware runs before it (on the raw response), inflates gzip and deflate bodies itself
within the size limit (so a gzip bomb stops at ``max_size``), and hands Scrapy a plain
body.
"""

from __future__ import annotations

import zlib

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.exceptions import BodyTooLarge, CorruptBody

_CHUNK = 64 * 1024


class ContentEncodingMiddleware:
    def __init__(self, max_size: int) -> None:
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContentEncodingMiddleware:
        return cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_response(self, request: Request, response: Response) -> Response:
        encoding = response.headers.get(b"Content-Encoding", b"").strip().lower()
        if encoding not in (b"gzip", b"x-gzip", b"deflate") or request.method == "HEAD":
            return response
        if not response.body:
            return response  # a 304 or an empty answer
        body = self._inflate(response.body, encoding, request.url)
        headers = response.headers.copy()
        del headers[b"Content-Encoding"]
        return response.replace(body=body, headers=headers)

    def _inflate(self, data: bytes, encoding: bytes, url: str) -> bytes:
        if encoding in (b"gzip", b"x-gzip"):
            if not data.startswith(b"\x1f\x8b"):
                raise CorruptBody(f"declared gzip, but the body is not gzip data: {url}")
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:
            decompressor = zlib.decompressobj(
                zlib.MAX_WBITS if data[:1] == b"\x78" else -zlib.MAX_WBITS
            )
        out = bytearray()
        try:
            for start in range(0, len(data), _CHUNK):
                out += decompressor.decompress(data[start : start + _CHUNK], self.max_size + 1)
                if len(out) > self.max_size or decompressor.unconsumed_tail:
                    raise BodyTooLarge(
                        f"body expands beyond the maximum size ({self.max_size} bytes): {url}"
                    )
            out += decompressor.flush()
        except zlib.error as error:
            raise CorruptBody(f"{encoding.decode()} body is corrupt: {error}: {url}") from None
        if not decompressor.eof:
            raise CorruptBody(f"{encoding.decode()} body is truncated: {url}")
        return bytes(out)
