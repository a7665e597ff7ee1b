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
from trafilatura.utils import load_html

from warwatch.exceptions import ExtractionError
from warwatch.metadata import page_metadata
from warwatch.normalize import clean_text

EXTRACTOR = f"trafilatura {trafilatura.__version__}"


@dataclass(frozen=True, slots=True)
class Extracted:
    title: str
    text: str
    author: str | None
    published_at: datetime | None
    modified_at: datetime | None
    language: str | None
    extractor: str = EXTRACTOR


def extract_page(html: bytes | str, url: str) -> Extracted:
    """Extract the article of a whole HTML page; reader comments are never kept.

    The page is parsed once: its own metadata is read from the tree first (read-only),
    then trafilatura takes the same tree for the text.
    """
    tree = load_html(html)
    if tree is None:
        raise ExtractionError(url, "the page is not parseable HTML")
    meta = page_metadata(tree, url)
    document = trafilatura.bare_extraction(
        tree, url=url, include_comments=False, with_metadata=False, deduplicate=False
    )
    if document is None or not (document.text or "").strip():
        raise ExtractionError(url, "no article text found on the page")
    return Extracted(
        title=meta.title or "",
        text=drop_promo_lines(document.text),  # cleaned once, by NormalizePipeline
        author=meta.author,
        published_at=meta.published_at,
        modified_at=meta.modified_at,
        language=meta.language,
        extractor=f"{EXTRACTOR}; site {meta.site_rules}" if meta.site_rules else EXTRACTOR,
    )


# Lines that point elsewhere ("Read more: <other story>") are not the article, and their
# headlines would raise flags on the wrong item.
_PROMO_LINE = re.compile(
    r"^\s*(?:read more|read also|also read|see also|related|more on this|our standards|"
    r"lire aussi|à lire aussi|voir aussi|lesen sie auch|mehr zum thema|lea también|"
    r"lee también|leia também|читайте также|читайте також|дивіться також|czytaj także|"
    r"czytaj też)\s*:.*$",
    re.IGNORECASE | re.MULTILINE,
)


def drop_promo_lines(text: str) -> str:
    return _PROMO_LINE.sub("", text)


def extract_fragment(html: str, url: str) -> str:
    """The text of an article body given as an HTML fragment (a feed's content or summary).

    Links are unwrapped first: in a body the publisher chose, a link's words are part of
    the statement, and trafilatura drops paragraphs made only of a link as boilerplate (a
    real White House transcript had paragraphs wrapped in bare ``<a>`` tags; they
    vanished, then "appeared" as an edit when the tags were removed). trafilatura
    discards fragments it finds too short to be an article (a one-line feed summary);
    those are converted block by block with lxml instead. A fragment with no text at all
    (a tracking pixel) gives "".
    """
    tree = load_html(f"<html><body><article>{html}</article></body></html>")
    text = None
    if tree is not None:
        etree.strip_tags(tree, "a")
        text = trafilatura.extract(
            tree, url=url, include_comments=False, favor_recall=True, deduplicate=False
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
