"""Chinese word segmentation for ticket and catalog text (jieba, its own tokenizer instance, loaded once)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

import jieba  # type: ignore[import-untyped]

# Runs of CJK ideographs or of ASCII letters/digits; everything else (punctuation, spaces) separates words.
_WORD_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")
_DIGITS = re.compile(r"[0-9]+")


class ChineseSegmenter:
    """Splits text into index terms: jieba words (search mode, so long words also yield their parts)."""

    def __init__(self, *, user_dict: Path | None = None, stopwords: Iterable[str] = ()) -> None:
        # jieba logs "Building prefix dict ..." at DEBUG/INFO to stderr on first use; keep start-up quiet.
        logging.getLogger("jieba").setLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        if user_dict is not None:
            self._tokenizer.load_userdict(str(user_dict))
        self._stopwords = frozenset(stopwords)

    def terms(self, text: str) -> list[str]:
        """Index terms of `text` in order: words of two or more characters that are not stopwords."""
        terms: list[str] = []
        for run in _WORD_RUN.findall(text):
            if run.isascii():
                if not _DIGITS.fullmatch(run):
                    terms.append(run.lower())
                continue
            # HMM off: unknown character sequences stay as single characters instead of invented words,
            # so the same text always gives the same terms whatever the dictionary's neighbours.
            for word in self._tokenizer.cut_for_search(run, HMM=False):
                if len(word) >= 2 and word not in self._stopwords:
                    terms.append(word)
        return terms
