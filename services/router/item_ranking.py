"""Scoring ticket text against catalog items: verbatim phrase matches and BM25 over segmented words."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

PREFIX_CHARS = 2


def phrase_weight(phrase: str) -> float:
    """How much one matched phrase counts: longer phrases are more specific (2 chars 1.0, 3 chars 1.5, 4+ 2.0)."""
    return min(len(phrase), 4) / 2


class PhraseMatcher:
    """Finds the listed phrases verbatim in text; a phrase listed under k items gives each of them 1/k."""

    def __init__(self, phrases: Mapping[str, Iterable[str]]) -> None:
        owners: dict[str, list[str]] = defaultdict(list)
        for code, item_phrases in phrases.items():
            for phrase in item_phrases:
                if len(phrase) >= PREFIX_CHARS and code not in owners[phrase]:
                    owners[phrase].append(code)
        self._owners = {phrase: tuple(codes) for phrase, codes in owners.items()}
        by_prefix: dict[str, list[str]] = defaultdict(list)
        for phrase in self._owners:
            by_prefix[phrase[:PREFIX_CHARS]].append(phrase)
        # Longest first, then by text, so matching is deterministic.
        self._by_prefix = {prefix: sorted(group, key=lambda p: (-len(p), p)) for prefix, group in by_prefix.items()}

    def matches(self, text: str) -> list[str]:
        """Distinct phrases found in `text`, leaving out any occurrence that lies inside a longer match."""
        spans: list[tuple[int, int, str]] = []
        for start in range(len(text) - PREFIX_CHARS + 1):
            for phrase in self._by_prefix.get(text[start : start + PREFIX_CHARS], ()):
                if text.startswith(phrase, start):
                    spans.append((start, start + len(phrase), phrase))
        # Sorted by start then longest first: a span ending no later than an earlier one lies inside it.
        spans.sort(key=lambda span: (span[0], span[0] - span[1]))
        found: dict[str, None] = {}
        furthest_end = -1
        for _start, end, phrase in spans:
            if end <= furthest_end:
                continue
            furthest_end = end
            found.setdefault(phrase)
        return list(found)

    def score(self, text: str, *, weight: float = 1.0) -> dict[str, float]:
        """Per item code: the summed weight of its phrases found in `text`, times `weight`."""
        scores: dict[str, float] = defaultdict(float)
        for phrase in self.matches(text):
            owners = self._owners[phrase]
            share = weight * phrase_weight(phrase) / len(owners)
            for code in owners:
                scores[code] += share
        return scores


class Bm25Index:
    """Okapi BM25 over one bag of terms per item; term weights are computed once, at construction."""

    def __init__(self, documents: Mapping[str, Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        counts = {code: Counter(terms) for code, terms in documents.items()}
        n_docs = len(counts)
        avg_len = sum(len(terms) for terms in documents.values()) / max(n_docs, 1) or 1.0
        doc_freq: Counter[str] = Counter()
        for counter in counts.values():
            doc_freq.update(counter.keys())
        postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for code, counter in counts.items():
            norm = k1 * (1 - b + b * len(documents[code]) / avg_len)
            for term, tf in counter.items():
                idf = math.log(1 + (n_docs - doc_freq[term] + 0.5) / (doc_freq[term] + 0.5))
                postings[term].append((code, idf * tf * (k1 + 1) / (tf + norm)))
        self._postings = {term: tuple(entries) for term, entries in postings.items()}

    def score(self, query: Mapping[str, float]) -> dict[str, float]:
        """Per item code: the BM25 score of a query given as term -> query weight."""
        scores: dict[str, float] = defaultdict(float)
        for term, query_weight in query.items():
            for code, term_weight in self._postings.get(term, ()):
                scores[code] += query_weight * term_weight
        return scores
