"""The classes of cases in PostgreSQL: a window's cases of the groups worth a look, the known classes, and the
classes written back (SQL over `case_records`, `case_search` and `case_classes`).

Grouping and counting happen in the database: only the groups with enough cases in the window (or with a class
that cases may still join) come back, case by case, for `detection.detect` to place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, literal_column, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.assessment.classes.class_labels import CatalogNames, class_label
from services.assessment.classes.detection import FoundClass, Group, GroupedCase, KnownClass
from services.contracts.case_classes import GroupKey, KindRule
from services.engines.records_db.tables import case_classes, case_records, case_search

# The keys that are keyed hashes of the address (the grid, `place`, is a code in the clear: no key id with it).
PLACE_KEYS = frozenset({GroupKey.ADDRESS, GroupKey.COMMUNITY})
# `pg_advisory_xact_lock` key of the hotspot scan ("hotline:classes" as a number): one scan writes at a time.
SCAN_LOCK_KEY = 0x686F746C_636C6173
_CASE_COLUMNS: dict[GroupKey, Any] = {
    GroupKey.CATALOG_ITEM: case_records.c.catalog_item,
    GroupKey.TOWNSHIP: case_records.c.township,
    GroupKey.ADDRESS: case_search.c.address_key,
    GroupKey.COMMUNITY: case_search.c.community_key,
    GroupKey.PLACE: case_records.c.place,
}
_CLASS_COLUMNS: dict[GroupKey, str] = {
    GroupKey.CATALOG_ITEM: "catalog_item",
    GroupKey.TOWNSHIP: "township",
    GroupKey.ADDRESS: "address_key",
    GroupKey.COMMUNITY: "community_key",
    GroupKey.PLACE: "place",
}
# Every case id the class had and every one it gains, once each (a scan racing another loses none).
_MERGED_IDS = "ARRAY(SELECT DISTINCT unnest(case_classes.case_ids || excluded.case_ids))"


def by_place(rule: KindRule) -> bool:
    """The kind groups by a keyed hash of the address: its groups include the key id the hash was made under."""
    return any(key in PLACE_KEYS for key in rule.group_by)


async def lock_scan(connection: AsyncConnection) -> None:
    """Hold the scan's lock to the end of the transaction (a second scan waits for the first)."""
    await connection.execute(select(func.pg_advisory_xact_lock(SCAN_LOCK_KEY)))


async def known_classes(connection: AsyncConnection, kind: str, rule: KindRule, since: datetime) -> list[KnownClass]:
    """The kind's classes still active at `since` (cases of the window may join them)."""
    rows = await connection.execute(
        select(case_classes)
        .where(case_classes.c.kind == kind, case_classes.c.active_until >= since)
        .order_by(case_classes.c.class_id)
    )
    return [
        KnownClass(
            class_id=row.class_id,
            group=group_of(rule, row),
            case_ids=frozenset(row.case_ids),
            first_received_at=row.first_received_at,
            last_received_at=row.last_received_at,
        )
        for row in rows
    ]


def group_of(rule: KindRule, row: Row[Any]) -> Group:
    """A stored class's group values, in the order the kind's cases are grouped by."""
    values = [getattr(row, _CLASS_COLUMNS[key]) for key in rule.group_by]
    return (row.key_id, *values) if by_place(rule) else tuple(values)


