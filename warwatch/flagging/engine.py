"""The flagging engine used by the pipeline and by ``warwatch classify`` alike."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from warwatch.flagging.modality import WEIGHT, Modality, modality
from warwatch.flagging.rules import RULES_DIR, Rule, RuleFile, load_rules
from warwatch.flagging.sentences import Sentences, sentence_key

FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class Match:
    """One rule firing on one sentence: everything an operator needs to see why."""

    rule: str
    category: str
    text: str
    start: int
    end: int
    sentence: str
    sentence_key: str
    modality: Modality
    language: str
    score: float


@dataclass(frozen=True, slots=True)
class Classification:
    matches: list[Match] = field(default_factory=list)

    @property
    def flag(self) -> bool:
        return bool(self.matches)

    @property
    def categories(self) -> list[str]:
        return sorted({m.category for m in self.matches})

    @property
    def score(self) -> float:
        return max((m.score for m in self.matches), default=0.0)


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: Rule
    any: re.Pattern[str]
    with_: re.Pattern[str] | None
    unless: re.Pattern[str] | None


class FlagEngine:
    """Applies the rules of a text's language, sentence by sentence."""

    def __init__(self, rule_files: dict[str, RuleFile]) -> None:
        self.rule_files = rule_files
        self.version = ",".join(f"{lang}:{rf.version}" for lang, rf in sorted(rule_files.items()))
        self._compiled = {
            lang: [
                _CompiledRule(r, r.compile(r.any), r.compile(r.with_), r.compile(r.unless))  # type: ignore[arg-type]
                for r in rule_file.rules
            ]
            for lang, rule_file in rule_files.items()
        }

    @classmethod
    def from_directory(cls, directory: Path = RULES_DIR) -> FlagEngine:
        return cls(load_rules(directory))

    def rules_version(self, language: str) -> str:
        return self.rule_files[self._language(language)].version

    def _language(self, language: str | None) -> str:
        return language if language in self._compiled else FALLBACK_LANGUAGE

    def classify(self, text: str, language: str | None = None) -> Classification:
        lang = self._language(language)
        sentences: Sentences | None = None
        matches: list[Match] = []
        seen: set[tuple[str, int]] = set()
        for compiled in self._compiled[lang]:
            for hit in compiled.any.finditer(text):
                sentences = sentences or Sentences(text)
                start, end = sentences.span(hit.start())
                if (compiled.rule.id, start) in seen:
                    continue
                sentence = text[start:end]
                if compiled.with_ is not None and not compiled.with_.search(sentence):
                    continue
                if compiled.unless is not None and compiled.unless.search(sentence):
                    continue
                seen.add((compiled.rule.id, start))
                mode = modality(sentence)
                matches.append(
                    Match(
                        rule=compiled.rule.id,
                        category=compiled.rule.category,
                        text=hit[0],
                        start=hit.start(),
                        end=hit.end(),
                        sentence=sentence,
                        sentence_key=sentence_key(sentence),
                        modality=mode,
                        language=lang,
                        score=round(compiled.rule.weight * WEIGHT[mode], 3),
                    )
                )
        matches.sort(key=lambda m: (m.start, m.rule))
        return Classification(matches)


@cache
def default_engine() -> FlagEngine:
    """The engine built from the shipped rules, loaded once per process."""
    return FlagEngine.from_directory()
