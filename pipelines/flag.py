"""FlagPipeline: the flagging engine's matches on each item's text.

Every item is classified; which matches become flags is decided at store time, where
the database knows whether a flagged sentence is new for the item.
"""

from __future__ import annotations

from typing import Any

from crawler.items import ArticleItem
from warwatch.flagging.engine import FlagEngine, default_engine


class FlagPipeline:
    def __init__(self, engine: FlagEngine | None = None) -> None:
        self.engine = engine or default_engine()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if item.language is None:  # the source does not say: detect it, and keep it
            item.language = self.engine.detect(f"{item.title}\n{item.text}")
        result = self.engine.classify(item.text, item.language)
        item.matches = result.matches
        item.rules_version = self.engine.rules_version(item.language or "en")
        return item
