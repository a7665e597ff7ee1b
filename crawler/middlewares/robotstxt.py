"""RobotsTxtMiddleware that holds every request waiting for a site's robots.txt.

Scrapy's own (2.13+) lets each request waiting for a robots.txt download await the same
Deferred through ``maybe_deferred_to_future``; the first waiter's callback returns None,
so every later waiter receives None as the parser and its request goes out unchecked
(scrapy/scrapy#6802 changed this; its review notes the path is untested). A crawl that
starts several requests to one site at once — a feed plus re-checks — would then fetch
pages robots.txt forbids. Here each waiter gets its own Deferred, relayed the parser.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxt
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxt):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        waiter: Deferred[RobotParser | None] = Deferred()

        def relay(parser: RobotParser | None) -> RobotParser | None:
            waiter.callback(parser)
            return parser  # the next waiter in the chain receives it too

        pending.addCallback(relay)
        return await maybe_deferred_to_future(waiter)
