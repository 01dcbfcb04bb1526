"""The free-text classifier's data: synonym phrases per catalog item, jieba's user dictionary and stopwords."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from services.contracts.catalog import ResponsibilityCatalog

SYNONYMS_FILE = "synonyms.json"
USER_DICT_FILE = "user_dict.txt"
STOPWORDS_FILE = "stopwords.txt"
MIN_PHRASE_CHARS = 2


class ClassifierDataError(ValueError):
    """Classifier data that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class ClassifierData:
    """What the classifier indexes besides the catalog itself."""

    synonyms: dict[str, tuple[str, ...]]
    user_dict: Path | None = None
    stopwords: frozenset[str] = field(default_factory=frozenset)

    def check_against(self, catalog: ResponsibilityCatalog) -> None:
        """Refuse synonym entries for item codes the catalog does not have."""
        unknown = sorted(code for code in self.synonyms if catalog.item(code) is None)
        if unknown:
            raise ClassifierDataError(f"{SYNONYMS_FILE}: unknown catalog item codes {unknown}")


def default_data_dir() -> Path:
    """The classifier data shipped with the router."""
    return Path(str(resources.files("services.router") / "data"))


def load_classifier_data(directory: Path | None = None) -> ClassifierData:
    """Read `synonyms.json`, and `user_dict.txt` and `stopwords.txt` when present, from a directory."""
    directory = directory or default_data_dir()
    synonyms = _read_synonyms(directory / SYNONYMS_FILE)
    user_dict = directory / USER_DICT_FILE
    stopwords_path = directory / STOPWORDS_FILE
    stopwords = frozenset(_lines(stopwords_path)) if stopwords_path.is_file() else frozenset()
    return ClassifierData(
        synonyms=synonyms,
        user_dict=user_dict if user_dict.is_file() else None,
        stopwords=stopwords,
    )


def read_json_document(path: Path, error: type[Exception]) -> object:
    """A router data file's JSON; a missing or broken file raises `error` naming the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise error(f"{path}: file not found") from exc
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not JSON ({exc})") from exc


def _read_synonyms(path: Path) -> dict[str, tuple[str, ...]]:
    document = read_json_document(path, ClassifierDataError)
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, dict):
        raise ClassifierDataError(f"{path}: expected an object with an 'items' object")
    synonyms: dict[str, tuple[str, ...]] = {}
    for code, phrases in items.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise ClassifierDataError(f"{path} item {code}: expected a list of strings")
        cleaned = tuple(dict.fromkeys(p.strip() for p in phrases))
        short = [p for p in cleaned if len(p) < MIN_PHRASE_CHARS]
        if short:
            raise ClassifierDataError(f"{path} item {code}: phrases shorter than {MIN_PHRASE_CHARS} chars {short}")
        synonyms[code] = cleaned
    return synonyms


def _lines(path: Path) -> list[str]:
    """Non-empty lines without `#` comments."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]
