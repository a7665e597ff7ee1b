"""The README is a contract: every command, option and config field is documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from db.models import Base
from warwatch.cli import main
from warwatch.sources import CrawlerConfig, Source

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SCHEMA = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "warwatch"):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command


def test_every_command_and_option_is_in_the_readme():
    for name, command in commands(main):
        assert f"`{name}" in README, name
        for param in command.params:
            for option in param.opts:
                if option.startswith("--"):
                    assert option in README, f"{name} {option}"


def test_every_config_field_is_in_the_readme():
    for model in (Source, CrawlerConfig):
        for field in model.model_fields:
            assert f"{field}:" in README, field


def test_every_table_and_column_is_in_the_schema_doc():
    for table in Base.metadata.tables.values():
        assert f"### `{table.name}`" in SCHEMA, table.name
        for column in table.columns:
            assert f"`{column.name}`" in SCHEMA, f"{table.name}.{column.name}"


def test_the_readme_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && pytest"
    assert command in README and command in ci


def test_the_code_is_ruff_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_docs_sources_lists_exactly_the_shipped_sources():
    from click.testing import CliRunner

    from warwatch.settings import shipped_sources_path

    doc = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    tables = (
        CliRunner()
        .invoke(main, ["sources", "--config", str(shipped_sources_path()), "--format", "markdown"])
        .stdout
    )

    assert doc.split("## Sources\n\n", 1)[1] == tables


def test_every_warwatch_command_in_the_operations_doc_parses():
    """docs/operations.md works as written: each `warwatch …` line it gives is a real
    command with real options (checked with click's own parser, nothing run)."""
    import re
    import shlex

    doc = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    text = "\n".join(re.findall(r"```[a-z]*\n(.*?)```", doc, re.S))  # the code blocks
    lines = re.findall(
        r"(?:^|\s)(?:\S*/)?(warwatch (?:run|crawl|status|db upgrade)[^\n>|`]*)", text
    )
    assert len(lines) >= 4, lines
    for line in lines:
        args = [
            a.replace("ID", "some-source") for a in shlex.split(line, comments=True)[1:] if a != "…"
        ]
        command = main.commands[args.pop(0)]
        if isinstance(command, click.Group):
            command = command.commands[args.pop(0)]
        command.make_context("warwatch", args)  # raises on an unknown option or command
