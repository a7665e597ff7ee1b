"""PrivateRedirectMiddleware: redirects into the local network are refused.

A public source that redirects to 127.0.0.1, 10.x, 192.168.x, 169.254.169.254 (cloud
metadata) or another private address would make the crawler fetch — and store as
evidence — something from inside the network it runs in. Such a redirect is refused
unless the source's config sets ``allow_private_redirects: true``, or the target is the
source's own host (an intranet source redirecting within itself).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler

from crawler.exceptions import BlockedRedirect


def private_address(host: str) -> str | None:
    """The private/loopback/link-local address ``host`` is or resolves to, else None."""
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return None  # unresolvable: the download itself will fail and say so
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if not address.is_global or address.is_multicast:
            return str(address)
    return None


class PrivateRedirectMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateRedirectMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("redirect_urls"):
            return
        source = getattr(self.crawler.spider, "source", None)
        if source is None or source.allow_private_redirects:
            return
        host = urlsplit(request.url).hostname or ""
        if host == urlsplit(source.url).hostname:
            return
        address = private_address(host)
        if address is not None:
            raise BlockedRedirect(
                f"redirect from {request.meta['redirect_urls'][0]} to {request.url} "
                f"({address}, a private address) refused; set allow_private_redirects "
                f"on source {source.id!r} to follow it"
            )