async def window_cases(
    connection: AsyncConnection, rule: KindRule, *, since: datetime, until: datetime, known: Sequence[Group]
) -> list[GroupedCase]:
    """The cases received in [since, until) of the groups with at least `min_cases` of them, or with a known class."""
    keys: list[ColumnElement[Any]] = [_CASE_COLUMNS[key] for key in rule.group_by]
    source: Any = case_records
    if by_place(rule):
        keys.insert(0, case_search.c.key_id)
        source = case_records.join(case_search, case_search.c.case_id == case_records.c.case_id)
    names = [f"g{index}" for index in range(len(keys))]
    in_window = (
        select(
            case_records.c.case_id,
            case_records.c.received_at,
            case_records.c.catalog_item,
            case_records.c.township,
            *(column.label(name) for column, name in zip(keys, names, strict=True)),
        )
        .select_from(source)
        .where(
            case_records.c.received_at >= since,
            case_records.c.received_at < until,
            *(column.is_not(None) for column in keys),
        )
        .cte("in_window")
    )
    grouped = [in_window.c[name] for name in names]
    worth_a_look: ColumnElement[bool] = func.count() >= rule.min_cases
    if known:
        worth_a_look = or_(worth_a_look, tuple_(*grouped).in_([tuple(group) for group in known]))
    groups = select(*grouped).group_by(*grouped).having(worth_a_look).cte("groups")
    rows = await connection.execute(
        select(in_window).join(groups, and_(*(in_window.c[name] == groups.c[name] for name in names)))
    )
    return [
        GroupedCase(
            case_id=row.case_id,
            received_at=row.received_at,
            group=tuple(getattr(row, name) for name in names),
            catalog_item=row.catalog_item,
            township=row.township,
        )
        for row in rows
    ]


async def save_classes(
    connection: AsyncConnection,
    rule: KindRule,
    found: Sequence[FoundClass],
    *,
    names: CatalogNames,
    thresholds_version: str,
    at: datetime,
) -> None:
    """Insert the new classes and add the joined cases to the known ones (their label and detection time stay)."""
    for one in found:
        row = _class_row(rule, one, names=names, thresholds_version=thresholds_version, at=at)
        statement = insert(case_classes).values(**row)
        excluded = statement.excluded
        await connection.execute(
            statement.on_conflict_do_update(
                index_elements=["class_id"],
                set_={
                    "case_ids": literal_column(_MERGED_IDS),
                    "case_count": literal_column(f"cardinality({_MERGED_IDS})"),
                    "first_received_at": func.least(case_classes.c.first_received_at, excluded.first_received_at),
                    "last_received_at": func.greatest(case_classes.c.last_received_at, excluded.last_received_at),
                    "active_until": func.greatest(case_classes.c.active_until, excluded.active_until),
                    "updated_at": excluded.updated_at,
                },
            )
        )


def _class_row(
    rule: KindRule, found: FoundClass, *, names: CatalogNames, thresholds_version: str, at: datetime
) -> dict[str, Any]:
    values = dict(zip(rule.group_by, found.group[1:] if by_place(rule) else found.group, strict=True))
    item = values.get(GroupKey.CATALOG_ITEM, found.common_item())
    township = values.get(GroupKey.TOWNSHIP, found.common_township())
    place = values.get(GroupKey.PLACE)
    assert item is None or isinstance(item, str)
    assert township is None or isinstance(township, str)
    assert place is None or isinstance(place, str)
    return {
        "class_id": found.class_id,
        "kind": found.kind,
        "kind_name": rule.name,
        "catalog_item": item,
        "township": township,
        "key_id": found.group[0] if by_place(rule) else None,
        "address_key": values.get(GroupKey.ADDRESS),
        "community_key": values.get(GroupKey.COMMUNITY),
        "place": place,
        "label": class_label(rule, catalog_item=item, township=township, place=place, names=names),
        "first_received_at": found.first_received_at,
        "last_received_at": found.last_received_at,
        "active_until": found.active_until,
        "case_count": len(set(found.case_ids)),
        "case_ids": sorted(set(found.case_ids)),
        "thresholds_version": thresholds_version,
        "detected_at": at,
        "updated_at": at,
    }


async def unnotified(connection: AsyncConnection, *, limit: int) -> list[Row[Any]]:
    """Classes the coordination centre has not been told of yet, oldest first."""
    rows = await connection.execute(
        select(case_classes)
        .where(case_classes.c.notified_at.is_(None))
        .order_by(case_classes.c.detected_at, case_classes.c.class_id)
        .limit(limit)
    )
    return list(rows)


async def mark_notified(connection: AsyncConnection, class_ids: Sequence[str], at: datetime) -> int:
    """Note that the centre was told of these classes (a class is told of once); how many were not noted yet."""
    result = await connection.execute(
        update(case_classes)
        .where(case_classes.c.class_id.in_(list(class_ids)), case_classes.c.notified_at.is_(None))
        .values(notified_at=at)
    )
    return int(result.rowcount)
