"""Custom Temporal search attributes: what operators filter cases by in the Web UI. No personal data."""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeKey

CASE_ID = SearchAttributeKey.for_keyword("CaseId")
CASE_STATUS = SearchAttributeKey.for_keyword("CaseStatus")
CHANNEL = SearchAttributeKey.for_keyword("Channel")
FIRST_CONTACT_UNIT = SearchAttributeKey.for_keyword("FirstContactUnit")
HANDLING_UNIT = SearchAttributeKey.for_keyword("HandlingUnit")
TOWNSHIP = SearchAttributeKey.for_keyword("Township")
CATALOG_ITEM = SearchAttributeKey.for_keyword("CatalogItem")
ESCALATION_LEVEL = SearchAttributeKey.for_int("EscalationLevel")
RESOLUTION_DEADLINE = SearchAttributeKey.for_datetime("ResolutionDeadline")
OVERDUE = SearchAttributeKey.for_bool("Overdue")
PROVISIONAL_DEADLINE = SearchAttributeKey.for_bool("ProvisionalDeadline")

ALL_KEYS: list[SearchAttributeKey[Any]] = [
    CASE_ID,
    CASE_STATUS,
    CHANNEL,
    FIRST_CONTACT_UNIT,
    HANDLING_UNIT,
    TOWNSHIP,
    CATALOG_ITEM,
    ESCALATION_LEVEL,
    RESOLUTION_DEADLINE,
    OVERDUE,
    PROVISIONAL_DEADLINE,
]

_CLI_TYPES = {"KEYWORD": "Keyword", "INT": "Int", "DATETIME": "Datetime", "BOOL": "Bool"}


def cli_flags() -> list[str]:
    """`--search-attribute Name=Type` flags for `temporal server start-dev`."""
    flags: list[str] = []
    for key in ALL_KEYS:
        flags += ["--search-attribute", f"{key.name}={_CLI_TYPES[key.indexed_value_type.name]}"]
    return flags
