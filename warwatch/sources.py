"""Sources are data: a YAML file validated at load time.

An invalid file is rejected whole, with one message per problem naming the file, the line,
the source id and the field, so that nothing runs on a half-understood configuration.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from warwatch.exceptions import ConfigError

Family = Literal["state_department", "white_house", "embassy", "icc", "wire", "other"]
Kind = Literal["feed", "sitemap", "listing", "page", "api"]

_INTERVAL = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_SIZE = re.compile(r"^\s*(\d+)\s*(b|kb|mb|gb)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}
_SLUG = r"^[a-z0-9][a-z0-9-]*$"


def parse_interval(value: Any) -> timedelta:
    """``30s``, ``15m``, ``1h``, ``2d`` (or a number of seconds) as a positive timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    else:
        match = _INTERVAL.match(str(value))
        if not match:
            raise ValueError(f"invalid interval {value!r}: use e.g. 30s, 15m, 1h or 1d")
        seconds = int(timedelta(**{_UNITS[match[2]]: int(match[1])}).total_seconds())
    if seconds <= 0:
        raise ValueError(f"invalid interval {value!r}: must be greater than zero")
    return timedelta(seconds=seconds)


def parse_size(value: Any) -> int:
    """``20MB``, ``512kb`` or a number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(f"invalid size {value!r}: use e.g. 20MB, 512KB or a number of bytes")
    return int(match[1]) * _SIZE_UNITS[(match[2] or "b").lower()]


def check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"invalid URL {value!r}: need an absolute http(s) URL")
    if any(ch.isspace() for ch in value):
        raise ValueError(f"invalid URL {value!r}: contains white space")
    return value


def parse_duration(value: Any) -> timedelta:
    """Like an interval, but zero is allowed (``jitter: 0``)."""
    if value in (0, "0", "0s"):
        return timedelta(0)
    return parse_interval(value)


_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def cron_trigger(expression: str) -> Any:
    """An APScheduler ``CronTrigger`` (UTC) for a five-field crontab line.

    Weekdays are read as crontab reads them (0 or 7 = Sunday, 1-5 = Monday to Friday);
    APScheduler 3's own ``from_crontab`` counts from Monday, so "1-5" would silently
    mean Tuesday to Saturday.
    """
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=_weekdays(weekday), timezone="UTC")  # fmt: skip


def _weekdays(field: str) -> str:
    """A crontab weekday field as APScheduler day names ("1-5" → "mon,tue,wed,thu,fri")."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        else:
            start, _, end = span.partition("-")
            first = _weekday(start)
            last = _weekday(end) if end else (6 if step else first)
            if end and last == 0 and first > 0:
                last = 7  # "5-0" / "5-7": Friday to Sunday
        days.update(d % 7 for d in range(first, last + 1, int(step) if step else 1))
    return ",".join(_DAYS[d] for d in sorted(days))


def _weekday(token: str) -> int:
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token) % 7 if token != "7" else 7
    if token[:3] in _DAYS:
        return _DAYS.index(token[:3])
    raise ValueError(f"invalid weekday {token!r}")


Interval = Annotated[timedelta, BeforeValidator(parse_interval)]
Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Size = Annotated[int, BeforeValidator(parse_size)]


class CrawlerConfig(BaseModel):
    """Politeness and identity shared by every source (per-source overrides come later)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contact_url: str = "https://github.com/warwatch/warwatch"
    download_delay: float = Field(default=2.0, ge=0)
    concurrent_requests_per_domain: int = Field(default=2, ge=1, le=16)
    autothrottle: bool = True
    timeout: float = Field(default=30.0, gt=0)
    max_size: Size = 20 * 1024**2
    obey_robots: bool = True

    _check_contact = field_validator("contact_url")(check_http_url)


class Selector(BaseModel):
    """Where the links (or the next page) are on a listing page: CSS or XPath."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    css: str | None = None
    xpath: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Selector:
        if (self.css is None) == (self.xpath is None):
            raise ValueError("give exactly one of 'css' or 'xpath'")
        from cssselect import SelectorError
        from parsel import Selector as Parsel

        probe = Parsel(text="<html></html>")
        try:
            probe.css(self.css) if self.css else probe.xpath(self.xpath)  # type: ignore[arg-type]
        except (SelectorError, ValueError) as exc:  # bad CSS / bad XPath, as parsel reports them
            raise ValueError(f"invalid selector: {exc}") from None
        return self


