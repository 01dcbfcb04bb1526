"""`load_catalog`: the shipped catalog, and broken tables reported by file, row and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from services.contracts.catalog import (
    CatalogError,
    Complexity,
    TownshipRole,
    UnitKind,
    default_catalog_dir,
    load_catalog,
    parse_catalog,
)

UNITS_HEADER = "code,kind,name_zh,name_en,duty_phone"
ITEMS_HEADER = ",".join(
    [
        "item_code",
        "domain",
        "domain_zh",
        "item_zh",
        "primary_unit",
        "supporting_units",
        "township_role",
        "complexity",
        "urgent_allowed",
        "description_zh",
    ]
)
UNITS = [
    "water,department,水务局,Water Affairs Bureau,0000-1111",
    "health,department,卫生健康局,Health Bureau,0000-1107",
    "hekou-town,township,河口镇,Hekou Town,0000-2203",
]
ITEMS = [
    "LS-06,livelihood,民生保障,供水问题,water,,none,normal,yes,停水、水压不足。",
    "HE-01,health,卫生健康,医疗服务投诉,health,water,support,complex,no,",
]


def write_catalog(directory: Path, *, units: list[str] = UNITS, items: list[str] = ITEMS) -> Path:
    """Write `units.csv` and `items.csv` (header plus rows) into a directory and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "units.csv").write_text("\n".join([UNITS_HEADER, *units]) + "\n", encoding="utf-8")
    (directory / "items.csv").write_text("\n".join([ITEMS_HEADER, *items]) + "\n", encoding="utf-8")
    return directory


def test_shipped_catalog_loads_with_all_units_and_items() -> None:
    catalog = load_catalog()

    assert len(catalog.units) == 26
    assert len(catalog.items) == 51
    assert len(catalog.townships()) == 6
    assert catalog.units["coordination-centre"].kind is UnitKind.COORDINATION
    ee04 = catalog.items["EE-04"]
    assert ee04.primary_unit is None
    assert ee04.township_role is TownshipRole.PRIMARY
    assert ee04.supporting_units == ("ecology-environment", "agriculture")
    assert catalog.items["NR-01"].complexity is Complexity.COMPLEX
    assert catalog.items["NR-02"].urgent_allowed is True


def test_small_catalog_loads_from_a_directory(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path))

    assert sorted(catalog.units) == ["health", "hekou-town", "water"]
    assert catalog.items["LS-06"].primary_unit == "water"
    assert catalog.items["LS-06"].supporting_units == ()
    assert catalog.items["HE-01"].urgent_allowed is False


def test_township_primary_item_may_leave_primary_unit_empty(tmp_path: Path) -> None:
    items = [*ITEMS, "EE-04,ecology,生态环境,露天焚烧,,water,primary,normal,yes,"]

    catalog = load_catalog(write_catalog(tmp_path, items=items))

    assert catalog.items["EE-04"].primary_unit is None


def test_byte_order_mark_from_a_spreadsheet_export_is_ignored(tmp_path: Path) -> None:
    directory = write_catalog(tmp_path)
    units = directory / "units.csv"
    units.write_bytes(b"\xef\xbb\xbf" + units.read_bytes())

    assert "water" in load_catalog(directory).units


