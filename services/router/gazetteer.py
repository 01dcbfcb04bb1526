"""Which township an address lies in, by a gazetteer of the district's townships and places (`data/gazetteer.json`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from services.contracts.catalog import ResponsibilityCatalog, UnitKind
from services.router.classifier_data import default_data_dir, read_json_document
from services.router.item_ranking import PhraseMatcher

GAZETTEER_FILE = "gazetteer.json"
MIN_NAME_CHARS = 2


class GazetteerError(ValueError):
    """A gazetteer that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class TownshipPlaces:
    """One township: what an address may call it, and the villages, communities and roads in it."""

    names: tuple[str, ...]
    places: tuple[str, ...]


@dataclass(frozen=True)
class PlaceMatch:
    """The township an address lies in, and the name in the address that says so."""

    township: str
    name: str


class Gazetteer:
    """Finds the one township an address names, directly or through one of its places."""

    def __init__(self, townships: dict[str, TownshipPlaces] | None = None) -> None:
        self.townships = dict(townships or {})
        owners: dict[str, set[str]] = defaultdict(set)
        township_names: set[str] = set()
        for code, entry in self.townships.items():
            for name in entry.names:
                owners[name].add(code)
                township_names.add(name)
            for place in entry.places:
                owners[place].add(code)
        self._owners = dict(owners)
        self._township_names = frozenset(township_names)
        self._matcher = PhraseMatcher({name: [name] for name in owners})

    def township_of(self, address: str | None) -> PlaceMatch | None:
        """The township `address` lies in; None when it names none, or places in more than one township."""
        if not address:
            return None
        named: dict[str, str] = {}
        placed: dict[str, str] = {}
        ambiguous_place = False
        for name in self._matcher.matches(address):
            codes = self._owners[name]
            if name in self._township_names:
                for code in codes:
                    named.setdefault(code, name)
            elif len(codes) > 1:
                ambiguous_place = True
            else:
                placed.setdefault(next(iter(codes)), name)
        if len(named) == 1:
            return PlaceMatch(*next(iter(named.items())))
        if named:
            # Two townships named ("从河口镇搬到青山镇松林村"): a place in exactly one of them decides.
            inside = {code: name for code, name in placed.items() if code in named}
            return PlaceMatch(*next(iter(inside.items()))) if len(inside) == 1 else None
        if len(placed) == 1 and not ambiguous_place:
            return PlaceMatch(*next(iter(placed.items())))
        return None

    def unknown_townships(self, catalog: ResponsibilityCatalog) -> list[str]:
        """Gazetteer township codes that are not townships of the catalog (their places are never used)."""
        return sorted(
            code
            for code in self.townships
            if (unit := catalog.unit(code)) is None or unit.kind is not UnitKind.TOWNSHIP
        )


def load_gazetteer(directory: Path | None = None) -> Gazetteer:
    """Read `gazetteer.json` (`{"townships": {"<code>": {"names": [...], "places": [...]}}}`) from a directory."""
    path = (directory or default_data_dir()) / GAZETTEER_FILE
    document = read_json_document(path, GazetteerError)
    townships = document.get("townships") if isinstance(document, dict) else None
    if not isinstance(townships, dict):
        raise GazetteerError(f"{path}: expected an object with a 'townships' object")
    parsed: dict[str, TownshipPlaces] = {}
    for code, entry in townships.items():
        names = _names(path, code, entry, "names")
        if not names:
            raise GazetteerError(f"{path} township {code}: 'names' must list at least one name")
        parsed[code] = TownshipPlaces(names=names, places=_names(path, code, entry, "places"))
    return Gazetteer(parsed)


def _names(path: Path, code: str, entry: object, key: str) -> tuple[str, ...]:
    values = entry.get(key, []) if isinstance(entry, dict) else None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise GazetteerError(f"{path} township {code}: '{key}' must be a list of strings")
    cleaned = tuple(dict.fromkeys(v.strip() for v in values))
    short = [v for v in cleaned if len(v) < MIN_NAME_CHARS]
    if short:
        raise GazetteerError(f"{path} township {code} {key}: names shorter than {MIN_NAME_CHARS} chars {short}")
    return cleaned
