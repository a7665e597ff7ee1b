"""Every version kept as evidence: real captures replayed, edits classified, flapping
recognised, raw bodies hashed, exported as WARC and verified."""

from __future__ import annotations

import hashlib
import io
import shutil
import zlib

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update
from warcio.archiveiterator import ArchiveIterator

from db.engine import get_engine
from db.models import Item, ItemChange, ItemVersion, RawBody, Response
from warwatch.cli import main
from warwatch.settings import Settings

from .httpserver import FIXTURES

SOURCE = "state-press-releases"
COSMETIC_BEFORE, COSMETIC_AFTER = 1626124852, 1626125615  # "Washington, D.C." → "DC"
RETITLE_BEFORE, RETITLE_AFTER = 1648164228, 1648165761  # "recent" → "Recent"
STATEMENT = "https://www.state.gov/joint-statement-on-the-recent-taliban-decision-to-deny-afghan-girls-the-right-to-an-education/"


def captures(tmp_path, *series: tuple[int, int]):
    """A folder of real state.gov captures, each named ``<unix time>.rss``: (as, from)."""
    folder = tmp_path / "captures"
    folder.mkdir(exist_ok=True)
    for at, original in series:
        source = FIXTURES / "feeds" / f"state-press-releases-{original}.rss"
        shutil.copy(source, folder / f"{at}.rss")
    return folder


def cli(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def import_captures(folder, db_url):
    result = cli("import-captures", "--source", SOURCE, "--dir", str(folder), "--db", db_url)
    assert result.exit_code == 0, result.output
    return result


def count(db_url, model):
    with get_engine(db_url).connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


def test_replayed_captures_keep_each_content_once_and_classify_each_change(tmp_path, db_url):
    folder = captures(
        tmp_path,
        (COSMETIC_BEFORE, COSMETIC_BEFORE), (COSMETIC_AFTER, COSMETIC_AFTER),
        (RETITLE_BEFORE, RETITLE_BEFORE), (RETITLE_AFTER, RETITLE_AFTER),
    )  # fmt: skip

    result = import_captures(folder, db_url)

    assert "4 captures" in result.output and "0 errors" in result.output
    with get_engine(db_url).connect() as connection:
        changes = connection.execute(
            select(ItemChange.kind, ItemChange.title_changed, ItemVersion.title)
            .join(ItemVersion, ItemVersion.id == ItemChange.to_version_id)
            .order_by(ItemChange.id)
        ).all()
        responses = connection.execute(select(Response.origin, Response.body_sha256)).all()
    assert [(c.kind, c.title_changed) for c in changes] == [
        ("cosmetic", False),  # Washington, D.C. → Washington, DC
        ("cosmetic", True),  # recent → Recent
    ]
    assert changes[1].title.startswith("Joint Statement on the Recent Taliban")
    # every capture that added something is kept whole, hashed as served
    served = {
        hashlib.sha256((folder / f"{at}.rss").read_bytes()).hexdigest()
        for at in (COSMETIC_BEFORE, COSMETIC_AFTER, RETITLE_BEFORE, RETITLE_AFTER)
    }
    assert {r.body_sha256 for r in responses} == served
    assert {r.origin for r in responses} == {"import"}

    before = [count(db_url, m) for m in (Item, ItemVersion, ItemChange, Response)]
    import_captures(folder, db_url)  # the same captures again: identical, nothing new
    assert [count(db_url, m) for m in (Item, ItemVersion, ItemChange, Response)] == before


def test_flapping_is_one_episode_not_two_edits(tmp_path, db_url):
    # The real retitle, then the first capture served again (a stale cache node).
    folder = captures(
        tmp_path,
        (RETITLE_BEFORE, RETITLE_BEFORE), (RETITLE_AFTER, RETITLE_AFTER),
        (RETITLE_AFTER + 900, RETITLE_BEFORE),
    )  # fmt: skip

    import_captures(folder, db_url)

    with get_engine(db_url).connect() as connection:
        changes = connection.execute(
            select(ItemChange.id, ItemChange.from_version_id, ItemChange.to_version_id,
                   ItemChange.revert_of).order_by(ItemChange.id)
        ).all()  # fmt: skip
        versions = connection.scalar(select(func.count()).select_from(ItemVersion))
        items = connection.scalar(select(func.count()).select_from(Item))
    first, second = changes
    assert second.revert_of == first.id
    assert (second.from_version_id, second.to_version_id) == (
        first.to_version_id, first.from_version_id,
    )  # fmt: skip
    assert versions == items + 1  # one item has two contents: A→B→A adds no third

    history = cli("history", STATEMENT, "--db", db_url).output
    assert "later reverted" in history and "reverts an earlier change (flapping)" in history
    assert "- title: Joint Statement on the recent Taliban" in history
    assert "+ title: Joint Statement on the Recent Taliban" in history


def test_history_by_id_or_url_in_text_or_json(tmp_path, db_url):
    import json

    import_captures(captures(tmp_path, (COSMETIC_BEFORE, COSMETIC_BEFORE),
                             (COSMETIC_AFTER, COSMETIC_AFTER)), db_url)  # fmt: skip
    with get_engine(db_url).connect() as connection:
        item_id, url = connection.execute(
            select(Item.id, Item.canonical_url).join(ItemChange, ItemChange.item_id == Item.id)
        ).one()

    text = cli("history", str(item_id), "--db", db_url).output
    document = json.loads(cli("history", url + "?utm_source=x", "--json", "--db", db_url).output)

    assert "versions (2):" in text and "[cosmetic]" in text
    assert "- Washington, D.C." in text or "Washington, D.C." in text
    assert [c["kind"] for c in document["changes"]] == ["cosmetic"]
    assert len(document["versions"]) == 2 and document["versions"][0]["raw_sha256"]
    missing = CliRunner().invoke(main, ["history", "999999", "--db", db_url])
    assert missing.exit_code == 2 and "no stored item" in missing.output


def test_verify_rehashes_bodies_and_texts_and_names_a_tampered_record(tmp_path, db_url):
    import_captures(captures(tmp_path, (RETITLE_BEFORE, RETITLE_BEFORE)), db_url)

    clean = cli("verify", "--db", db_url)
    assert clean.exit_code == 0 and "0 mismatches" in clean.output

    with get_engine(db_url).begin() as connection:
        sha = connection.scalar(select(RawBody.sha256))
        connection.execute(
            update(RawBody).where(RawBody.sha256 == sha).values(data=zlib.compress(b"altered"))
        )
        version_id = connection.scalar(select(func.min(ItemVersion.id)))
        connection.execute(
            update(ItemVersion).where(ItemVersion.id == version_id).values(text="rewritten")
        )
    tampered = CliRunner().invoke(main, ["verify", "--db", db_url])

    assert tampered.exit_code == 1
    assert f"MISMATCH raw_bodies {sha}: body hashes to" in tampered.output
    assert f"MISMATCH item_versions {version_id}: title and text hash to" in tampered.output


def test_a_replayed_items_warc_opens_with_warcio_and_its_digests_verify(tmp_path, db_url):
    import_captures(captures(tmp_path, (RETITLE_BEFORE, RETITLE_BEFORE),
                             (RETITLE_AFTER, RETITLE_AFTER)), db_url)  # fmt: skip
    with get_engine(db_url).connect() as connection:
        item_id = connection.scalar(select(Item.id).where(Item.canonical_url == STATEMENT))
    out = tmp_path / "evidence.warc.gz"

    result = cli("export-warc", "--item", str(item_id), "--out", str(out), "--db", db_url)

    assert result.exit_code == 0 and "2 responses written" in result.output
    records = []
    with out.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests=True):
            body = record.content_stream().read()
            records.append((record.rec_type, record.rec_headers, body))
            assert record.digest_checker.passed is not False, record.digest_checker.problems
    assert [r[0] for r in records] == ["warcinfo", "resource", "metadata", "resource", "metadata"]
    resource = records[1]
    expected = (FIXTURES / "feeds" / f"state-press-releases-{RETITLE_BEFORE}.rss").read_bytes()
    assert resource[2] == expected  # the capture, byte for byte
    assert resource[1]["WARC-Target-URI"] == "https://www.state.gov/rss-feed/press-releases/feed/"
    assert resource[1]["WARC-Date"] == "2022-03-24T23:23:48Z"
    assert resource[1]["WARC-Payload-Digest"] and resource[1]["WARC-Block-Digest"]
    assert f'"item_id": {item_id}' in records[2][2].decode()


