"""The Scrapy project: settings, items, middlewares and extensions."""