@pytest.mark.parametrize(
    ("items", "message"),
    [
        pytest.param(
            [ITEMS[0], "HE-01,health,卫生健康,医疗服务投诉,hospital,,none,normal,no,"],
            "items.csv row 3 column primary_unit: unknown unit code 'hospital'",
            id="unknown-primary-unit",
        ),
        pytest.param(
            ["LS-06,livelihood,民生保障,供水问题,water,health;nowhere,none,normal,yes,", ITEMS[1]],
            "items.csv row 2 column supporting_units: unknown unit code 'nowhere'",
            id="unknown-supporting-unit",
        ),
        pytest.param(
            [*ITEMS, "LS-06,livelihood,民生保障,又一个供水问题,water,,none,normal,yes,"],
            "items.csv row 4 column item_code: duplicate code 'LS-06'",
            id="duplicate-item-code",
        ),
        pytest.param(
            [ITEMS[0], "HE-01,health,卫生健康,医疗服务投诉,,water,support,normal,no,"],
            "items.csv row 3 column primary_unit: no primary unit and township_role is not 'primary'",
            id="no-primary-unit-and-township-not-primary",
        ),
        pytest.param(
            ["LS-06,livelihood,民生保障,供水问题,water,,none,hard,yes,"],
            "items.csv row 2 column complexity:",
            id="bad-complexity",
        ),
        pytest.param(
            ["LS-06,livelihood,民生保障,供水问题,water,,none,normal,maybe,"],
            "items.csv row 2 column urgent_allowed: Value error, must be 'yes' or 'no'",
            id="bad-urgent-allowed",
        ),
        pytest.param(
            ["LS-06,livelihood,民生保障,供水问题,water,,sometimes,normal,yes,"],
            "items.csv row 2 column township_role:",
            id="bad-township-role",
        ),
        pytest.param(
            ["LS 06,livelihood,民生保障,供水问题,water,,none,normal,yes,"],
            "items.csv row 2 column item_code:",
            id="bad-item-code",
        ),
    ],
)
def test_broken_items_table_is_refused_naming_file_row_and_column(
    tmp_path: Path, items: list[str], message: str
) -> None:
    with pytest.raises(CatalogError) as refused:
        load_catalog(write_catalog(tmp_path, items=items))

    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(
    ("units", "message"),
    [
        pytest.param(
            [*UNITS, "water,department,水务集团,Water Group,"],
            "units.csv row 5 column code: duplicate code 'water'",
            id="duplicate-unit-code",
        ),
        pytest.param(
            [UNITS[0], "health,ministry,卫生健康局,,", UNITS[2]],
            "units.csv row 3 column kind:",
            id="bad-kind",
        ),
        pytest.param(
            [UNITS[0], "Health Bureau,department,卫生健康局,,", UNITS[2]],
            "units.csv row 3 column code:",
            id="code-not-a-subject-token",
        ),
        pytest.param(
            [UNITS[0], "health,department,,,", UNITS[2]],
            "units.csv row 3 column name_zh:",
            id="empty-name",
        ),
    ],
)
def test_broken_units_table_is_refused_naming_file_row_and_column(
    tmp_path: Path, units: list[str], message: str
) -> None:
    with pytest.raises(CatalogError) as refused:
        load_catalog(write_catalog(tmp_path, units=units))

    assert str(refused.value).startswith(message)


@pytest.mark.parametrize("missing", ["units.csv", "items.csv"])
def test_missing_file_is_refused_naming_the_file(tmp_path: Path, missing: str) -> None:
    directory = write_catalog(tmp_path)
    (directory / missing).unlink()

    with pytest.raises(CatalogError, match="file not found") as refused:
        load_catalog(directory)

    assert str(directory / missing) in str(refused.value)


def test_digest_is_of_the_content_not_of_the_place(tmp_path: Path) -> None:
    first = load_catalog(write_catalog(tmp_path / "a"))
    again = load_catalog(tmp_path / "a")
    elsewhere = load_catalog(write_catalog(tmp_path / "b"))

    assert first.digest == again.digest == elsewhere.digest
    assert first.digest.startswith("sha256-")
    # A loaded table is a draft until the catalog store numbers it.
    assert first.version == "draft"


def test_digest_ignores_row_order(tmp_path: Path) -> None:
    forward = load_catalog(write_catalog(tmp_path / "forward"))
    backward = load_catalog(write_catalog(tmp_path / "backward", items=list(reversed(ITEMS))))

    assert forward.digest == backward.digest


def test_shipped_catalog_digest_is_stable_across_loads(tmp_path: Path) -> None:
    copy = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir(), copy)

    assert load_catalog().digest == load_catalog(copy).digest


