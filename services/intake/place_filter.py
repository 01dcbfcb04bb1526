"""A place and every place under it, as a condition on the records' `place` column (revision 0010).

Place codes are dotted, from the district down (`sample-district.hekou-town.lijiawan.g01`, docs/places.md): the
places under `x.y` are the codes starting `x.y.`. Asked as a range of codes rather than `LIKE 'x.y.%'`, so that the
column's btree index (byte order, "C") serves it with the code as a bound parameter too: PostgreSQL turns a LIKE
into an index range only for a pattern it sees when planning, and a prepared statement's generic plan does not.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_

from services.engines.records_db.tables import case_records

# '/' is the byte after '.': the codes from `x.y.` up to (not including) `x.y/` are exactly those starting `x.y.`.
_AFTER_DOT = "/"


def in_place(code: str) -> ColumnElement[bool]:
    """Records placed at `code` or anywhere under it (a township's code: its communities and grids too)."""
    place = case_records.c.place
    return or_(place == code, and_(place >= f"{code}.", place < f"{code}{_AFTER_DOT}"))
