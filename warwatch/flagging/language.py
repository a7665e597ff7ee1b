"""The language of a text, when its source does not say: py3langid, restricted to the
languages we have rules for (its model ships in the wheel and loads offline, once)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

SAMPLE = 600  # characters: enough to tell these languages apart, cheap on long pages


@cache
def _identifier(languages: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(list(languages))
    return identifier


def detect(text: str, languages: Iterable[str]) -> str | None:
    """The most likely of ``languages`` for ``text``; None for a text with no letters."""
    sample = text[:SAMPLE]
    if not any(ch.isalpha() for ch in sample):
        return None
    language, _score = _identifier(tuple(sorted(languages))).classify(sample)
    return str(language)
