"""Reading sitemaps: sitemap indexes, urlsets and Google News sitemaps.

Parsed with lxml without resolving entities or touching the network (an XML entity bomb
or an external entity stays inert text), and leniently: a sitemap cut short still gives
the entries before the cut. Gzipped sitemaps are decompressed here, within a size cap.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from warwatch.exceptions import FeedParseError
from warwatch.normalize import clean_title, to_utc

MAX_UNCOMPRESSED = 50 * 1024 * 1024  # the sitemap protocol's own limit per file


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: datetime | None = None
    published: datetime | None = None  # news:publication_date
    title: str | None = None  # news:title
    language: str | None = None  # news:language

    @property
    def newest(self) -> datetime | None:
        dates = [d for d in (self.published, self.lastmod) if d is not None]
        return max(dates) if dates else None


@dataclass(frozen=True, slots=True)
class ParsedSitemap:
    kind: str  # "urlset" or "sitemapindex"
    entries: list[SitemapEntry]


def parse_sitemap(body: bytes, url: str) -> ParsedSitemap:
    body = _gunzip(body, url)
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )  # fmt: skip
    try:
        tree = etree.parse(io.BytesIO(body), parser)
    except etree.XMLSyntaxError as error:
        raise FeedParseError(url, f"not a sitemap: {error}") from None
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # No sitemap needs entities; nested ones are the "billion laughs" attack.
        raise FeedParseError(url, "the sitemap declares XML entities: refused, not expanded")
    root = tree.getroot()
    if root is None:
        raise FeedParseError(url, "not a sitemap: no XML document")
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        if kind.lower() == "html":
            raise FeedParseError(url, "an HTML page was served instead of a sitemap")
        raise FeedParseError(url, f"not a sitemap: the document is <{kind}>")
    child = "url" if kind == "urlset" else "sitemap"
    entries = [e for e in (_entry(el) for el in root if _local(el) == child) if e]
    return ParsedSitemap(kind, entries)


def _entry(element: etree._Element) -> SitemapEntry | None:
    fields: dict[str, str] = {}
    for node in element.iter():
        name = _local(node)
        if name and node.text and node.text.strip() and name not in fields:
            fields[name] = node.text.strip()
    loc = fields.get("loc")
    if not loc:
        return None
    return SitemapEntry(
        loc=loc,
        lastmod=to_utc(fields.get("lastmod")),
        published=to_utc(fields.get("publication_date")),
        title=clean_title(fields.get("title")) or None,
        language=fields.get("language"),
    )


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _gunzip(body: bytes, url: str) -> bytes:
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
            data = stream.read(MAX_UNCOMPRESSED + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise FeedParseError(url, f"gzip body is corrupt or truncated: {error}") from None
    if len(data) > MAX_UNCOMPRESSED:
        raise FeedParseError(url, f"gzip body expands beyond {MAX_UNCOMPRESSED} bytes")
    return data
