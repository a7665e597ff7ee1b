"""Scrapy settings for warwatch: polite by default.

Politeness values (delay, timeout, size, robots.txt, contact URL) come from the sources
file's ``crawler:`` section and are applied by ``spiders.base.SourceSpider.update_settings``;
what is here are the defaults and the wiring.
"""

from warwatch import __version__

BOT_NAME = "warwatch"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# warwatch's own settings; None means "resolve from WARWATCH_* / defaults" (warwatch.settings).
WARWATCH_CONFIG = None
WARWATCH_DB_URL = None
WARWATCH_RUN_ID = None
WARWATCH_BATCH_SIZE = 50

USER_AGENT = (
    f"Mozilla/5.0 (compatible; warwatch/{__version__}; +https://github.com/warwatch/warwatch)"
)
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 2.0  # a floor: AutoThrottle never goes below it
DOWNLOAD_DELAY_JITTER = 0.5  # ±50% around the delay
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False  # conditional GET is ours: crawler.middlewares.conditional_get

DOWNLOADER_MIDDLEWARES = {
    # Redirected requests come back through process_request: refuse private targets.
    "crawler.middlewares.private_redirects.PrivateRedirectMiddleware": 50,
    # Scrapy's lets requests that wait for robots.txt through unchecked: see the module.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robotstxt.RobotsTxtMiddleware": 100,
    # Before (above) RetryMiddleware (550) on the way back: 429/503 are not retried at once.
    "crawler.middlewares.retry_after.RetryAfterMiddleware": 555,
    "crawler.middlewares.conditional_get.ConditionalGetMiddleware": 560,
    # Before (above) Scrapy's HttpCompressionMiddleware (590): sees the raw body first.
    "crawler.middlewares.content_encoding.ContentEncodingMiddleware": 595,
}
EXTENSIONS = {
    "crawler.extensions.run_recorder.RunRecorderExtension": 100,
}
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.normalize.NormalizePipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.flag.FlagPipeline": 400,
    "pipelines.store.StorePipeline": 900,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
