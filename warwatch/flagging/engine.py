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


ANY, WITH, AND_WITH = 0, 1, 2


class _Language:
    """One language's rules, and an Aho-Corasick automaton over all their anchors.

    Anchors of ``any`` patterns say which sentences to look at; anchors of ``with`` and
    ``and_with`` patterns say whether a rule's co-occurrence can hold there at all, so a
    rule is only run (as a regex) on a sentence holding an anchor of each of its groups.
    """

    def __init__(self, rule_file: RuleFile) -> None:
        self.rules = [
            _CompiledRule(
                r, r.compile(r.any), r.compile(r.with_), r.compile(r.and_with), r.compile(r.unless)
            )  # type: ignore[arg-type]
            for r in rule_file.rules
        ]
        self.needs = [(bool(c.rule.with_), bool(c.rule.and_with)) for c in self.rules]
        by_anchor: dict[str, set[tuple[int, int]]] = {}
        for index, compiled in enumerate(self.rules):
            for role, patterns in ((ANY, compiled.rule.any), (WITH, compiled.rule.with_),
                                   (AND_WITH, compiled.rule.and_with)):  # fmt: skip
                for pattern in patterns:
                    for anchor in anchors(pattern):
                        by_anchor.setdefault(anchor, set()).add((index, role))
        # The whole text is scanned for `any` anchors only; co-occurrence anchors are
        # looked for inside the few sentences that hold one (most texts mention "forces"
        # or "Russia" far more often than anything a rule is about).
        self.any_automaton = _automaton(
            {a: {i for i, role in tags if role == ANY} for a, tags in by_anchor.items()}
        )
        self.group_automaton = _automaton(
            {a: {(i, role) for i, role in tags if role != ANY} for a, tags in by_anchor.items()}
        )

    def candidates(self, text: str) -> dict[tuple[int, int], set[int]]:
        """Sentence spans holding an ``any`` anchor, with the rules that may fire there
        (those whose ``with`` / ``and_with`` anchors are in the sentence too)."""
        sentences: Sentences | None = None
        found: dict[tuple[int, int], set[int]] = {}
        for end, rule_indexes in self.any_automaton.iter(text):
            sentences = sentences or Sentences(text)
            span = sentences.span(end)
            rules = found.get(span)
            if rules is None:
                found[span] = set(rule_indexes)
            else:
                rules.update(rule_indexes)
        result: dict[tuple[int, int], set[int]] = {}
        for span, rules in found.items():
            if any(self.needs[index] != (False, False) for index in rules):
                groups = {
                    tag
                    for _, tags in self.group_automaton.iter(text, span[0], span[1])
                    for tag in tags
                }
                rules = {
                    index for index in rules
                    if (not self.needs[index][0] or (index, WITH) in groups)
                    and (not self.needs[index][1] or (index, AND_WITH) in groups)
                }  # fmt: skip
            if rules:
                result[span] = rules
        return result


def _automaton(tags_by_anchor: dict[str, set]) -> ahocorasick.Automaton:  # type: ignore[type-arg]
    """Aho-Corasick over each anchor in the cases text writes it in (lower, Capitalised,
    Title, UPPER): the text is scanned as it is, offsets point into it directly."""
    by_form: dict[str, set] = {}  # type: ignore[type-arg]
    for anchor, tags in tags_by_anchor.items():
        if not tags:
            continue
        for form in {anchor, anchor.capitalize(), anchor.title(), anchor.upper()}:
            by_form.setdefault(form, set()).update(tags)
    automaton = ahocorasick.Automaton()
    for form, tags in by_form.items():
        automaton.add_word(form, tuple(sorted(tags)))
    automaton.make_automaton()
    return automaton


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
            lowered = _lower(sentence)
            mode: Modality | None = None
            for index in sorted(rule_indexes):
                compiled = compiled_language.rules[index]
                if compiled.with_ is not None and not compiled.with_.search(lowered):
                    continue
                if compiled.and_with is not None and not compiled.and_with.search(lowered):
                    continue
                hit = compiled.any.search(lowered)
                if hit is None:
                    continue
                if compiled.unless is not None and compiled.unless.search(lowered):
                    continue
                mode = mode or modality(sentence, lang)
                matches.append(
                    Match(
                        rule=compiled.rule.id,
                        category=compiled.rule.category,
                        text=sentence[hit.start() : hit.end()],
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


def _lower(text: str) -> str:
    """Lower case with offsets kept: the rare characters whose lower case is longer
    (U+0130 "İ") stay as they are, so match offsets point into the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


@cache
def default_engine() -> FlagEngine:
    """The engine built from the shipped rules, loaded once per process."""
    return FlagEngine.from_directory()
