"""A class reads in Chinese: where, what and which kind; never the address."""

from __future__ import annotations

from services.assessment.classes.class_labels import CatalogNames, class_label
from services.contracts.case_classes import shipped_thresholds
from services.contracts.catalog import load_catalog

NAMES = CatalogNames.of(load_catalog())
KINDS = shipped_thresholds().kinds


def test_a_class_names_its_township_item_and_kind() -> None:
    label = class_label(KINDS["item_township"], catalog_item="LS-06", township="hekou-town", names=NAMES)

    assert label == f"河口镇·{load_catalog().items['LS-06'].item_zh}（同一事项同一镇街）"


def test_what_is_unknown_is_left_out_and_unknown_codes_are_shown_as_they_are() -> None:
    assert (
        class_label(KINDS["address"], catalog_item=None, township="hekou-town", names=NAMES)
        == "河口镇（同一地址反复反映）"
    )
    assert class_label(KINDS["address"], catalog_item=None, township=None, names=NAMES) == "同一地址反复反映"
    assert class_label(KINDS["item_township"], catalog_item="ZZ-99", township="x-town", names=NAMES) == (
        "x-town·ZZ-99（同一事项同一镇街）"
    )


def test_a_grid_s_class_names_its_grid_after_its_township() -> None:
    label = class_label(
        KINDS["grid_item"],
        catalog_item="EE-04",
        township="shiqiao-town",
        place="sample-district.shiqiao-town.zhangzhuang.g01",
        names=NAMES,
    )
    assert label == f"石桥镇·网格g01·{load_catalog().items['EE-04'].item_zh}（同一网格同一事项）"
