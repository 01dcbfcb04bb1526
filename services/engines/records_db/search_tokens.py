"""Search over sealed text: the words of a ticket as keyed hashes (a blind index), matched by containment.

PostgreSQL cannot search what it only holds encrypted, and Chinese has no spaces for its full-text parser; Chinese
text-search extensions (zhparser, pg_jieba) are in neither the embedded server nor most managed clusters. So the
records keep, per case, keyed hashes of the text's tokens: each CJK character and each pair of adjacent CJK
characters (the CJK bigram indexing of Lucene's CJKAnalyzer), and each run of letters or digits, lower-cased.
A query matches the cases whose tokens contain all of the query's (`search_tokens @> query`, a GIN index): a query
of two or more CJK characters matches text holding every bigram of it. The hash key is derived from a payload key
(HKDF), so the index reveals neither words nor their frequency to whoever lacks the keys.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.contracts.payload_keys import PayloadKeyring

# CJK Unified Ideographs (and Extension A), and runs of Latin letters or digits.
_TEXT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[0-9a-z]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
MAX_QUERY_TOKENS = 64


def search_key(keyring: PayloadKeyring, key_id: str) -> bytes:
    """The hashing key of one payload key: derived, so the payload key itself never hashes text."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline-records-search-v1").derive(
        keyring.keys[key_id]
    )


def text_tokens(text: str) -> set[str]:
    """A text's tokens: CJK characters and bigrams, Latin and digit words."""
    tokens: set[str] = set()
    for run in _TEXT.findall(unicodedata.normalize("NFKC", text).lower()):
        if _CJK.match(run):
            tokens.update(run)
            tokens.update(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.add(run)
    return tokens


def query_tokens(query: str) -> set[str]:
    """The tokens a query needs: a CJK run's bigrams (its character when alone), and its words."""
    tokens: set[str] = set()
    for run in _TEXT.findall(unicodedata.normalize("NFKC", query).lower()):
        if _CJK.match(run) and len(run) > 1:
            tokens.update(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.add(run)
    return tokens


def hashed(tokens: Iterable[str], key: bytes) -> list[int]:
    """Each token as a signed 64-bit keyed hash (PostgreSQL's bigint), sorted."""
    return sorted(
        {
            int.from_bytes(hmac.new(key, token.encode(), hashlib.sha256).digest()[:8], "big", signed=True)
            for token in tokens
        }
    )
