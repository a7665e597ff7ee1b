"""Article extraction with trafilatura: text, title, dates, author and language.

Two inputs: a whole page (boilerplate to remove) and a feed's ``content:encoded`` fragment
(already the article body, so recall matters more than pruning: an official statement
must not lose a paragraph on its way into the evidence store).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import lxml.html
import trafilatura
from lxml import etree

from warwatch.exceptions import ExtractionError
from warwatch.normalize import clean_text, clean_title, to_utc

EXTRACTOR = f"trafilatura {trafilatura.__version__}"

_HTML_LANG = re.compile(rb"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)
_MODIFIED = re.compile(
    rb"<meta[^>]+(?:property|name|itemprop)\s*=\s*[\"'](?:article:modified_time|"
    rb"og:updated_time|dateModified|last-modified)[\"'][^>]*content\s*=\s*[\"']([^\"']+)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Extracted:
    title: str
    text: str
    author: str | None
    published_at: datetime | None
    modified_at: datetime | None
    language: str | None


def extract_page(html: bytes | str, url: str) -> Extracted:
    """Extract the article of a whole HTML page; reader comments are never kept."""
    document = trafilatura.bare_extraction(
        html, url=url, include_comments=False, with_metadata=True, deduplicate=False
    )
    if document is None or not (document.text or "").strip():
        raise ExtractionError(url, "no article text found on the page")
    raw = html if isinstance(html, bytes) else html.encode("utf-8", "replace")
    head = raw[:200_000]
    return Extracted(
        title=clean_title(document.title),
        text=clean_text(document.text),
        author=document.author or None,
        published_at=to_utc(document.date),
        modified_at=to_utc(_first(_MODIFIED, head)),
        language=_lang(document.language) or _lang(_first(_HTML_LANG, head)),
    )


def extract_fragment(html: str, url: str) -> str:
    """The text of an article body given as an HTML fragment (a feed's content or summary).

    trafilatura discards fragments it finds too short to be an article (a one-line feed
    summary); those are converted block by block with lxml instead. A fragment with no
    text at all (a tracking pixel) gives "".
    """
    wrapped = f"<html><body><article>{html}</article></body></html>"
    text = trafilatura.extract(
        wrapped, url=url, include_comments=False, favor_recall=True, deduplicate=False
    )
    if not text or not text.strip():
        text = _blocks_text(html)
    return clean_text(text)


_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"}


def _blocks_text(html: str) -> str:
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
    return root.text_content()


def _first(pattern: re.Pattern[bytes], data: bytes) -> str | None:
    match = pattern.search(data)
    return match[1].decode("ascii", "replace") if match else None


def _lang(value: str | None) -> str | None:
    return value.split("-")[0].split("_")[0].lower() if value else None
