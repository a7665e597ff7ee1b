"""Scrapy-side errors warwatch raises while downloading, named for ``crawl_errors``."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class CorruptBody(IgnoreRequest):
    """The body is not what its Content-Encoding says (truncated, corrupt or not gzip)."""


class BodyTooLarge(IgnoreRequest):
    """The body, once decompressed, is larger than the source's max_size."""


class BlockedRedirect(IgnoreRequest):
    """A redirect to a private, loopback or link-local address, refused (the source does
    not allow it): a public site must not steer the crawler into the local network."""


class RateLimited(IgnoreRequest):
    """429 or 503: the server asked us to slow down; not retried within the run."""
