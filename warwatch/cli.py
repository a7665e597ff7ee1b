"""The ``warwatch`` command. Its command names and flags are a contract: keep them."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from warwatch.exceptions import WarwatchError
from warwatch.settings import Settings

CRAWL_FAILED = 1
CONFIG_ERROR = 2


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--config",
        "config",
        metavar="FILE",
        help="Sources file [default: $WARWATCH_CONFIG, else ./sources.yaml, else the shipped one].",
    )(func)


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db",
        metavar="URL",
        help="Database URL [default: $WARWATCH_DB_URL, else sqlite:///warwatch.db].",
    )(func)


def reported(func: Callable[..., Any]) -> Callable[..., Any]:
    """Named warwatch errors end the command with their message, not a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except WarwatchError as error:
            click.echo(f"warwatch: {error}", err=True)
            sys.exit(CONFIG_ERROR)

    return wrapper


@click.group()
@click.version_option(package_name="warwatch")
def main() -> None:
    """Watch official and wire sources; keep every version; flag war-crimes mentions."""


@main.command()
@config_option
@db_option
@click.option("--source", "sources", multiple=True, metavar="ID", help="Crawl only these sources.")
@click.option(
    "--timeout",
    type=float,
    help="Seconds before the crawl is stopped [default: the longest of the sources' timeout].",
)
@click.option("--force", is_flag=True, help="Crawl sources that are backing off after failures.")
@click.option("-v", "--verbose", is_flag=True, help="Show the crawler's log (INFO).")
@reported
def crawl(
    config: str | None,
    db: str | None,
    sources: tuple[str, ...],
    timeout: float | None,
    force: bool,
    verbose: bool,
) -> None:
    """One pass over the enabled sources (or those named), for cron.

    A source another warwatch process is crawling (an overlapping cron run, a daemon) or
    one backing off after failures is skipped, with a line saying so. Exits 0 when every
    source crawled was fetched, 1 otherwise, with one line per failed source.
    """
    from warwatch.runner import run_crawl

    settings = Settings.resolve(config, db)
    outcome = run_crawl(
        settings,
        sources,
        timeout=timeout,
        log_level="INFO" if verbose else "WARNING",
        force=force,
    )
    for source_id, reason in outcome.skipped:
        click.echo(f"skipped {source_id}: {reason}", err=True)
    if outcome.run_id is None:
        click.echo("nothing crawled: every source was skipped", err=True)
        return
    for result in outcome.sources:
        summary = (
            f"{result.source_id}: {result.status}, {result.items_new} new items, "
            f"{result.versions_new} new versions, {result.flags_new} new flags"
        )
        if result.status == "failed":
            first = result.errors[0] if result.errors else ("error", "", "unknown")
            click.echo(f"FAILED {result.source_id}: {first[0]}: {first[1]}: {first[2]}", err=True)
        elif result.errors:
            click.echo(f"{summary}; {len(result.errors)} errors", err=True)
        else:
            click.echo(summary)
    if not outcome.ok:
        sys.exit(CRAWL_FAILED)


