"""Scrapy-side errors warwatch raises while downloading, named for ``crawl_errors``."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class CorruptBody(IgnoreRequest):
    """The body is not what its Content-Encoding says (truncated, corrupt or not gzip)."""


class BodyTooLarge(IgnoreRequest):
    """The body, once decompressed, is larger than the source's max_size."""