class RecheckStep(BaseModel):
    """Re-fetch a stored item's page ``every`` so often until it is ``until`` old."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    every: Interval
    until: Interval


DEFAULT_RECHECK = (
    RecheckStep(every=timedelta(hours=1), until=timedelta(days=1)),
    RecheckStep(every=timedelta(days=1), until=timedelta(days=30)),
)


def next_check(
    steps: tuple[RecheckStep, ...] | list[RecheckStep], first_seen: datetime, checked: datetime
) -> datetime | None:
    """When an item first seen at ``first_seen`` and checked at ``checked`` is due again;
    None once it is older than the last step's ``until`` (no longer watched)."""
    age = checked - first_seen
    for step in steps:
        if age < step.until:
            return checked + step.every
    return None


# Which kind each kind-specific field belongs to.
_KIND_FIELDS = {
    "fetch_articles": {"feed"},
    "since": {"sitemap"},
    "links": {"listing"},
    "next_page": {"listing"},
    "max_pages": {"listing"},
    "api": {"api"},
    "api_key_env": {"api"},
    "include": {"feed", "sitemap", "listing"},
    "exclude": {"feed", "sitemap", "listing"},
}


class Source(BaseModel):
    """One watched source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_SLUG, max_length=64)
    name: str = Field(min_length=1)
    family: Family
    kind: Kind = "feed"
    url: str
    interval: Interval = timedelta(minutes=15)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
    enabled: bool = True
    # feed — auto: the feed's full text when it has one, else the article page;
    # always: the page; never: only what the feed carries (full text, else its summary).
    fetch_articles: Literal["auto", "always", "never"] = "auto"
    # sitemap — only entries published or modified within this window are followed.
    since: Interval = timedelta(days=2)
    # listing — where the article links are, the next page, and how many pages at most.
    links: Selector | None = None
    next_page: Selector | None = None
    max_pages: int = Field(default=1, ge=1, le=50)
    # feed, sitemap, listing — article URLs must match one include pattern (if any) and
    # no exclude pattern (regular expressions, searched in the URL).
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    # api — a wire's licensed JSON news API, and the environment variable holding its key.
    api: Literal["ap_media"] | None = None
    api_key_env: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9_]*$")
    # per-source politeness and request headers, over the crawler section's values.
    download_delay: float | None = Field(default=None, ge=0)
    concurrency: int | None = Field(default=None, ge=1, le=16)
    headers: dict[str, str] = Field(default_factory=dict)
    # stored items stay watched: their pages re-fetched on this decaying schedule (for
    # edits and takedowns), at most ``recheck_per_run`` of them per crawl; [] turns it off.
    recheck: tuple[RecheckStep, ...] = DEFAULT_RECHECK
    recheck_per_run: int = Field(default=50, ge=0, le=10_000)
    # scheduling (the daemon): every ``interval``, or on a ``cron`` expression instead;
    # ± ``jitter`` (default a tenth of the interval, at most 5 minutes); a source with no
    # new item backs off towards ``max_interval`` (unset: always ``interval``).
    cron: str | None = None
    jitter: Duration | None = None
    max_interval: Interval | None = None
    timeout: Interval = timedelta(minutes=15)  # a crawl of the source is stopped after this
    # health: silent after this long without a new item (unset: four usual gaps); a
    # failing source retries after interval × 2^failures, at most ``max_backoff``.
    silent_after: Interval | None = None
    max_backoff: Interval = timedelta(hours=6)
    # a redirect to a private, loopback or link-local address is refused unless allowed.
    allow_private_redirects: bool = False

    _check_url = field_validator("url")(check_http_url)

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid pattern {pattern!r}: {exc}") from None
        return patterns

    @field_validator("recheck")
    @classmethod
    def _steps_in_order(cls, steps: tuple[RecheckStep, ...]) -> tuple[RecheckStep, ...]:
        for earlier, later in itertools.pairwise(steps):
            if later.until <= earlier.until:
                raise ValueError("recheck steps must have increasing 'until' ages")
        return steps

    @field_validator("cron")
    @classmethod
    def _cron(cls, expression: str | None) -> str | None:
        if expression is not None:
            try:
                cron_trigger(expression)
            except ValueError as exc:
                raise ValueError(
                    f"invalid cron expression {expression!r}: {exc} (five fields: "
                    "minute hour day month weekday)"
                ) from None
        return expression

    @model_validator(mode="after")
    def _bounds(self) -> Source:
        if self.max_interval is not None and self.max_interval < self.interval:
            raise ValueError("'max_interval' must be at least 'interval'")
        return self

    @property
    def jitter_seconds(self) -> float:
        if self.jitter is not None:
            return self.jitter.total_seconds()
        return min(self.interval.total_seconds() / 10, 300.0)

    @model_validator(mode="after")
    def _fields_fit_the_kind(self) -> Source:
        for field in self.model_fields_set:
            kinds = _KIND_FIELDS.get(field)
            if kinds and self.kind not in kinds:
                raise ValueError(
                    f"'{field}' applies to kind {' or '.join(sorted(kinds))}, not {self.kind}"
                )
        if self.kind == "listing" and self.links is None:
            raise ValueError("a listing source needs 'links' (a css or xpath selector)")
        if self.kind == "api" and (self.api is None or self.api_key_env is None):
            raise ValueError("an api source needs 'api' and 'api_key_env'")
        return self

    def wants(self, url: str) -> bool:
        """Whether an article URL passes this source's include / exclude patterns."""
        if self.include and not any(re.search(p, url) for p in self.include):
            return False
        return not any(re.search(p, url) for p in self.exclude)


