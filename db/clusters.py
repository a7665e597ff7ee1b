"""Clusters: each new item joins the cluster of its most similar stored item, if any.

Candidates come from shared LSH bands (``item_bands``); a candidate counts only if the
exact Jaccard similarity of the two texts' shingles reaches ``clustering.THRESHOLD``.
Clusters are never merged with each other: a chain of "similar to similar" could join
two different statements, and precision matters more here than recall.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, select, update

from db.models import Cluster, Item, ItemBand, ItemVersion, Source
from warwatch import clustering

OFFICIAL_FAMILIES = ("state_department", "white_house", "embassy", "icc")
MAX_CANDIDATES = 20
# Members of a cluster appear within this span of each other. Recurring acts reuse their
# text word for word weeks apart (the replays hold three presidential memoranda delegating
# the same drawdown authority, and two congressional letters on Finland's and Sweden's
# NATO accession re-sent six weeks later): those are distinct statements, not echoes.
WINDOW = timedelta(days=14)


def assign_clusters(
    connection: Connection, new: Sequence[tuple[int, str, str]], now: datetime
) -> int:
    """Index these new items (id, title, text) and cluster each with its best match;
    return how many joined a cluster."""
    joined = 0
    for item_id, title, text in new:
        hashes = clustering.shingles(text)
        keys = clustering.band_keys(hashes)
        if not keys:
            continue
        candidates = Counter(
            connection.scalars(
                select(ItemBand.item_id).where(
                    ItemBand.band_key.in_(keys), ItemBand.item_id != item_id
                )
            )
        )
        connection.execute(
            ItemBand.__table__.insert(), [{"band_key": k, "item_id": item_id} for k in keys]
        )
        ranked = [candidate for candidate, _ in candidates.most_common(MAX_CANDIDATES)]
        match = _best_match(connection, item_id, f"{title}\n{text}", hashes, ranked)
        if match is not None:
            _join(connection, item_id, match, now)
            joined += 1
    return joined


def reconsider(connection: Connection, item_id: int, title: str, text: str, now: datetime) -> None:
    """An item's text changed: keep it in its cluster only if it still matches a member.

    Publishers sometimes post a new statement with the body of an earlier one and fix it
    minutes later (seen twice in the replays: a "-6" readout first carrying the "-5"
    text, a "Seventh ... Mission" first carrying the sixth's). Clustered on its first
    text, such an item would stay grouped with a different statement; instead it
    leaves (a cluster left with one member is dissolved), is re-indexed on its new text
    and may join the cluster it now belongs to.
    """
    cluster_id = connection.scalar(select(Item.cluster_id).where(Item.id == item_id))
    if cluster_id is not None:
        hashes = clustering.shingles(text)
        document = f"{title}\n{text}"
        others = connection.execute(
            select(ItemVersion.title, ItemVersion.text)
            .join(Item, Item.current_version_id == ItemVersion.id)
            .where(Item.cluster_id == cluster_id, Item.id != item_id)
        ).all()
        if any(
            clustering.jaccard(hashes, clustering.shingles(other.text)) >= clustering.THRESHOLD
            for other in others
        ) and not any(
            clustering.template_variants(document, f"{o.title}\n{o.text}") for o in others
        ):
            return
        connection.execute(update(Item).where(Item.id == item_id).values(cluster_id=None))
        if len(others) <= 1:
            connection.execute(
                update(Item).where(Item.cluster_id == cluster_id).values(cluster_id=None)
            )
            connection.execute(delete(Cluster).where(Cluster.id == cluster_id))
        else:
            _refresh(connection, cluster_id, now)
    connection.execute(delete(ItemBand).where(ItemBand.item_id == item_id))
    assign_clusters(connection, [(item_id, title, text)], now)


def _best_match(
    connection: Connection, item_id: int, document: str, hashes: set[int], candidates: list[int]
) -> int | None:
    """The most similar candidate at or above the threshold, published within ``WINDOW``
    of the item, whose cluster holds no variant of the same template (every member is
    compared, not only the candidate)."""
    if not candidates:
        return None
    appeared = _appeared(connection, [item_id])[item_id]
    rows = connection.execute(
        select(Item.id, Item.cluster_id, ItemVersion.text)
        .join(ItemVersion, ItemVersion.id == Item.current_version_id)
        .where(Item.id.in_(candidates))
    ).all()
    dates = _appeared(connection, [row.id for row in rows])
    scored = sorted(
        ((clustering.jaccard(hashes, clustering.shingles(row.text)), row) for row in rows),
        key=lambda pair: pair[0],
        reverse=True,
    )
    for score, row in scored:
        if score < clustering.THRESHOLD:
            break
        if abs(dates[row.id] - appeared) > WINDOW:
            continue
        members = _documents(connection, row.id, row.cluster_id)
        if not any(clustering.template_variants(document, other) for other in members):
            return row.id
    return None


def _appeared(connection: Connection, item_ids: list[int]) -> dict[int, datetime]:
    """When each item appeared: its stated publication time or, if earlier or absent,
    when it was first seen."""
    rows = connection.execute(
        select(Item.id, ItemVersion.published_at, Item.first_seen_at)
        .outerjoin(ItemVersion, ItemVersion.id == Item.current_version_id)
        .where(Item.id.in_(item_ids))
    ).all()
    return {
        row.id: min(row.published_at, row.first_seen_at) if row.published_at else row.first_seen_at
        for row in rows
    }


def _documents(connection: Connection, item_id: int, cluster_id: int | None) -> list[str]:
    """Title and text of an item, or of every member of its cluster."""
    condition = Item.id == item_id if cluster_id is None else Item.cluster_id == cluster_id
    return [
        f"{title}\n{text}"
        for title, text in connection.execute(
            select(ItemVersion.title, ItemVersion.text)
            .join(Item, Item.current_version_id == ItemVersion.id)
            .where(condition)
        ).all()
    ]


def _join(connection: Connection, item_id: int, match_id: int, now: datetime) -> None:
    cluster_id = connection.scalar(select(Item.cluster_id).where(Item.id == match_id))
    if cluster_id is None:
        cluster_id = connection.execute(
            Cluster.__table__.insert()
            .values(origin_item_id=None, size=0, created_at=now, updated_at=now)
            .returning(Cluster.id)
        ).scalar_one()
        connection.execute(update(Item).where(Item.id == match_id).values(cluster_id=cluster_id))
    connection.execute(update(Item).where(Item.id == item_id).values(cluster_id=cluster_id))
    _refresh(connection, cluster_id, now)


def _refresh(connection: Connection, cluster_id: int, now: datetime) -> None:
    """Size and origin: the earliest member from an official source, else the earliest."""
    members = connection.execute(
        select(Item.id, Source.family, ItemVersion.published_at, Item.first_seen_at)
        .join(Source, Source.id == Item.source_id)
        .outerjoin(ItemVersion, ItemVersion.id == Item.current_version_id)
        .where(Item.cluster_id == cluster_id)
    ).all()

    def when(row: object) -> tuple[bool, datetime]:
        published = row.published_at or row.first_seen_at  # type: ignore[attr-defined]
        seen = row.first_seen_at  # type: ignore[attr-defined]
        return (row.family not in OFFICIAL_FAMILIES, min(published, seen))  # type: ignore[attr-defined]

    origin = min(members, key=when)
    connection.execute(
        update(Cluster)
        .where(Cluster.id == cluster_id)
        .values(origin_item_id=origin.id, size=len(members), updated_at=now)
    )


def cluster_count(connection: Connection) -> int:
    return connection.scalar(select(func.count()).select_from(Cluster)) or 0
