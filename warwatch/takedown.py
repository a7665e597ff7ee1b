"""Telling a taken-down page from a live one: redirects and "soft 404" pages.

Pure functions over what a re-check fetched; ``spiders/base.py`` applies them and
``db/takedowns.py`` records the outcome.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import html as lxml_html
from lxml.etree import ParserError

from warwatch.normalize import canonical_url

# What "not found" pages say, in the languages the sources publish in.
NOT_FOUND = re.compile(
    r"page (?:was )?not found|\b404\b|(?:could|can)(?:\s*not|'t) be found|can ?not find"
    r"|no longer (?:available|exists)|does(?: not|n't) exist|page you (?:requested|are looking for)"
    r"|page introuvable|n'existe (?:pas|plus)|página no encontrada|no se encontró"
    r"|seite (?:wurde )?nicht gefunden|страница не найдена|сторінк[уа] не знайдено"
    r"|nie znaleziono|pagina non trovata|página não encontrada",
    re.IGNORECASE,
)
_WHITESPACE = re.compile(r"\s+")


def classify_redirect(item_url: str, location: str) -> str | None:
    """``None`` for a redirect to the same page (scheme, host case, trailing slash);
    ``redirected_to_index`` for one to a home or section page above the item;
    ``redirected`` for one to a different page."""
    if not location:
        return "redirected"
    here, there = canonical_url(item_url), canonical_url(location)
    if _same_page(here, there):
        return None
    old, new = urlsplit(here), urlsplit(there)
    old_path = old.path.rstrip("/")
    new_path = new.path.rstrip("/")
    if new_path == "" or (old.hostname == new.hostname and old_path.startswith(new_path + "/")):
        return "redirected_to_index"
    return "redirected"


def _same_page(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    host = (pa.hostname or "").removeprefix("www.") == (pb.hostname or "").removeprefix("www.")
    return host and pa.path.rstrip("/") == pb.path.rstrip("/") and pa.query == pb.query


def is_soft_404(body: bytes, url: str) -> bool:
    """A 200 response whose page says the page is not there: by its title or main
    heading, or by a short page whose opening says so."""
    try:
        root = lxml_html.document_fromstring(body)
    except (ParserError, ValueError):
        return False
    for path in ("//title", "//h1"):
        for node in root.xpath(path)[:2]:
            if NOT_FOUND.search(_WHITESPACE.sub(" ", node.text_content())):
                return True
    main = root.xpath("//main") or root.xpath("//body")
    if not main:
        return False
    for node in main[0].xpath(".//script|.//style|.//nav|.//header|.//footer"):
        node.drop_tree()
    text = _WHITESPACE.sub(" ", main[0].text_content()).strip()
    return len(text) < 1500 and bool(NOT_FOUND.search(text[:500]))
