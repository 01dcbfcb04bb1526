"""The tables a record store writes: the records' own, or a rebuild's copies of them in a schema of its own."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import MetaData, Table

from services.engines.records_db.tables import case_events, case_records, case_search, unit_case_facts


@dataclass(frozen=True)
class RecordTables:
    records: Table = field(default=case_records)
    events: Table = field(default=case_events)
    search: Table = field(default=case_search)
    facts: Table = field(default=unit_case_facts)

    @classmethod
    def in_schema(cls, schema: str) -> RecordTables:
        """The same tables in `schema` (which must hold tables of their shape)."""
        metadata = MetaData()
        return cls(
            *(
                table.to_metadata(metadata, schema=schema)
                for table in (case_records, case_events, case_search, unit_case_facts)
            )
        )

    @property
    def live(self) -> bool:
        """These are the records' own tables (not a rebuild's)."""
        return self.records is case_records

    def all(self) -> tuple[Table, Table, Table, Table]:
        """Every table, in the order a case's rows are removed (its record last)."""
        return self.facts, self.events, self.search, self.records
