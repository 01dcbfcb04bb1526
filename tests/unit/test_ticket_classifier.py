"""`TicketClassifier`: free-text classification of Chinese tickets against the shipped catalog."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from services.contracts.catalog import ResponsibilityCatalog, load_catalog
from services.router.classifier_data import ClassifierDataError, load_classifier_data
from services.router.ticket_classifier import DEFAULT_CONFIDENCE_THRESHOLD, TicketClassifier

LABELLED_TICKETS = Path(__file__).resolve().parents[2] / "bench" / "data" / "labelled_tickets.jsonl"


@pytest.fixture(scope="module")
def catalog() -> ResponsibilityCatalog:
    return load_catalog()


@pytest.fixture(scope="module")
def classifier(catalog: ResponsibilityCatalog) -> TicketClassifier:
    return TicketClassifier(catalog)


@pytest.mark.parametrize(
    ("title", "description", "item"),
    [
        ("小区停水两天无人处理", "幸福家园小区从前天早上开始停水，至今没有恢复供水。", "LS-06"),
        ("楼下烧烤摊油烟太大", "俺家楼下那个烧烤摊天天冒烟，油烟直往窗户里钻。", "EE-05"),
        ("邻居在楼顶违建", "顶楼住户在楼顶私自加盖了一间彩钢房。", "UC-06"),
        ("楼道里电动车充电", "每天晚上都有人在楼道里给电动车飞线充电，很危险。", "EM-03"),
        ("包工头欠薪跑路", "我们在工地干了半年，包工头拖欠工资不给，电话也不接。", "LS-01"),
        ("暖气不热", "供暖十天了家里暖气片还是凉的，室温只有十四度。", "UC-07"),
        ("井盖丢了", "学校门口人行道上的井盖没了，孩子经过很危险。", "UC-04"),
        ("超市卖过期食品", "在超市买的牛奶已经过期三天了，货架上还有很多。", "MS-01"),
        ("被困电梯", "电梯卡在两层之间，我们被困了半个小时。", "MS-04"),
        ("申请低保", "家里没有收入，想申请低保，需要什么材料？", "LS-03"),
    ],
)
def test_a_clear_single_matter_ticket_lands_on_its_item(
    classifier: TicketClassifier, title: str, description: str, item: str
) -> None:
    result = classifier.classify(title, description)

    assert result.item == item
    assert result.method == "text"
    assert result.runner_up != result.item
    assert 0.0 <= result.runner_up_confidence <= result.confidence <= 1.0


def test_a_clear_ticket_is_confident_and_an_ambiguous_one_is_not(classifier: TicketClassifier) -> None:
    clear = classifier.classify("小区停水两天无人处理", "从前天早上开始停水，至今没有恢复供水，也没有通知。")
    ambiguous = classifier.classify("物业和电梯", "物业不管事，电梯也坏了。")

    assert clear.confident and clear.confidence >= DEFAULT_CONFIDENCE_THRESHOLD
    assert not ambiguous.confident
    assert ambiguous.confidence < clear.confidence
    assert {ambiguous.item, ambiguous.runner_up} == {"UC-03", "MS-04"}


@pytest.mark.parametrize(
    ("title", "description"),
    [
        pytest.param("", "", id="empty"),
        pytest.param("asdfgh qwerty", "zxcv 12345 !!!", id="latin-gibberish"),
        pytest.param("啊啊啊啊", "呃呃呃嗯嗯", id="filler-sounds"),
        pytest.param("有个事情想反映", "麻烦你们帮忙看看，谢谢。", id="no-matter-named"),
    ],
)
def test_text_that_names_no_matter_has_no_item_and_zero_confidence(
    classifier: TicketClassifier, title: str, description: str
) -> None:
    result = classifier.classify(title, description)

    assert result.item is None
    assert result.runner_up is None
    assert result.confidence == 0.0
    assert not result.confident


def test_a_vague_ticket_needs_triage(classifier: TicketClassifier) -> None:
    result = classifier.classify("楼下噪音", "很吵。")

    assert result.item is not None
    assert result.confidence < 0.5
    assert not result.confident


def test_classification_is_deterministic(catalog: ResponsibilityCatalog, classifier: TicketClassifier) -> None:
    title, description = "工地晚上还在打桩", "小区旁边的工地每天晚上十点以后还在打桩，还有渣土车。"
    other = TicketClassifier(catalog)

    results = {classifier.classify(title, description) for _ in range(3)} | {other.classify(title, description)}

    assert len(results) == 1


def test_a_very_long_description_is_classified(classifier: TicketClassifier) -> None:
    result = classifier.classify("反映问题", "小区停水了。" + "我们等了很久。" * 2000)

    assert result.item == "LS-06"


def test_the_synonym_data_covers_only_and_all_catalog_items(catalog: ResponsibilityCatalog) -> None:
    data = load_classifier_data()

    assert set(data.synonyms) == set(catalog.items)
    assert all(len(phrases) >= 10 for phrases in data.synonyms.values())
    data.check_against(catalog)


def test_synonyms_for_an_unknown_item_code_are_refused(catalog: ResponsibilityCatalog) -> None:
    data = load_classifier_data()
    broken = replace(data, synonyms={**data.synonyms, "ZZ-99": ("不存在",)})

    with pytest.raises(ClassifierDataError, match="ZZ-99"):
        TicketClassifier(catalog, broken)


def test_a_one_character_synonym_is_refused(tmp_path: Path) -> None:
    (tmp_path / "synonyms.json").write_text(json.dumps({"items": {"LS-06": ["停水", "水"]}}), encoding="utf-8")

    with pytest.raises(ClassifierDataError, match="LS-06"):
        load_classifier_data(tmp_path)


def test_holdout_targets_hold(classifier: TicketClassifier) -> None:
    """The issue's targets on the held-back half: top-1 >= 90%, >= 98% right among the non-triaged."""
    with LABELLED_TICKETS.open(encoding="utf-8") as lines:
        holdout = [t for t in map(json.loads, lines) if t["split"] == "holdout"]
    results = [(classifier.classify(t["title"], t["description"]), t["item"]) for t in holdout]
    non_triaged = [(r, item) for r, item in results if r.confident]

    top1 = sum(r.item == item for r, item in results) / len(results)
    non_triaged_accuracy = sum(r.item == item for r, item in non_triaged) / len(non_triaged)

    assert len(holdout) >= 150
    assert top1 >= 0.90
    assert non_triaged_accuracy >= 0.98