class SourcesConfig(BaseModel):
    """The whole sources file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    crawler: CrawlerConfig = CrawlerConfig()
    sources: list[Source]
    templates: list[dict[str, Any]] = Field(default_factory=list)  # expanded into sources

    @model_validator(mode="after")
    def _unique_ids(self) -> SourcesConfig:
        seen: set[str] = set()
        for index, source in enumerate(self.sources):
            if source.id in seen:
                raise _DuplicateId(index, source.id)
            seen.add(source.id)
        return self

    def get(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources)
        raise ConfigError(f"unknown source {source_id!r}; known sources: {known}")

    def select(self, ids: list[str] | tuple[str, ...] = ()) -> list[Source]:
        """The named sources (enabled or not), or every enabled source when none is named."""
        if ids:
            return [self.get(source_id) for source_id in ids]
        return [s for s in self.sources if s.enabled]


class _DuplicateId(ValueError):
    def __init__(self, index: int, source_id: str) -> None:
        super().__init__(f"duplicate source id {source_id!r}")
        self.index = index
        self.source_id = source_id


def load_sources(path: str | Path) -> SourcesConfig:
    """Read and validate a sources file, or raise one ConfigError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read sources file: {exc}") from exc
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'sources' list at the top")
    lines = _line_index(node)
    data, origins = _expand_templates(path, data, lines)
    try:
        return SourcesConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(path, data, lines, exc, origins)) from None


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _expand_templates(
    path: Path, data: dict[str, Any], lines: dict[tuple[Any, ...], int]
) -> tuple[dict[str, Any], dict[int, tuple[str, int | None]]]:
    """Each template once per ``for_each`` entry, ``{name}`` placeholders filled in.

    Returns the data with the expanded sources appended, and for each expanded source's
    index, where it came from (for error messages).
    """
    templates = data.get("templates") or []
    if not isinstance(templates, list):
        raise ConfigError(f"{path}: 'templates' must be a list")
    sources = list(data.get("sources") or [])
    origins: dict[int, tuple[str, int | None]] = {}
    for t_index, template in enumerate(templates):
        line = lines.get(("templates", t_index))
        if not isinstance(template, dict) or not isinstance(template.get("for_each"), list):
            raise ConfigError(f"{path}:{line}: template #{t_index + 1} needs a 'for_each' list")
        body = {k: v for k, v in template.items() if k != "for_each"}
        for e_index, values in enumerate(template["for_each"]):
            e_line = lines.get(("templates", t_index, "for_each", e_index), line)
            if not isinstance(values, dict):
                raise ConfigError(
                    f"{path}:{e_line}: template #{t_index + 1}, for_each "
                    f"#{e_index + 1}: expected a mapping of placeholder values"
                )
            try:
                expanded = {key: _fill(value, values) for key, value in body.items()}
            except KeyError as missing:
                raise ConfigError(
                    f"{path}:{e_line}: template {body.get('id')!r}, for_each #{e_index + 1}: "
                    f"no value for placeholder {{{missing.args[0]}}}"
                ) from None
            for key, value in values.items():
                if key in Source.model_fields and key not in body:
                    expanded[key] = value  # e.g. a per-entry language or interval
            origins[len(sources)] = (
                f"template {body.get('id')!r} for_each #{e_index + 1}",
                e_line,
            )
            sources.append(expanded)
    return {**data, "sources": sources, "templates": []}, origins


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: str(values[m[1]]), value)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def _describe(
    path: Path,
    data: dict[str, Any],
    lines: dict[tuple[Any, ...], int],
    exc: ValidationError,
    origins: dict[int, tuple[str, int | None]],
) -> str:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        ctx_error = (error.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _DuplicateId):
            loc = ("sources", ctx_error.index, "id")
        if len(loc) >= 2 and loc[0] == "sources" and loc[1] in origins:
            origin, line = origins[loc[1]]
            entry = data["sources"][loc[1]]
            field = ".".join(str(p) for p in loc[2:]) or "(entry)"
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key"
            where = f"{path}:{line}: source {entry.get('id')!r} ({origin})"
            problems.append(f"  {where}, field '{field}': {message}")
            continue
        problems.append(_problem(path, data, lines, loc, error))
    return "invalid sources file:\n" + "\n".join(problems)


