"""Free-text classification of a ticket's Chinese title and description against the responsibility catalog."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.contracts.catalog import ResponsibilityCatalog
from services.router.classifier_data import ClassifierData, load_classifier_data
from services.router.item_ranking import Bm25Index, PhraseMatcher
from services.router.text_segmenter import ChineseSegmenter

# Below this confidence a ticket goes to the coordination centre for triage instead of being routed.
# Chosen on dev tickets the synonym data had not yet been tuned on (dev-170 onward, each batch scored before
# its errors were looked at): there, 0.95 kept about 98% right among the non-triaged. Tuned data only does better.
DEFAULT_CONFIDENCE_THRESHOLD = 0.95

# Ranking parameters, tuned on the dev half of bench/data/labelled_tickets.jsonl only.
TITLE_WEIGHT = 1.5
DESCRIPTION_WEIGHT = 1.0
PHRASE_SCORE_WEIGHT = 1.0
BM25_SCORE_WEIGHT = 0.25
# Softmax temperature turning scores into confidences: the lowest log-loss on those same not-yet-tuned dev tickets.
TEMPERATURE = 1.05
# The matter is stated early; past this, segmentation time grows with no gain in accuracy.
MAX_DESCRIPTION_CHARS = 1000
# How often the item's name is repeated in its BM25 document: the name is the strongest description.
NAME_REPEATS = 2

_CLAUSE_SEPARATORS = re.compile(r"[、，,。；;：:（）()\s]+")


class Classification(BaseModel):
    """The best catalog item for a ticket's text, how sure we are, and the next best."""

    model_config = ConfigDict(frozen=True)

    item: str | None = Field(description="Catalog item code; None when the text matches no item at all.")
    confidence: float = Field(ge=0.0, le=1.0)
    runner_up: str | None = None
    runner_up_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    confident: bool = Field(default=False, description="confidence >= the classifier's threshold")
    method: Literal["text"] = "text"


class TicketClassifier:
    """Ranks catalog items for a ticket by phrase matches and BM25 over jieba-segmented words."""

    def __init__(
        self,
        catalog: ResponsibilityCatalog,
        data: ClassifierData | None = None,
        *,
        confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
    ) -> None:
        data = data or load_classifier_data()
        data.check_against(catalog)
        self.catalog_version = catalog.version
        self.confidence_threshold = confidence_threshold
        self._codes = tuple(catalog.items)
        self._order = {code: index for index, code in enumerate(self._codes)}
        self._segmenter = ChineseSegmenter(user_dict=data.user_dict, stopwords=data.stopwords)
        phrases: dict[str, list[str]] = {}
        documents: dict[str, list[str]] = {}
        for code, item in catalog.items.items():
            synonyms = data.synonyms.get(code, ())
            clauses = [c for c in _CLAUSE_SEPARATORS.split(item.description_zh) if 2 <= len(c) <= 8]
            phrases[code] = [item.item_zh, *clauses, *synonyms]
            text = " ".join([*([item.item_zh] * NAME_REPEATS), item.description_zh, *synonyms])
            documents[code] = self._segmenter.terms(text)
        self._phrases = PhraseMatcher(phrases)
        self._bm25 = Bm25Index(documents)

    def scores(self, title: str, description: str) -> dict[str, float]:
        """Raw ranking score per catalog item (0 for items the text does not mention)."""
        description = description[:MAX_DESCRIPTION_CHARS]
        total: dict[str, float] = defaultdict(float)
        for field_text, weight in ((title, TITLE_WEIGHT), (description, DESCRIPTION_WEIGHT)):
            for code, score in self._phrases.score(field_text, weight=weight).items():
                total[code] += PHRASE_SCORE_WEIGHT * score
        query: dict[str, float] = defaultdict(float)
        for field_text, weight in ((title, TITLE_WEIGHT), (description, DESCRIPTION_WEIGHT)):
            for term in self._segmenter.terms(field_text):
                query[term] += weight
        for code, score in self._bm25.score(query).items():
            total[code] += BM25_SCORE_WEIGHT * score
        return {code: total.get(code, 0.0) for code in self._codes}

    def classify(self, title: str, description: str) -> Classification:
        """The best item, its confidence in [0, 1], and the runner-up; deterministic for the same text."""
        scores = self.scores(title, description)
        # Ties go to the earlier catalog item, so the answer never depends on dict or hash order.
        ranked = sorted(self._codes, key=lambda code: (-scores[code], self._order[code]))
        best, second = ranked[0], ranked[1]
        if scores[best] <= 0.0:
            return Classification(item=None, confidence=0.0)
        probabilities = _softmax([scores[code] for code in ranked], TEMPERATURE)
        confidence = probabilities[0]
        return Classification(
            item=best,
            confidence=confidence,
            runner_up=second if scores[second] > 0.0 else None,
            runner_up_confidence=probabilities[1] if scores[second] > 0.0 else 0.0,
            confident=confidence >= self.confidence_threshold,
        )


def _softmax(values: list[float], temperature: float) -> list[float]:
    """Probabilities from scores; `values[0]` is the largest."""
    top = values[0]
    exps = [math.exp((value - top) / temperature) for value in values]
    total = sum(exps)
    return [min(1.0, e / total) for e in exps]
