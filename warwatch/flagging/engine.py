"""The flagging engine used by the pipeline and by ``warwatch classify`` alike."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ahocorasick

from warwatch.flagging.anchors import anchors
from warwatch.flagging.language import detect
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
    and_with: re.Pattern[str] | None
    unless: re.Pattern[str] | None


class _Language:
    """One language's rules, and an Aho-Corasick automaton over all their anchors."""

    def __init__(self, rule_file: RuleFile) -> None:
        self.rules = [
            _CompiledRule(
                r, r.compile(r.any), r.compile(r.with_), r.compile(r.and_with), r.compile(r.unless)
            )  # type: ignore[arg-type]
            for r in rule_file.rules
        ]
        by_anchor: dict[str, set[int]] = {}
        for index, compiled in enumerate(self.rules):
            for pattern in compiled.rule.any:
                for anchor in anchors(pattern):
                    by_anchor.setdefault(anchor, set()).add(index)
        self.automaton = ahocorasick.Automaton()
        for anchor, rule_indexes in by_anchor.items():
            self.automaton.add_word(anchor, tuple(sorted(rule_indexes)))
        self.automaton.make_automaton()

    def candidates(self, text: str) -> dict[tuple[int, int], set[int]]:
        """Sentence spans holding an anchor, each with the rules whose anchor it holds."""
        lowered = _lower_same_length(text)
        sentences: Sentences | None = None
        found: dict[tuple[int, int], set[int]] = {}
        for end, rule_indexes in self.automaton.iter(lowered):
            sentences = sentences or Sentences(text)
            found.setdefault(sentences.span(end), set()).update(rule_indexes)
        return found


class FlagEngine:
    """Applies the rules of a text's language, sentence by sentence."""

    def __init__(self, rule_files: dict[str, RuleFile]) -> None:
        self.rule_files = rule_files
        self.version = ",".join(f"{lang}:{rf.version}" for lang, rf in sorted(rule_files.items()))
        self._languages = {lang: _Language(rule_file) for lang, rule_file in rule_files.items()}

    @classmethod
    def from_directory(cls, directory: Path = RULES_DIR) -> FlagEngine:
        return cls(load_rules(directory))

    def rules_version(self, language: str) -> str:
        return self.rule_files[self._language(language)].version

    def _language(self, language: str | None) -> str:
        return language if language in self._languages else FALLBACK_LANGUAGE

    def detect(self, text: str) -> str | None:
        """The text's language among those with rules (None when it has no letters)."""
        return detect(text, self._languages)

    def classify(self, text: str, language: str | None = None) -> Classification:
        """Flag ``text``; its language is detected when not given or not one we have rules
        for (the source's declared language is trusted when we do)."""
        if language not in self._languages:
            language = self.detect(text)
        lang = self._language(language)
        compiled_language = self._languages[lang]
        matches: list[Match] = []
        for (start, end), rule_indexes in compiled_language.candidates(text).items():
            sentence = text[start:end]
            mode: Modality | None = None
            for index in sorted(rule_indexes):
                compiled = compiled_language.rules[index]
                hit = compiled.any.search(sentence)
                if hit is None:
                    continue
                if compiled.with_ is not None and not compiled.with_.search(sentence):
                    continue
                if compiled.and_with is not None and not compiled.and_with.search(sentence):
                    continue
                if compiled.unless is not None and compiled.unless.search(sentence):
                    continue
                mode = mode or modality(sentence, lang)
                matches.append(
                    Match(
                        rule=compiled.rule.id,
                        category=compiled.rule.category,
                        text=hit[0],
                        start=start + hit.start(),
                        end=start + hit.end(),
                        sentence=sentence,
                        sentence_key=sentence_key(sentence),
                        modality=mode,
                        language=lang,
                        score=round(compiled.rule.weight * WEIGHT[mode], 3),
                    )
                )
        matches.sort(key=lambda m: (m.start, m.rule))
        return Classification(matches)


def _lower_same_length(text: str) -> str:
    """Lower case with offsets kept: the few characters whose lower case is longer
    (U+0130 "İ") stay as they are, so anchors found here point into ``text``."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


@cache
def default_engine() -> FlagEngine:
    """The engine built from the shipped rules, loaded once per process."""
    return FlagEngine.from_directory()
