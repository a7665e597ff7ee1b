"""warwatch's own settings as Scrapy components see them: one lookup, shared by all."""

from __future__ import annotations

from scrapy.settings import BaseSettings

from warwatch.settings import Settings


def warwatch_settings(settings: BaseSettings) -> Settings:
    """The sources file and database of this crawl.

    The crawl child process sets ``WARWATCH_CONFIG`` / ``WARWATCH_DB_URL`` explicitly; a
    plain ``scrapy crawl`` leaves them unset and gets the same resolution as the CLI.
    """
    return Settings.resolve(
        config=settings.get("WARWATCH_CONFIG"), db=settings.get("WARWATCH_DB_URL")
    )