@pytest.mark.parametrize(
    ("units", "items"),
    [
        pytest.param(UNITS, [ITEMS[0], ITEMS[1].replace("complex", "normal")], id="item-changed"),
        pytest.param([UNITS[0].replace("0000-1111", "0000-9999"), *UNITS[1:]], ITEMS, id="unit-changed"),
        pytest.param(UNITS, ITEMS[:1], id="item-removed"),
    ],
)
def test_changed_content_gets_a_new_version(tmp_path: Path, units: list[str], items: list[str]) -> None:
    original = load_catalog(write_catalog(tmp_path / "original"))
    changed = load_catalog(write_catalog(tmp_path / "changed", units=units, items=items))

    assert changed.digest != original.digest


def test_row_numbers_count_file_lines_past_blank_lines(tmp_path: Path) -> None:
    directory = write_catalog(tmp_path)
    items = (directory / "items.csv").read_text(encoding="utf-8").splitlines()
    # A blank line after the header, then a broken row: the error names the row as the file shows it (line 4).
    broken = items[1].replace(",normal,", ",hard,", 1)
    (directory / "items.csv").write_text("\n".join([items[0], "", items[2], broken]) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^items.csv row 4 column complexity"):
        load_catalog(directory)


def test_an_extra_unquoted_comma_is_refused(tmp_path: Path) -> None:
    directory = write_catalog(tmp_path)
    items = (directory / "items.csv").read_text(encoding="utf-8").splitlines()
    items[1] = items[1] + ",又一段说明"
    (directory / "items.csv").write_text("\n".join(items) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^items.csv row 2: more values than columns"):
        load_catalog(directory)


def test_a_table_without_the_major_column_loads_with_no_major_item(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path))

    assert not any(item.major for item in catalog.items.values())


def test_the_optional_major_column_marks_items_yes_no_or_blank(tmp_path: Path) -> None:
    header = f"{ITEMS_HEADER},major"
    items = [f"{ITEMS[0]},yes", f"{ITEMS[1]},"]
    directory = write_catalog(tmp_path / "with", items=items)
    (directory / "items.csv").write_text("\n".join([header, *items]) + "\n", encoding="utf-8")

    catalog = load_catalog(directory)

    assert (catalog.items["LS-06"].major, catalog.items["HE-01"].major) == (True, False)
    (directory / "items.csv").write_text("\n".join([header, f"{ITEMS[0]},maybe"]) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^items.csv row 2 column major: Value error, must be 'yes' or 'no'"):
        load_catalog(directory)


def test_a_major_column_of_noes_keeps_the_digest_of_the_table_without_it(tmp_path: Path) -> None:
    """Catalogs stored before the column existed keep their digest: importing them again changes nothing."""
    without = load_catalog(write_catalog(tmp_path / "without"))
    directory = write_catalog(tmp_path / "noes")
    (directory / "items.csv").write_text(
        "\n".join([f"{ITEMS_HEADER},major", *(f"{row},no" for row in ITEMS)]) + "\n", encoding="utf-8"
    )
    marked = tmp_path / "marked"
    shutil.copytree(directory, marked)
    (marked / "items.csv").write_text(
        "\n".join([f"{ITEMS_HEADER},major", f"{ITEMS[0]},yes", f"{ITEMS[1]},no"]) + "\n", encoding="utf-8"
    )

    assert load_catalog(directory).digest == without.digest
    assert load_catalog(marked).digest != without.digest


def test_the_shipped_catalog_marks_serious_safety_hazards_as_major() -> None:
    catalog = load_catalog()

    assert sorted(code for code, item in catalog.items.items() if item.major) == ["EM-05", "NR-05"]


@pytest.mark.parametrize(
    ("units", "items", "refusal"),
    [
        ([], [], r"^units.csv: no rows below the header"),
        (UNITS, [], r"^items.csv: no rows below the header"),
    ],
)
def test_a_table_with_no_rows_is_refused(units: list[str], items: list[str], refusal: str) -> None:
    with pytest.raises(CatalogError, match=refusal):
        parse_catalog("\n".join([UNITS_HEADER, *units]), "\n".join([ITEMS_HEADER, *items]))


def test_tables_given_as_text_read_as_from_files(tmp_path: Path) -> None:
    directory = write_catalog(tmp_path)
    text = [(directory / name).read_text(encoding="utf-8") for name in ("units.csv", "items.csv")]
    assert parse_catalog("\ufeff" + text[0], text[1]) == load_catalog(directory)
