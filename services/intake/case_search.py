"""Finding cases in the records: the filters of `GET /v1/cases` (and its export), who may find what, and the pages.

Text search (`q`) goes through the records' blind index (services/engines/records_db/search_tokens.py): the
description and address are sealed at rest, so neither PostgreSQL's full-text search nor pg_trgm can read them, and
Chinese needs a tokenizer that neither the embedded server nor managed clusters ship (zhparser, pg_jieba). A query
becomes the keyed hashes of its CJK bigrams and words, matched by containment over a GIN index.

Pages are keyset pages on `(received_at, case_id)`: a page starts after the last row of the one before, so a case
that arrives meanwhile shifts no row from one page to another (nothing skipped, nothing repeated).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    and_,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.contracts.case_lists import CasePage
from services.contracts.case_policy import EscalationLevel
from services.contracts.cases import CaseStatus
from services.contracts.credentials import ClientKind, Principal
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.tickets import CODE_PATTERN, GRID_CODE_PATTERN, ITEM_CODE_PATTERN, Channel, client_prefix
from services.engines.records_db.search_tokens import MAX_QUERY_TOKENS, hashed, query_tokens, search_key
from services.engines.records_db.tables import EXTENSION_PENDING, case_records, case_search
from services.intake.auth import require_kind
from services.intake.case_summaries import SUMMARY_COLUMNS, summary
from services.intake.page_cursors import MAX_CURSOR_CHARS, decode_cursor, encode_cursor, fingerprint
from services.intake.place_filter import in_place

DEFAULT_PAGE = 50
MAX_PAGE = 200
MAX_QUERY_CHARS = 100
TOP_ESCALATION = int(max(EscalationLevel))
CURSOR_KIND = "cases"
_record = case_records.c


class CaseOrder(StrEnum):
    """By received time: newest first (`-received_at`, the default) or oldest first."""

    NEWEST = "-received_at"
    OLDEST = "received_at"


class CaseFilters(BaseModel):
    """Which cases: every filter given must hold (statuses: any of them). A unit or item code is any code a case has
    had, so a unit or item since taken out of the catalog still finds its cases."""

    model_config = ConfigDict(extra="forbid")

    status: list[CaseStatus] = Field(default_factory=list, description="Any of these statuses (repeatable).")
    handling_unit: str | None = Field(default=None, pattern=CODE_PATTERN)
    first_contact_unit: str | None = Field(default=None, pattern=CODE_PATTERN)
    unit: str | None = Field(
        default=None,
        pattern=CODE_PATTERN,
        description="Cases the unit is or was on: first contact, handling, transferred from, joint task, calling.",
    )
    township: str | None = Field(default=None, pattern=CODE_PATTERN)
    item: str | None = Field(default=None, pattern=ITEM_CODE_PATTERN, description="The catalog item.")
    place: str | None = Field(
        default=None,
        pattern=GRID_CODE_PATTERN,
        description="A place code of the district's boundaries, from the district down "
        "(`sample-district.hekou-town.lijiawan.g01`): the cases whose routing placed them there or in any place "
        "under it (`sample-district.hekou-town`: every grid of the township). A township's unit code alone is not a "
        "place code: use `township` for that.",
    )
    channel: Channel | None = None
    overdue: bool | None = None
    escalation_level: int | None = Field(default=None, ge=0, le=TOP_ESCALATION)
    escalation_level_min: int | None = Field(default=None, ge=0, le=TOP_ESCALATION)
    extension_pending: bool | None = Field(
        default=None,
        description="true: the handling unit asked for more time and the coordination centre has not decided yet.",
    )
    received_from: AwareDatetime | None = Field(default=None, description="Received at or after (RFC 3339).")
    received_to: AwareDatetime | None = Field(default=None, description="Received before (RFC 3339).")
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description="Words in the title, description or address: every one must be there (Chinese: every pair of "
        "adjacent characters, so `停水` finds 小区停水 and not 水停).",
    )

    @field_validator("status")
    @classmethod
    def _one_order(cls, statuses: list[CaseStatus]) -> list[CaseStatus]:
        # One spelling of a set: `status=a&status=b` and `status=b&status=a` are the same filter, and so their cursors.
        return sorted(set(statuses))

    @field_validator("q")
    @classmethod
    def _searchable(cls, q: str | None) -> str | None:
        if q is None:
            return None
        tokens = query_tokens(q)
        if not tokens:
            raise ValueError("no Chinese characters, letters or digits to search for")
        if len(tokens) > MAX_QUERY_TOKENS:
            raise ValueError(f"more than {MAX_QUERY_TOKENS} words or character pairs: search for fewer")
        return q

    @model_validator(mode="after")
    def _a_window(self) -> Self:
        if self.received_from and self.received_to and self.received_to <= self.received_from:
            raise ValueError("received_to must be later than received_from")
        return self


class CaseSearch(CaseFilters):
    """`GET /v1/cases`: the filters, the order, and where the page starts."""

    sort: CaseOrder = CaseOrder.NEWEST
    limit: int = Field(default=DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_CHARS, description="`next_cursor` of a page.")

    def fingerprint(self) -> str:
        """The filters and order a cursor belongs to (not the page size: a client may change it between pages)."""
        return fingerprint(self.model_dump(mode="json", exclude={"limit", "cursor"}))


class Position(BaseModel):
    """Where a page stopped: the sort key of its last row."""

    received_at: AwareDatetime | None
    case_id: str = Field(max_length=36)


POSITION = TypeAdapter(Position)


def visible_to(caller: Principal) -> ColumnElement[bool]:
    """The cases a caller may find: a unit those it is or was on, a platform its own tickets, the coordination
    centre and leaders every case; admins and operators none (403)."""
    require_kind(
        caller,
        ClientKind.UNIT,
        ClientKind.PLATFORM,
        ClientKind.COORDINATION,
        ClientKind.LEADER,
        action="search cases",
    )
    if caller.kind is ClientKind.UNIT:
        return _record.units.contains([caller.subject])
    if caller.kind is ClientKind.PLATFORM:
        # A unit's call on a platform's channel is the calling unit's, as for reading one case.
        own = and_(_record.channel == caller.subject, _record.calling_unit.is_(None))
        # On a channel clients share (open311), a client's own tickets only.
        prefix = client_prefix(caller.subject, caller.client_id)
        return own if prefix is None else and_(own, _record.external_id.startswith(prefix, autoescape=True))
    return true()


def words_first(caller: Principal, filters: CaseFilters) -> bool:
    """Whether a word search reads `case_search` newest first (and filters the cases it finds), or the cases in
    scope newest first (and looks up their words). At 1 M records (docs/performance.md) the words' order serves the
    centre (a word p95 328 → 67 ms) but not a unit: its cases are a few thousand found through the units' GIN index,
    which the words' order would look up one by one among hundreds of thousands (p95 207 → 832 ms)."""
    return caller.kind is not ClientKind.UNIT and filters.unit is None


