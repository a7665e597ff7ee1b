"""What a per-site module declares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

TITLE_SOURCES = ("h1", "json_ld", "og", "twitter", "html_title")


@dataclass(frozen=True, slots=True)
class SiteRules:
    hosts: tuple[str, ...]
    valid_from: date  # rules apply to pages dated on or after this, until newer rules
    title_from: tuple[str, ...] = TITLE_SOURCES  # title sources, in order of preference
    note: str = ""
