"""Licensed wire APIs: the AP Media API's JSON feed and its NITF story renditions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from warwatch.exceptions import FeedParseError
from warwatch.normalize import clean_text, to_utc

AP_ITEM_URL = "https://api.ap.org/media/v/content/{itemid}"


@dataclass(frozen=True, slots=True)
class WireStory:
    url: str  # stable: the item id, without the session's query parameters
    headline: str
    byline: str | None
    published: datetime | None
    updated: datetime | None
    nitf_href: str


@dataclass(frozen=True, slots=True)
class WireFeed:
    stories: list[WireStory]
    skipped: int  # pictures, videos and items without a text rendition
    next_page: str | None


def parse_ap_feed(body: bytes, url: str) -> WireFeed:
    try:
        document = json.loads(body)
        items = document["data"]["items"]
    except (ValueError, KeyError, TypeError) as error:
        raise FeedParseError(url, f"not an AP Media API feed: {error}") from None
    stories, skipped = [], 0
    for wrapper in items:
        item = wrapper.get("item", wrapper) if isinstance(wrapper, dict) else {}
        renditions = item.get("renditions") or {}
        nitf = renditions.get("nitf") or {}
        itemid = (item.get("altids") or {}).get("itemid")
        if item.get("type") != "text" or not nitf.get("href") or not itemid:
            skipped += 1
            continue
        bylines = [b.get("by") for b in item.get("bylines") or [] if b.get("by")]
        stories.append(
            WireStory(
                url=AP_ITEM_URL.format(itemid=itemid),
                headline=item.get("headline") or "",
                byline="; ".join(bylines) or None,
                published=to_utc(item.get("firstcreated")),
                updated=to_utc(item.get("versioncreated")),
                nitf_href=nitf["href"],
            )
        )
    return WireFeed(stories, skipped, document["data"].get("next_page"))


def nitf_text(body: bytes, url: str) -> tuple[str, str]:
    """(headline, text) of a NITF story: the paragraphs of body.content, in order."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise FeedParseError(url, f"not a NITF document: {error}") from None
    if root is None or etree.QName(root).localname != "nitf":
        raise FeedParseError(url, "not a NITF document")
    headline = " ".join(root.xpath("string(//*[local-name()='hl1'])").split())
    paragraphs = [
        " ".join(p.xpath("string()").split())
        for p in root.xpath("//*[local-name()='body.content']//*[local-name()='p']")
    ]
    return headline, clean_text("\n\n".join(p for p in paragraphs if p))
