"""Diffs between versions, and the class of each change, on real and edited statements."""

from __future__ import annotations

import pytest

from warwatch.diffing import cosmetic_key, diff_versions
from warwatch.feeds import parse_feed
from warwatch.flagging.engine import default_engine
from warwatch.normalize import clean_text

from .httpserver import FIXTURES

ENGINE = default_engine()
WAR_CRIMES = "Russia's forces committed war crimes in Bucha, killing civilians."


def diff(old_title, old_text, new_title, new_text):
    return diff_versions(old_title, old_text, new_title, new_text, "en", ENGINE)


def entry_text(capture: str, title_start: str) -> tuple[str, str]:
    from warwatch.extract import extract_fragment

    feed = parse_feed((FIXTURES / "feeds" / capture).read_bytes(), "https://www.state.gov/")
    entry = next(e for e in feed.entries if e.title.startswith(title_start))
    return entry.title, clean_text(extract_fragment(entry.content_html or "", entry.link))


def test_a_real_repunctuation_is_cosmetic_and_shows_the_sentence():
    # state.gov, 2021-07-12: "Washington, D.C." became "Washington, DC" in a statement
    # with 31 flagged sentences; nothing else changed.
    before = entry_text("state-press-releases-1626124852.rss", "Briefing with Acting Assistant")
    after = entry_text("state-press-releases-1626125615.rss", "Briefing with Acting Assistant")
    assert before != after

    result = diff(*before, *after)

    assert result.kind == "cosmetic"
    assert result.reasons == []
    assert any(c.op == "cosmetic" and "D.C." in (c.old or "") for c in result.changes)


def test_a_recased_title_is_cosmetic_and_a_new_wording_is_retitled():
    # state.gov, 2022-03-24: "…the recent Taliban Decision…" → "…the Recent Taliban…"
    before = entry_text("state-press-releases-1648164228.rss", "Joint Statement on the")
    after = entry_text("state-press-releases-1648165761.rss", "Joint Statement on the")
    recased = diff(*before, *after)
    reworded = diff(*before, "Joint Statement on the Taliban's Ban on Girls' Education", after[1])

    assert (recased.kind, recased.title_changed) == ("cosmetic", True)
    assert (reworded.kind, reworded.reasons) == ("retitled", [])


@pytest.mark.parametrize(
    ("old", "new", "kind", "reason"),
    [
        ("The talks went well. We met.", "The talks went very well. We met on Friday.",
         "substantive", None),
        (f"The talks went well. {WAR_CRIMES}", "The talks went well.",
         "flag_relevant", "flagged text removed"),
        ("Russia committed war crimes in Bucha.", "Russia allegedly committed war crimes in Bucha.",
         "flag_relevant", "added hedge: 'allegedly'"),
        ("Shelling killed 12 people in Kharkiv yesterday.",
         "Shelling killed 15 people in Kharkiv yesterday.", "flag_relevant", "casualty figure"),
        ("The strike on the market killed dozens of people, officials said.",
         "The strike by Russian forces on the market killed dozens of people, officials said.",
         "flag_relevant", "named party: 'Russian'"),
        ("Talks will resume on Monday. The delegation thanked its hosts.",
         "Talks will resume on Tuesday. The delegation thanked its hosts.", "substantive", None),
    ],
)  # fmt: skip
def test_each_change_gets_the_highest_class_that_applies(old, new, kind, reason):
    result = diff("Statement", old, "Statement", new)

    assert result.kind == kind
    if reason is None:
        assert result.reasons == []
    else:
        assert any(reason in r for r in result.reasons), result.reasons


def test_sentences_are_paired_as_rewordings_or_additions_and_removals():
    result = diff(
        "T", "The talks went well. We met. The weather was fine.",
        "T", "The talks went very well. We met on Friday. Sanctions follow.",
    )  # fmt: skip

    assert [(c.op, c.old, c.new) for c in result.changes] == [
        ("reworded", "The talks went well.", "The talks went very well."),
        ("reworded", "We met.", "We met on Friday."),
        ("removed", "The weather was fine.", None),
        ("added", None, "Sanctions follow."),
    ]


def test_the_cosmetic_key_ignores_case_space_punctuation_and_typography():
    assert cosmetic_key("Russia’s forces — “deliberately”…") == cosmetic_key(
        'russia\'s forces - "deliberately"...'
    )
    assert cosmetic_key("12 killed") != cosmetic_key("15 killed")
