"""Every error warwatch names, in one place (as Scrapy keeps its own in ``exceptions.py``).

Each carries enough context (file, source id, URL) for an operator to act on the message
alone, without reading a traceback.
"""

from __future__ import annotations


class WarwatchError(Exception):
    """Base class: an error warwatch expects and reports by name."""


class ConfigError(WarwatchError):
    """A sources or rules file is invalid; nothing runs until it is fixed."""


class FeedParseError(WarwatchError):
    """A response served as a feed could not be read as one."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class ExtractionError(WarwatchError):
    """A page was fetched but no article text could be extracted from it."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class SchemaError(WarwatchError):
    """The database schema is missing or behind the code; ``warwatch db upgrade`` fixes it."""