def test_a_fetched_response_is_exported_with_request_and_response_headers(
    server, write_config, db_url, tmp_path
):
    from warwatch.runner import run_crawl

    body = (FIXTURES / "feeds" / f"state-press-releases-{RETITLE_BEFORE}.rss").read_bytes()
    config = write_config({"state": server.serve("/feed", body)})
    assert run_crawl(Settings(config_path=config, db_url=db_url), ()).ok
    out = tmp_path / "crawl.warc.gz"

    result = cli("export-warc", "--source", "state", "--since", "2020-01-01", "--out", str(out),
                 "--db", db_url)  # fmt: skip

    assert result.exit_code == 0 and "1 responses written" in result.output
    with out.open("rb") as stream:
        records = list(_read(stream))
    kinds = [kind for kind, *_ in records]
    assert kinds == ["warcinfo", "response", "request", "metadata"]
    _, _, http, payload = records[1]
    assert http.get_statuscode() == "200" and http["ETag"]
    assert payload == body
    _, _, request, _ = records[2]
    assert (request.protocol, request.statusline) == ("GET", "/feed HTTP/1.1")
    assert "warwatch" in request["User-Agent"]


def _read(stream: io.BufferedReader):
    for record in ArchiveIterator(stream, check_digests=True):
        payload = record.content_stream().read()
        assert record.digest_checker.passed is not False, record.digest_checker.problems
        yield record.rec_type, record.rec_headers, record.http_headers, payload


@pytest.mark.parametrize("name", ["notes.txt", "12.rss"])
def test_files_not_named_for_their_time_are_skipped_and_said_so(tmp_path, name, db_url):
    folder = captures(tmp_path, (RETITLE_BEFORE, RETITLE_BEFORE))
    (folder / name).write_text("not a capture")

    result = import_captures(folder, db_url)

    assert "1 captures" in result.output
    assert "skipped 1 files not named <unix time>.<ext>" in result.output