def matching(filters: CaseFilters, keyring: PayloadKeyring, *, words: bool = True) -> list[ColumnElement[bool]]:
    """The conditions the filters set, ANDed by the caller; `words=False`: but `q` (the caller joins the words)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.status:
        conditions.append(_record.status.in_([status.value for status in filters.status]))
    equal: dict[str, Any] = {
        "handling_unit": filters.handling_unit,
        "first_contact_unit": filters.first_contact_unit,
        "township": filters.township,
        "catalog_item": filters.item,
        "channel": filters.channel.value if filters.channel else None,
        "overdue": filters.overdue,
        "escalation_level": filters.escalation_level,
    }
    conditions += [_record[name] == value for name, value in equal.items() if value is not None]
    if filters.unit is not None:
        conditions.append(_record.units.contains([filters.unit]))
    if filters.place is not None:
        conditions.append(in_place(filters.place))
    if filters.escalation_level_min is not None:
        conditions.append(_record.escalation_level >= filters.escalation_level_min)
    if filters.extension_pending is not None:
        # Spelled as the partial index `case_records_extension_pending` is, so that PostgreSQL reads it.
        pending = literal_column(f"({EXTENSION_PENDING})", Boolean)
        conditions.append(pending if filters.extension_pending else pending.is_not(True))
    if filters.received_from is not None:
        conditions.append(_record.received_at >= filters.received_from)
    if filters.received_to is not None:
        conditions.append(_record.received_at < filters.received_to)
    if filters.q is not None and words:
        conditions.append(text_matches(filters.q, keyring))
    return conditions


def words_held(q: str, keyring: PayloadKeyring) -> ColumnElement[bool]:
    """`case_search` rows holding every token of `q`: hashed under each payload key, as each record was under its own
    (a table of its own, so that the events rewriting a case's row leave its GIN index alone)."""
    tokens = query_tokens(q)
    return or_(
        *(
            and_(
                case_search.c.key_id == key_id,
                case_search.c.tokens.contains(hashed(tokens, search_key(keyring, key_id))),
            )
            for key_id in keyring.keys
        )
    )


def text_matches(q: str, keyring: PayloadKeyring) -> ColumnElement[bool]:
    """Records whose text holds every token of `q` (for reads in another order than the received time's)."""
    return _record.case_id.in_(select(case_search.c.case_id).where(words_held(q, keyring)))


SortKey = tuple[ColumnElement[Any], ColumnElement[Any]]
RECORD_KEY: SortKey = (_record.received_at, _record.case_id)
# A word search pages by the same values read from `case_search` (copied from the case's row), whose index on them
# it can walk newest first while it filters on the words (revision 0006).
WORDS_KEY: SortKey = (case_search.c.received_at, case_search.c.case_id)


def ordered(query: Select[Any], order: CaseOrder, key: SortKey = RECORD_KEY) -> Select[Any]:
    """Newest first: a case with no received time (none has one missing today) counts as the newest, as the
    `(received_at, case_id)` index read backwards gives it; oldest first, the reverse."""
    received, case_id = key
    if order is CaseOrder.NEWEST:
        return query.order_by(received.desc().nulls_first(), case_id.desc())
    return query.order_by(received.asc().nulls_last(), case_id.asc())


def remaining(order: CaseOrder, after: Position | None, key: SortKey = RECORD_KEY) -> list[ColumnElement[bool]]:
    """The rows after `after` in `order`, as conditions read one after the other: one row comparison over the
    index wherever it can be, and the rows without a received time on their own."""
    received, case_id = key
    if after is None:
        return [true()]
    if order is CaseOrder.NEWEST:
        if after.received_at is None:
            return [or_(and_(received.is_(None), case_id < after.case_id), received.is_not(None))]
        return [tuple_(received, case_id) < tuple_(after.received_at, after.case_id)]
    if after.received_at is None:
        return [and_(received.is_(None), case_id > after.case_id)]
    return [tuple_(received, case_id) > tuple_(after.received_at, after.case_id), received.is_(None)]


async def find_cases(
    connection: AsyncConnection,
    search: CaseSearch,
    *,
    scope: ColumnElement[bool],
    keyring: PayloadKeyring,
    by_words: bool = True,
) -> CasePage:
    """One page of the cases the caller may find that match the search, and the cursor of the next; `by_words`: a
    word search in the words' order (`words_first`)."""
    marker = search.fingerprint()
    after = decode_cursor(search.cursor, CURSOR_KIND, marker, POSITION) if search.cursor else None
    joined = search.q is not None and by_words
    conditions = [scope, *matching(search, keyring, words=not joined)]
    source: Any = case_records
    key = RECORD_KEY
    if joined and search.q is not None:
        source = case_records.join(case_search, case_search.c.case_id == _record.case_id)
        conditions.append(words_held(search.q, keyring))
        key = WORDS_KEY
    rows: list[Any] = []
    for part in remaining(search.sort, after, key):
        wanted = search.limit + 1 - len(rows)  # one more than the page: whether there is a next page
        query = ordered(select(*SUMMARY_COLUMNS).select_from(source).where(*conditions, part), search.sort, key)
        query = query.limit(wanted)
        rows += (await connection.execute(query)).all()
        if len(rows) > search.limit:
            break
    page = rows[: search.limit]
    next_cursor = None
    if len(rows) > search.limit:
        last = page[-1]
        position = Position(received_at=last.received_at, case_id=last.case_id)
        next_cursor = encode_cursor(CURSOR_KIND, marker, position, POSITION)
    return CasePage(items=[summary(row) for row in page], next_cursor=next_cursor)
