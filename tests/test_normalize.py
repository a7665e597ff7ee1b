"""Canonical URLs, clean text and UTC dates decide what counts as the same item."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from warwatch.normalize import canonical_url, clean_text, clean_title, content_hash, to_utc


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://WWW.State.gov/statement/?utm_source=rss&utm_medium=feed#top",
            "https://www.state.gov/statement/",
        ),
        (
            "https://apnews.com/article/x?fbclid=abc&id=7&gclid=z",
            "https://apnews.com/article/x?id=7",
        ),
        ("http://example.org:80/a?b=2&a=1", "http://example.org/a?b=2&a=1"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        (
            "https://www.reuters.com/world/?taid=1&mc_cid=2&mc_eid=3",
            "https://www.reuters.com/world/?taid=1",
        ),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


def test_clean_text_keeps_paragraphs_and_folds_spaces():
    raw = "  The Taliban’s action\u00a0 contradicted\u200b its  pledges. \r\n\r\n\n Second  paragraph.\n"

    assert clean_text(raw) == "The Taliban’s action contradicted its pledges.\n\nSecond paragraph."


def test_white_space_alone_does_not_change_the_content_hash():
    a = content_hash(clean_title(" War Crimes  by Russia "), clean_text("We   assess.\n\n\nNext."))
    b = content_hash(clean_title("War Crimes by Russia"), clean_text("We assess.\n\nNext."))

    assert a == b
    assert a != content_hash("War crimes by Russia", "We assess.\n\nNext.")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Thu, 24 Mar 2022 20:24:55 +0000", datetime(2022, 3, 24, 20, 24, 55, tzinfo=UTC)),
        ("2022-03-24T16:24:55-04:00", datetime(2022, 3, 24, 20, 24, 55, tzinfo=UTC)),
        ("2022-03-24", datetime(2022, 3, 24, tzinfo=UTC)),
        ("not a date", None),
        (None, None),
    ],
)
def test_to_utc(value, expected):
    assert to_utc(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Seg, 24 Set 2018 19:42:40 -0300", datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)),
        ("Thu,28 Jul 2022 4:35:5 GMT+9", datetime(2022, 7, 27, 19, 35, 5, tzinfo=UTC)),
        ("mer., 23 mars 2022 17:55:28 +0100", datetime(2022, 3, 23, 16, 55, 28, tzinfo=UTC)),
        ("Mi, 23 Mär 2022 17:55:28 GMT", datetime(2022, 3, 23, 17, 55, 28, tzinfo=UTC)),
        ("23 березня 2022", None),  # full genitive month names are not guessed at
    ],
)
def test_feed_dates_in_other_languages_and_odd_formats(value, expected):
    assert to_utc(value) == expected
