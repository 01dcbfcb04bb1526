"""The blind index of the records' text: which queries find which text (CJK bigrams, words), keyed per key."""

from __future__ import annotations

import os

import pytest

from services.contracts.payload_keys import PayloadKeyring
from services.engines.records_db.search_tokens import hashed, query_tokens, search_key, text_tokens

TEXT = "河口镇幸福家园小区停水两天，Water pipe 3号楼"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("停水", True),
        ("幸福家园", True),
        ("水", True),  # one character: its own token
        ("water", True),  # case-insensitive
        ("ＷＡＴＥＲ", True),  # full-width letters are NFKC-normalised
        ("3号楼", True),
        ("停电", False),
        ("家园停水", False),  # 园停 is not in the text (bigrams must all be there)
        ("gas", False),
    ],
)
def test_a_query_finds_text_holding_all_its_tokens(query: str, found: bool) -> None:
    assert (query_tokens(query) <= text_tokens(TEXT)) is found


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("停水", {"停", "水", "停水"}),
        ("A1 b2", {"a1", "b2"}),
        ("，。！", set()),
    ],
)
def test_text_tokens(text: str, tokens: set[str]) -> None:
    assert text_tokens(text) == tokens


def test_hashes_depend_on_the_key_and_reveal_no_token() -> None:
    keyring = PayloadKeyring("a", {"a": os.urandom(32), "b": os.urandom(32)})
    tokens = text_tokens("停水")
    under_a, under_b = hashed(tokens, search_key(keyring, "a")), hashed(tokens, search_key(keyring, "b"))
    assert len(under_a) == 3 and set(under_a).isdisjoint(under_b)
    assert under_a == hashed(tokens, search_key(keyring, "a"))  # stable: a query hashes to what was stored
    assert all(-(2**63) <= value < 2**63 for value in under_a)
