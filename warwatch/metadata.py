"""A page's own metadata: JSON-LD, OpenGraph, ``article:*`` and friends, then ``<title>``.

Publishers state title, dates, author and language in structured markup; reading it from
the already-parsed tree is both more faithful and far cheaper than inferring it. A date
is inferred (htmldate, quick mode) only when the page states none.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import htmldate
from lxml.html import HtmlElement

from warwatch.normalize import clean_title, to_utc
from warwatch.sites import TITLE_SOURCES, rules_for

ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "report", "pressrelease", "liveblogposting", "opinionnewsarticle", "backgroundnewsarticle",
    "webpage", "scholarlyarticle", "socialmediaposting",
}  # fmt: skip
_META_PUBLISHED = (
    "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "date", "dc.date.issued", "dcterms.created", "dc.date", "sailthru.date",
    "parsely-pub-date", "article.published", "published_time", "cxenseparse:recs:publishtime",
)  # fmt: skip
_META_MODIFIED = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "last-modified", "article.updated", "modified_time",
)  # fmt: skip
_META_AUTHOR = (
    "author",
    "article:author",
    "byl",
    "dc.creator",
    "parsely-author",
    "sailthru.author",
)
_TITLE_SPLIT = re.compile(r"\s+[|–—·•»:-]\s+")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    title: str | None
    author: str | None
    published_at: datetime | None
    modified_at: datetime | None
    language: str | None
    site_rules: str | None = None  # which per-site rules applied, e.g. "euronews.com@2020-01-01"


def page_metadata(tree: HtmlElement, url: str | None = None) -> PageMetadata:
    meta = _meta_tags(tree)
    ld = _json_ld_article(tree)
    published = to_utc(_text(ld.get("datePublished"))) or _first_date(meta, _META_PUBLISHED)
    if published is None:
        published = _time_element(tree) or _inferred_date(tree)
    site = rules_for(url, published.date() if published else None)
    titles = {
        "h1": lambda: _confirmed_h1(tree),
        "json_ld": lambda: _text(ld.get("headline")),
        "og": lambda: meta.get("og:title"),
        "twitter": lambda: meta.get("twitter:title"),
        "html_title": lambda: _html_title(tree),
    }
    order = site.title_from if site else TITLE_SOURCES
    title = next((found for source in order if (found := titles[source]())), None)
    modified = to_utc(_text(ld.get("dateModified"))) or _first_date(meta, _META_MODIFIED)
    author = _ld_author(ld.get("author")) or _first_text(meta, _META_AUTHOR)
    language = _lang(
        _text(ld.get("inLanguage")) or tree.get("lang") or meta.get("og:locale")
        or meta.get("content-language")
    )  # fmt: skip
    return PageMetadata(
        site_rules=f"{site.hosts[0]}@{site.valid_from.isoformat()}" if site else None,
        title=clean_title(title) or None,
        author=author,
        published_at=published,
        modified_at=modified,
        language=language,
    )


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = (
            element.get("property") or element.get("name") or element.get("itemprop")
            or element.get("http-equiv") or ""
        ).strip().lower()  # fmt: skip
        content = (element.get("content") or "").strip()
        if key and content and key not in found:
            found[key] = content
    return found


def _json_ld_article(tree: HtmlElement) -> dict[str, Any]:
    """The first JSON-LD object of an article type (``@graph`` lists included)."""
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for obj in _walk(data):
            types = obj.get("@type")
            names = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t.lower() in ARTICLE_TYPES for t in names) and (
                obj.get("headline") or obj.get("datePublished")
            ):
                return obj
    return {}


def _walk(data: Any) -> Any:
    if isinstance(data, list):
        for element in data:
            yield from _walk(element)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _walk(data["@graph"])
        if isinstance(data.get("mainEntity"), dict | list):
            yield from _walk(data["mainEntity"])


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _ld_author(value: Any) -> str | None:
    people = value if isinstance(value, list) else [value]
    names = []
    for person in people:
        name = person.get("name") if isinstance(person, dict) else person
        if isinstance(name, str) and name.strip() and not name.startswith("http"):
            names.append(name.strip())
    return "; ".join(dict.fromkeys(names)) or None


def _first_text(meta: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = meta.get(key)
        if value and not value.startswith("http"):
            return value
    return None


def _first_date(meta: dict[str, str], keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        value = to_utc(meta.get(key))
        if value is not None:
            return value
    return None


def _html_title(tree: HtmlElement) -> str | None:
    element = tree.find(".//title")
    if element is None or not element.text_content().strip():
        heading = tree.find(".//h1")
        return heading.text_content() if heading is not None else None
    parts = _TITLE_SPLIT.split(element.text_content().strip())
    return max(parts, key=len) if len(parts) > 1 else parts[0]


def _confirmed_h1(tree: HtmlElement) -> str | None:
    """The first ``<h1>`` when the document ``<title>`` repeats it: the headline as shown,
    rather than a social-media variant (og:title) or an SEO one (JSON-LD)."""
    heading = tree.find(".//h1")
    title = tree.find(".//title")
    if heading is None or title is None:
        return None
    shown = " ".join(heading.text_content().split())
    document_title = " ".join(title.text_content().split())
    return shown if len(shown) > 10 and shown in document_title else None


def _time_element(tree: HtmlElement) -> datetime | None:
    for element in tree.iterfind(".//time[@datetime]"):
        value = to_utc(element.get("datetime"))
        if value is not None:
            return value
    return None


def _inferred_date(tree: HtmlElement) -> datetime | None:
    found = htmldate.find_date(tree, extensive_search=False, original_date=True)
    return to_utc(found) if found else None


def _lang(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None