def _problem(
    path: Path,
    data: dict[str, Any],
    lines: dict[tuple[Any, ...], int],
    loc: tuple[Any, ...],
    error: Any,
) -> str:
    line = _nearest_line(lines, loc)
    where = f"{path}:{line}" if line else str(path)
    subject = ""
    if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
        entry = data.get("sources", [])[loc[1]]
        source_id = entry.get("id") if isinstance(entry, dict) else None
        subject = f"source {source_id!r}" if source_id else f"source #{loc[1] + 1}"
        field = ".".join(str(p) for p in loc[2:]) or "(entry)"
    else:
        field = ".".join(str(p) for p in loc) or "(top level)"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "missing":
        message = "required field is missing"
    prefix = f"{subject}, " if subject else ""
    return f"  {where}: {prefix}field '{field}': {message}"


def _nearest_line(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _line_index(node: yaml.Node | None) -> dict[tuple[Any, ...], int]:
    """Map each path in the YAML document (keys and list indexes) to its 1-based line."""
    index: dict[tuple[Any, ...], int] = {}

    def walk(current: yaml.Node, path: tuple[Any, ...]) -> None:
        index[path] = current.start_mark.line + 1
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                key = key_node.value
                index[(*path, key)] = key_node.start_mark.line + 1
                walk(value_node, (*path, key))
                index[(*path, key)] = key_node.start_mark.line + 1
        elif isinstance(current, yaml.SequenceNode):
            for position, item in enumerate(current.value):
                walk(item, (*path, position))

    if node is not None:
        walk(node, ())
    return index
