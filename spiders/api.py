"""The API spider: a wire's licensed JSON news API (AP Media API)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawler.config import warwatch_settings
from spiders.base import SourceSpider, raw_response
from warwatch.exceptions import FeedParseError
from warwatch.feeds import FeedEntry
from warwatch.wireapi import WireStory, nitf_text, parse_ap_feed


class ApiSpider(SourceSpider):
    """Reads the feed with the key from the environment variable the source names, then
    each text story's NITF rendition (the full wire copy, as licensed)."""

    name = "api"
    kind = "api"

    async def start(self) -> AsyncIterator[Request]:
        assert self.source.api_key_env is not None  # validated for kind api
        key = warwatch_settings(self.crawler.settings).secret(self.source.api_key_env)
        if key is None:
            self.report_error(
                "api_key_missing", self.source.url,
                f"set the API key in the environment variable {self.source.api_key_env}",
                fatal=True,
            )  # fmt: skip
            return
        self.api_headers = {"x-api-key": key, **self.source.headers}
        request = self.source_request(self.source.url, self.parse_feed)
        request.headers.update(self.api_headers)
        yield request

    def parse_feed(self, response: Response) -> Iterator[Any]:
        if self.not_modified(response):
            return
        try:
            feed = parse_ap_feed(response.body, response.url)
        except FeedParseError as error:
            self.report_error("api_parse_error", response.url, error.reason, fatal=True)
            return
        self.crawler.stats.inc_value("warwatch/entries_seen", len(feed.stories))
        for story in feed.stories:
            yield Request(
                story.nitf_href,
                callback=self.parse_story,
                errback=self.article_failed,
                headers=self.api_headers,
                cb_kwargs={"story": story},
                meta={"parent_url": self.source.url},
            )
        yield self.fetched(response, self.source.url)

    def parse_story(self, response: Response, story: WireStory) -> Iterator[Any]:
        try:
            headline, text = nitf_text(response.body, response.url)
        except FeedParseError as error:
            self.report_error("api_parse_error", response.url, error.reason)
            self.incomplete_urls.add(self.source.url)
            return
        entry = FeedEntry(
            link=story.url, title=story.headline or headline, author=story.byline,
            published=story.published, updated=story.updated,
        )  # fmt: skip
        # Already plain text: wrapped as paragraphs so extraction keeps it whole.
        html = "".join(f"<p>{_escape(p)}</p>" for p in text.split("\n\n"))
        yield self.make_item(
            entry, html, "feed", response.status, self.source.url, raw_response(response)
        )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