@main.command()
@config_option
@db_option
@click.option("--what", type=click.Choice(["items", "flags"]), required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option(
    "--out", type=click.File("w", encoding="utf-8"), default="-", help="Output file [stdout]."
)
@reported
def export(config: str | None, db: str | None, what: str, fmt: str, out: Any) -> None:
    """Items (latest version, with a count of versions) or flags, as JSON lines or CSV."""
    from db.engine import get_engine
    from db.migrate import ensure_schema
    from warwatch import export as exporter

    settings = Settings.resolve(config, db)
    ensure_schema(settings.db_url)
    with get_engine(settings.db_url).connect() as connection:
        if what == "items":
            exporter.write(exporter.item_rows(connection), exporter.ITEM_FIELDS, fmt, out)
        else:
            exporter.write(exporter.flag_rows(connection), exporter.FLAG_FIELDS, fmt, out)


@main.command()
@config_option
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "markdown"]),
    default="table",
    show_default=True,
    help="markdown: the table of docs/sources.md.",
)
@reported
def sources(config: str | None, db: str | None, fmt: str) -> None:
    """The validated sources, as a table; with a database, each one's last crawl too."""
    from warwatch.sources import load_sources

    settings = Settings.resolve(config, db)
    loaded = load_sources(settings.config_path)
    if fmt == "markdown":
        click.echo(sources_markdown(loaded))
        return
    last = _last_crawls(settings.db_url)
    rows = [("ID", "FAMILY", "KIND", "LANG", "EVERY", "ON", "LAST CRAWL", "URL")]
    for s in loaded.sources:
        outcome = last.get(s.id)
        seen = f"{outcome[0]} {outcome[1]:%Y-%m-%d %H:%M}Z" if outcome else "-"
        rows.append(
            (
                s.id,
                s.family,
                s.kind,
                s.language or "-",
                _schedule(s),
                "yes" if s.enabled else "no",
                seen,
                s.url,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    click.echo(f"# {settings.config_path}")
    for row in rows:
        click.echo(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1]
        )


def sources_markdown(config: Any) -> str:
    """One Markdown table row per source, grouped by family (docs/sources.md)."""
    lines = []
    for family in ("state_department", "white_house", "embassy", "icc", "wire", "other"):
        chosen = [s for s in config.sources if s.family == family]
        if not chosen:
            continue
        lines += [
            f"### {family}",
            "",
            "| id | kind | language | every | enabled | URL |",
            "|---|---|---|---|---|---|",
        ]
        for s in chosen:
            lines.append(
                f"| `{s.id}` | {s.kind} | {s.language or '-'} | "
                f"{_schedule(s)} | {'yes' if s.enabled else 'no'} | {s.url} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _last_crawls(db_url: str) -> dict[str, tuple[str, Any]]:
    """Each source's latest crawl status and time, when the database exists and has any."""
    from sqlalchemy.exc import SQLAlchemyError

    from db.engine import get_engine
    from db.migrate import current_revision
    from db.store import last_crawls

    if db_url.startswith("sqlite:///") and not Path(db_url.removeprefix("sqlite:///")).exists():
        return {}  # do not create a database just to list sources
    try:
        engine = get_engine(db_url)
        if current_revision(engine) is None:
            return {}
        with engine.connect() as connection:
            return last_crawls(connection)
    except SQLAlchemyError as error:
        click.echo(f"warwatch: cannot read last crawls from the database: {error}", err=True)
        return {}


def _schedule(source: Any) -> str:
    """When the daemon polls a source: its cron line, or its interval (and bound)."""
    if source.cron:
        return f"cron {source.cron}"
    every = _every(source.interval.total_seconds())
    if source.max_interval and source.max_interval != source.interval:
        every += f"-{_every(source.max_interval.total_seconds())}"
    return every


def _every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


@main.command()
@config_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON document (for monitors).")
@reported
def status(config: str | None, db: str | None, as_json: bool) -> None:
    """Each source's health: ok, failing, drifting, silent (or pending), and why.

    Exits 0 when every enabled source is ok or pending, 1 when any is in a bad state, so
    a monitor can alert on the exit status alone.
    """
    from warwatch.status import collect, render

    settings = Settings.resolve(config, db)
    report = collect(settings)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(render(report))
    if report["bad"]:
        sys.exit(CRAWL_FAILED)


@main.command()
@config_option
@db_option
@click.option(
    "--grace",
    default=30.0,
    show_default=True,
    help="Seconds a running crawl may take to finish after SIGTERM.",
)
@click.option("--json-logs", is_flag=True, help="Log one JSON object per line.")
@reported
def run(config: str | None, db: str | None, grace: float, json_logs: bool) -> None:
    """The daemon: crawl each source on its schedule until SIGTERM (same as scheduler.py).

    SIGHUP reloads the sources file; an invalid file is logged and the old one kept.
    """
    from scheduler import serve

    sys.exit(serve(Settings.resolve(config, db), grace=grace, json_logs=json_logs))


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@db_option
@reported
def db_upgrade(db: str | None) -> None:
    """Apply the schema migrations."""
    from db.migrate import head_revision, upgrade

    settings = Settings.resolve(db=db)
    upgrade(settings.db_url)
    click.echo(f"database at revision {head_revision()}")


@main.command()
@db_option
@click.argument("item")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of text.")
@reported
def history(db: str | None, item: str, as_json: bool) -> None:
    """An item's versions, the classified diffs between them, and its takedown events.

    ITEM is an item id or its URL.
    """
    from db.engine import get_engine
    from db.migrate import ensure_schema
    from warwatch import history as histories

    settings = Settings.resolve(db=db)
    ensure_schema(settings.db_url)
    with get_engine(settings.db_url).connect() as connection:
        found = histories.load_history(connection, item)
    if as_json:
        click.echo(json.dumps(histories.as_json(found), ensure_ascii=False, indent=2))
    else:
        click.echo(histories.render(found))


@main.command("import-captures")
@config_option
@db_option
@click.option("--source", "source_id", required=True, metavar="ID", help="The captured source.")
@click.option(
    "--dir", "directory", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="Folder of captures named <unix time>.<ext>.",
)  # fmt: skip
@reported
def import_captures(config: str | None, db: str | None, source_id: str, directory: Path) -> None:
    """Replay archived captures of one source through the pipeline, oldest first."""
    from warwatch.importer import import_captures as run_import

    settings = Settings.resolve(config, db)

    def progress(report: Any) -> None:
        click.echo(
            f"{report.captures} captures, {report.items_new} items, {report.versions_new} "
            f"versions, {report.changes_new} changes, {report.events} events "
            f"({report.per_second:.1f}/s, {report.rss_samples[-1][1]:.0f} MB)",
            err=True,
        )

    report = run_import(settings, source_id, directory, progress)
    click.echo(
        f"{report.source_id}: {report.captures} captures in {report.seconds:.1f} s "
        f"({report.per_second:.1f}/s, peak {report.peak_rss_mb:.0f} MB): {report.items_new} new "
        f"items, {report.versions_new} new versions, {report.changes_new} changes, "
        f"{report.flags_new} new flags, {report.events} events, {report.errors} errors"
        + (f"; skipped {len(report.skipped)} files not named <unix time>.<ext>"
           if report.skipped else "")
    )  # fmt: skip


@main.command("export-warc")
@db_option
@click.option("--item", "item_id", type=int, metavar="ID", help="The evidence of one item.")
@click.option("--source", "source_id", metavar="ID", help="Every response kept for a source…")
@click.option("--since", metavar="DATE", help="…fetched on or after this date (ISO 8601).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@reported
def export_warc(
    db: str | None, item_id: int | None, source_id: str | None, since: str | None, out: Path
) -> None:
    """Write stored raw responses as a WARC file (request, response, metadata records)."""
    from db.engine import get_engine
    from db.migrate import ensure_schema
    from warwatch.normalize import to_utc
    from warwatch.warc import select_responses, write_warc

    if (item_id is None) == (source_id is None):
        raise click.UsageError("give either --item ID or --source ID [--since DATE]")
    when = None
    if since is not None:
        when = to_utc(since)
        if when is None:
            raise click.BadParameter(f"not a date: {since!r}", param_hint="--since")
    settings = Settings.resolve(db=db)
    ensure_schema(settings.db_url)
    with get_engine(settings.db_url).connect() as connection:
        ids = select_responses(connection, item_id, source_id, when)
        with out.open("wb") as handle:
            count = write_warc(connection, ids, handle)
    click.echo(f"{count} responses written to {out}")


@main.command()
@db_option
@reported
def verify(db: str | None) -> None:
    """Re-hash every stored raw body and version text; exit 1 on any mismatch."""
    from db.engine import get_engine
    from db.evidence import Problem
    from db.evidence import verify as check
    from db.migrate import ensure_schema

    settings = Settings.resolve(db=db)
    ensure_schema(settings.db_url)
    problems = checked = 0
    with get_engine(settings.db_url).connect() as connection:
        for result in check(connection):
            if isinstance(result, Problem):
                problems += 1
                click.echo(f"MISMATCH {result.table} {result.key}: {result.message}", err=True)
            else:
                checked = result
    click.echo(f"{checked} records checked, {problems} mismatches")
    if problems:
        sys.exit(CRAWL_FAILED)


@main.command()
@reported
def classify() -> None:
    """Flag JSON lines from stdin: {"id", "text", "lang"?} in, one verdict per line out."""
    from warwatch.flagging.engine import default_engine

    engine = default_engine()
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            click.echo(f"warwatch classify: stdin line {number}: {error}", err=True)
            sys.exit(CONFIG_ERROR)
        result = engine.classify(text, record.get("lang"))
        verdict = {
            "id": record.get("id"),
            "flag": result.flag,
            "categories": result.categories,
            "matches": [
                {
                    "rule": m.rule,
                    "category": m.category,
                    "text": m.text,
                    "start": m.start,
                    "end": m.end,
                    "modality": m.modality,
                }
                for m in result.matches
            ],
            "score": result.score,
        }
        sys.stdout.write(json.dumps(verdict, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
