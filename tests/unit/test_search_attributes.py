"""The search attributes `temporal server start-dev` must be told about, as CLI flags."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

from services.contracts import search_attributes as sa


def flag_values() -> list[str]:
    flags = sa.cli_flags()
    assert flags[0::2] == ["--search-attribute"] * len(sa.ALL_KEYS)
    return flags[1::2]


def test_every_key_is_declared_once_with_its_cli_type() -> None:
    assert flag_values() == [
        "CaseId=Keyword",
        "CaseStatus=Keyword",
        "Channel=Keyword",
        "FirstContactUnit=Keyword",
        "HandlingUnit=Keyword",
        "Township=Keyword",
        "CatalogItem=Keyword",
        "EscalationLevel=Int",
        "ResolutionDeadline=Datetime",
        "Overdue=Bool",
        "ProvisionalDeadline=Bool",
    ]


def test_flags_cover_every_key_in_all_keys() -> None:
    declared = {value.split("=")[0] for value in flag_values()}

    assert declared == {key.name for key in sa.ALL_KEYS}
    assert len(sa.ALL_KEYS) == len({key.name for key in sa.ALL_KEYS})


def test_every_key_a_module_defines_is_in_all_keys() -> None:
    defined = {value.name for value in vars(sa).values() if isinstance(value, SearchAttributeKey)}

    assert defined == {key.name for key in sa.ALL_KEYS}
