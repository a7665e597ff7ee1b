# warwatch: the daemon (`warwatch run`) in a container. See docs/operations.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

WORKDIR /opt/warwatch
COPY pyproject.toml README.md scrapy.cfg scheduler.py ./
COPY warwatch ./warwatch
COPY crawler ./crawler
COPY spiders ./spiders
COPY pipelines ./pipelines
COPY db ./db
RUN pip install . && useradd --system --create-home --home-dir /var/lib/warwatch warwatch

# The working directory holds the SQLite database (when no WARWATCH_DB_URL is given) and
# an optional ./sources.yaml, which replaces the shipped sources when mounted there.
USER warwatch
WORKDIR /var/lib/warwatch
VOLUME /var/lib/warwatch

# SIGTERM: no new crawls, a running crawl gets --grace seconds; SIGHUP reloads sources.
STOPSIGNAL SIGTERM
CMD ["warwatch", "run", "--json-logs", "--grace", "30"]
