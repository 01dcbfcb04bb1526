"""The responsibility catalog (清单): units and catalog items, read from a city's CSV tables."""

from __future__ import annotations

import csv
import hashlib
import json
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.contracts.tickets import CODE_PATTERN, ITEM_CODE_PATTERN


class UnitKind(StrEnum):
    DEPARTMENT = "department"
    TOWNSHIP = "township"
    COORDINATION = "coordination"


class TownshipRole(StrEnum):
    NONE = "none"
    SUPPORT = "support"
    PRIMARY = "primary"


class Complexity(StrEnum):
    NORMAL = "normal"
    COMPLEX = "complex"


class Unit(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=CODE_PATTERN)
    kind: UnitKind
    name_zh: str = Field(min_length=1)
    name_en: str = ""
    duty_phone: str = ""


class CatalogItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    item_code: str = Field(pattern=ITEM_CODE_PATTERN)
    domain: str
    domain_zh: str
    item_zh: str = Field(min_length=1)
    primary_unit: str | None
    supporting_units: tuple[str, ...] = ()
    township_role: TownshipRole
    complexity: Complexity
    urgent_allowed: bool
    description_zh: str = ""
    # Optional column: a major matter (重大事项) may climb by itself to top-level coordination when its deadlines
    # are missed; any other stops where the policy's automatic ladder ends. Blank or absent: no.
    major: bool = False

    @field_validator("primary_unit", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return value or None

    @field_validator("supporting_units", mode="before")
    @classmethod
    def _split_units(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(code.strip() for code in value.split(";") if code.strip())
        return value

    @field_validator("urgent_allowed", mode="before")
    @classmethod
    def _yes_no(cls, value: object) -> object:
        if isinstance(value, str):
            if value not in ("yes", "no"):
                raise ValueError("must be 'yes' or 'no'")
            return value == "yes"
        return value

    @field_validator("major", mode="before")
    @classmethod
    def _optional_yes_no(cls, value: object) -> object:
        if value is None or value == "":
            return False
        return cls._yes_no(value)


class CatalogError(ValueError):
    """A catalog table that cannot be used; the message names the file, row and column."""


class ResponsibilityCatalog(BaseModel):
    """One immutable version of a city's catalog."""

    model_config = ConfigDict(frozen=True)

    version: str = Field(description="The stored version number ('3'), or 'draft' before it is stored.")
    digest: str = Field(default="", description="sha256 of the content: the same tables give the same digest.")
    units: dict[str, Unit]
    items: dict[str, CatalogItem]

    def unit(self, code: str) -> Unit | None:
        return self.units.get(code)

    def item(self, code: str) -> CatalogItem | None:
        return self.items.get(code)

    def townships(self) -> list[Unit]:
        return [u for u in self.units.values() if u.kind is UnitKind.TOWNSHIP]


M = TypeVar("M", bound=BaseModel)
DRAFT = "draft"


def default_catalog_dir() -> Path:
    """The sample district's catalog shipped with the project."""
    return Path(str(resources.files("services.contracts") / "data" / "catalog"))


def load_catalog(directory: Path | None = None) -> ResponsibilityCatalog:
    """Read `units.csv` and `items.csv` from a directory and check them against each other."""
    directory = directory or default_catalog_dir()
    return parse_catalog(_read(directory / "units.csv"), _read(directory / "items.csv"))


def parse_catalog(units_text: str, items_text: str) -> ResponsibilityCatalog:
    """The catalog of the two tables' text (`units.csv`, `items.csv`), checked against each other; CatalogError
    names the file, row and column of the first thing wrong."""
    units_text, items_text = units_text.removeprefix("\ufeff"), items_text.removeprefix("\ufeff")
    unit_rows = _parse_rows(Unit, "units.csv", units_text, key="code")
    item_rows = _parse_rows(CatalogItem, "items.csv", items_text, key="item_code")
    for filename, rows in (("units.csv", unit_rows), ("items.csv", item_rows)):
        if not rows:
            raise CatalogError(f"{filename}: no rows below the header")
    units = {unit.code: unit for _line, unit in unit_rows}
    _check_references(units, item_rows)
    items = {item.item_code: item for _line, item in item_rows}
    return ResponsibilityCatalog(version=DRAFT, digest=catalog_digest(units, items), units=units, items=items)


def catalog_digest(units: dict[str, Unit], items: dict[str, CatalogItem]) -> str:
    """A digest of the catalog's content (not of its file layout): unchanged content, unchanged digest."""
    content = json.dumps(
        {
            "units": [units[code].model_dump(mode="json") for code in sorted(units)],
            # `major` only where set: catalogs stored before the column keep their digest.
            "items": [
                items[code].model_dump(mode="json", exclude=None if items[code].major else {"major"})
                for code in sorted(items)
            ],
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    return "sha256-" + hashlib.sha256(content.encode()).hexdigest()[:16]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CatalogError(f"{path}: file not found") from exc


def _parse_rows(model: type[M], filename: str, text: str, *, key: str) -> list[tuple[int, M]]:
    """Each row with its line number in the file (as a spreadsheet shows it: the header is line 1)."""
    rows: list[tuple[int, M]] = []
    seen: set[str] = set()
    reader = csv.DictReader(text.splitlines())
    for row in reader:
        line = reader.line_num
        if None in row:
            raise CatalogError(f"{filename} row {line}: more values than columns (an unquoted comma?)")
        try:
            parsed = model.model_validate(row)
        except ValidationError as exc:
            error = exc.errors()[0]
            column = ".".join(str(part) for part in error["loc"])
            raise CatalogError(f"{filename} row {line} column {column}: {error['msg']}") from exc
        code = str(getattr(parsed, key))
        if code in seen:
            raise CatalogError(f"{filename} row {line} column {key}: duplicate code {code!r}")
        seen.add(code)
        rows.append((line, parsed))
    return rows


def _check_references(units: dict[str, Unit], item_rows: list[tuple[int, CatalogItem]]) -> None:
    for line, item in item_rows:
        where = f"items.csv row {line}"
        if item.primary_unit is None and item.township_role is not TownshipRole.PRIMARY:
            raise CatalogError(f"{where} column primary_unit: no primary unit and township_role is not 'primary'")
        for column, codes in (("primary_unit", [item.primary_unit]), ("supporting_units", item.supporting_units)):
            for code in codes:
                if code is not None and code not in units:
                    raise CatalogError(f"{where} column {column}: unknown unit code {code!r}")
