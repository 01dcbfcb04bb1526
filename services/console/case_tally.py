"""Counting the cases in classes of cases without counting one twice: a case may be in several classes (its grid's
and its township's, its address's and its item's), and a leader's map counts it once where it lies."""

from __future__ import annotations

from typing import Any


class CaseTally:
    """The distinct cases of the classes (or parts of classes) added: by their ids when a part lists all of them (a
    leader's or the centre's view), by `case_count` when it lists only some (a unit's), which may count a case twice."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._uncounted = 0

    def add(self, part: dict[str, Any]) -> None:
        count = int(part.get("case_count", 0))
        ids = part.get("case_ids")
        if isinstance(ids, list) and len(ids) == count:
            self._ids.update(str(case_id) for case_id in ids)
        else:
            self._uncounted += count

    @property
    def cases(self) -> int:
        return len(self._ids) + self._uncounted
