"""euronews.com: the headline an article is known by is its og:title.

The on-page <h1> and <title> carry a longer SEO headline; feeds, shares and the fundus
reference parser use og:title (golden pages of 2024-04-30 and 2026-01-06).
"""

from __future__ import annotations

from datetime import date

from warwatch.sites.base import SiteRules

RULES = [
    SiteRules(
        hosts=("euronews.com",),
        valid_from=date(2020, 1, 1),
        title_from=("og", "twitter", "json_ld", "h1", "html_title"),
        note="og:title is the article's headline",
    )
]
