"""Flagging rules are data: YAML files, one per language, validated at load.

A rule fires on a sentence when one of its ``any`` patterns matches, at least one of its
``with`` patterns (if it has any) and one of its ``and_with`` patterns (if any) match in the
same sentence, and none of its ``unless`` patterns does. Patterns are case-insensitive
regular expressions; ``\\b`` word boundaries are added around each one unless it says
``raw: true``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from warwatch.exceptions import ConfigError
from warwatch.flagging.anchors import anchors

RULES_DIR = Path(__file__).parent / "rules"

Category = Literal[
    "war_crime_allegation",
    "atrocity_report",
    "investigation",
    "evidence_documentation",
    "icc_action",
    "prosecution",
]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z]{2}\.[a-z0-9_.-]+$")
    category: Category
    any: list[str] = Field(min_length=1)
    with_: list[str] = Field(default_factory=list, alias="with")
    and_with: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    weight: float = Field(default=1.0, gt=0, le=1)
    raw: bool = False
    description: str = ""

    @model_validator(mode="after")
    def _patterns_compile(self) -> Rule:
        for field in ("any", "with_", "and_with", "unless"):
            for pattern in getattr(self, field):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    name = field.rstrip("_")
                    raise ValueError(f"pattern {pattern!r} in '{name}' is invalid: {exc}") from exc
        for pattern in (*self.any, *self.with_, *self.and_with):
            anchors(pattern)  # NoAnchor is a ValueError: reported with the rule named
        return self

    def compile(self, patterns: list[str]) -> re.Pattern[str] | None:
        """One case-sensitive regex for lower-cased text: the engine searches lower-cased
        sentences (``re.IGNORECASE`` on Unicode text is several times slower)."""
        if not patterns:
            return None
        wrap = "{}" if self.raw else r"\b(?:{})\b"
        return re.compile("|".join(wrap.format(lower_pattern(p)) for p in patterns))


_ESCAPE_OR_CHAR = re.compile(r"\\.|.", re.DOTALL)


def lower_pattern(pattern: str) -> str:
    r"""Lower-case a pattern's literal text, leaving escapes (``\W``, ``\S``, ``\B``) alone."""
    return "".join(
        token if token.startswith("\\") else token.lower()
        for token in _ESCAPE_OR_CHAR.findall(pattern)
    )


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    language: str = Field(pattern=r"^[a-z]{2}$")
    rules: list[Rule]

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleFile:
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate rule ids: {', '.join(duplicates)}")
        return self


def load_rule_file(path: Path) -> RuleFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read rules file: {exc}") from exc
    try:
        return RuleFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = list(error["loc"])
            where = ".".join(str(p) for p in loc)
            if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
                rule = (data.get("rules") or [])[loc[1]]
                rule_id = rule.get("id") if isinstance(rule, dict) else None
                where = f"rule {rule_id or '#' + str(loc[1] + 1)!r} " + ".".join(
                    str(p) for p in loc[2:]
                )
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"  {path}: {where}: {message}")
        raise ConfigError("invalid rules file:\n" + "\n".join(problems)) from None


def load_rules(directory: Path = RULES_DIR) -> dict[str, RuleFile]:
    """Every ``*.yaml`` rules file in ``directory``, keyed by language."""
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise ConfigError(f"{directory}: no rules files (*.yaml) found")
    by_language: dict[str, RuleFile] = {}
    for path in files:
        rule_file = load_rule_file(path)
        if rule_file.language in by_language:
            raise ConfigError(f"{path}: a second rules file for language {rule_file.language!r}")
        by_language[rule_file.language] = rule_file
    return by_language
