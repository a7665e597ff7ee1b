"""NormalizePipeline: canonical URL, clean text and title, UTC dates, content hash."""

from __future__ import annotations

from typing import Any

from crawler.items import ArticleItem
from warwatch.normalize import canonical_url, clean_text, clean_title, content_hash, to_utc


class NormalizePipeline:
    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        return normalize_item(item)


def normalize_item(item: ArticleItem) -> ArticleItem:
    """The values that decide identity (URL) and sameness (hash), made canonical."""
    item.canonical_url = canonical_url(item.url)
    item.title = clean_title(item.title)
    item.text = clean_text(item.text)
    item.published_at = to_utc(item.published_at)
    item.modified_at = to_utc(item.modified_at)
    item.fetched_at = to_utc(item.fetched_at)  # type: ignore[assignment]
    item.content_hash = content_hash(item.title, item.text)
    return item
