"""Per-site extraction rules, only for sites that need them (fundus-style, versioned).

Each site module declares ``RULES``, a list of ``SiteRules`` each valid from a date: when
a site changes its layout, a new entry is added rather than the old one edited, so old
pages keep being read as they were. For a page, the rules of its host with the latest
``valid_from`` not after the page's date apply (the newest, for an undated page).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from warwatch.sites import euronews
from warwatch.sites.base import TITLE_SOURCES, SiteRules

REGISTRY: list[SiteRules] = [*euronews.RULES]

__all__ = ["REGISTRY", "TITLE_SOURCES", "SiteRules", "rules_for"]


def rules_for(url: str | None, page_date: date | None = None) -> SiteRules | None:
    host = (urlsplit(url).hostname or "") if url else ""
    matching = [
        rules for rules in REGISTRY
        if any(host == h or host.endswith("." + h) for h in rules.hosts)
    ]  # fmt: skip
    if page_date is not None:
        matching = [r for r in matching if r.valid_from <= page_date] or matching
    return max(matching, key=lambda r: r.valid_from, default=None)
