"""The thresholds that find classes of cases are data: the shipped file, another file, and errors that say where."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from services.assessment.settings import AssessmentSettings
from services.contracts.case_classes import GroupKey, ThresholdsError, default_thresholds_path, load_thresholds


def shipped() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(default_thresholds_path().read_text(encoding="utf-8"))
    return document


def written(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "classes.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_shipped_thresholds_are_the_seeds_kinds() -> None:
    thresholds = load_thresholds()

    item = thresholds.kinds["item_township"]
    assert (item.group_by, item.window_days, item.min_cases) == ([GroupKey.CATALOG_ITEM, GroupKey.TOWNSHIP], 7, 5)
    assert thresholds.kinds["address"].group_by == [GroupKey.TOWNSHIP, GroupKey.ADDRESS]
    assert thresholds.kinds["grid_item"].group_by == [GroupKey.CATALOG_ITEM, GroupKey.PLACE]
    assert set(thresholds.enabled()) == {"item_township", "address", "community", "grid_item"}
    assert (thresholds.rectification.progress_every_days, thresholds.rectification.check_cases_every_hours) == (7, 6)


def test_a_city_s_own_file_is_read_in_its_place(tmp_path: Path) -> None:
    document = shipped()
    document["version"] = "hekou-2027.1"
    document["kinds"]["item_township"] |= {"window_days": 14, "min_cases": 8}
    document["kinds"]["community"]["enabled"] = False

    settings = AssessmentSettings(classes_file=written(tmp_path, document))
    thresholds = settings.thresholds()

    assert thresholds.version == "hekou-2027.1"
    assert (thresholds.kinds["item_township"].window_days, thresholds.kinds["item_township"].min_cases) == (14, 8)
    assert set(thresholds.enabled()) == {"item_township", "address", "grid_item"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["kinds"]["address"].update(min_cases=1), "kinds.address.min_cases: Input should be greater"),
        (lambda d: d["kinds"]["address"].update(window_days=0), "kinds.address.window_days"),
        (lambda d: d["kinds"]["address"].update(group_by=["address", "address"]), "group_by names a key twice"),
        (lambda d: d["kinds"]["address"].update(group_by=["street"]), "kinds.address.group_by.0"),
        (lambda d: d["kinds"].update({"Same Road": d["kinds"]["address"]}), "'Same Road' is not a kind code"),
        (lambda d: d["kinds"]["address"].update(colour="red"), "kinds.address.colour: Extra inputs"),
        (lambda d: d.update(kinds={}), "kinds: "),
    ],
)
def test_a_wrong_file_is_refused_naming_the_file_and_the_field(tmp_path: Path, change: Any, message: str) -> None:
    document = shipped()
    change(document)
    path = written(tmp_path, document)

    with pytest.raises(ThresholdsError) as refused:
        load_thresholds(path)

    assert str(refused.value).startswith(f"{path}: ")
    assert message in str(refused.value)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ThresholdsError, match="file not found"):
        load_thresholds(tmp_path / "nowhere.json")
