"""Every refusal carries a stable code that fits its status, and docs/errors.md lists each code once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from services.contracts.problem_codes import PROBLEM_TYPES, FieldCode, ProblemCode, refusal_code
from services.intake.auth import REFUSAL_CODES

ROOT = Path(__file__).resolve().parents[2]
ERRORS_DOC = ROOT / "docs" / "errors.md"
# The API's errors and the status each answers with; a raise of one names its code, and the code fits the status.
API_ERRORS = {
    "ApiError": 400,
    "LinkRefused": 403,
    "NotFound": 404,
    "Conflict": 409,
    "TooLarge": 413,
    "UnsupportedMedia": 415,
    "UnprocessableInput": 422,
    "Unavailable": 503,
}
# What workflows refuse with (the API answers 409): the code is their second argument.
WORKFLOW_REFUSALS = {"CaseActionRefused", "DecisionRefused", "RectificationRefused"}


def calls(folder: str, names: set[str]) -> list[tuple[str, ast.Call]]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def named_code(node: ast.expr | None) -> ProblemCode | None:
    """`ProblemCode.X` as written, or None for anything else (a computed code)."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ProblemCode":
        return ProblemCode[node.attr]
    return None


def test_every_code_has_a_status_and_a_title() -> None:
    assert set(PROBLEM_TYPES) == set(ProblemCode)
    assert all(kind.title and 400 <= kind.status < 600 for kind in PROBLEM_TYPES.values())
    assert not {code.value for code in ProblemCode} & {code.value for code in FieldCode}


def test_every_error_the_intake_raises_names_a_code_that_fits_its_status() -> None:
    raised = calls("services/intake", set(API_ERRORS))
    assert len(raised) > 50
    for where, call in raised:
        keyword = next((k.value for k in call.keywords if k.arg == "code"), None)
        assert keyword is not None, f"{where}: {ast.unparse(call)[:80]} names no code"
        code = named_code(keyword)
        if code is not None:
            assert PROBLEM_TYPES[code].status == API_ERRORS[call.func.id], f"{where}: {code} with {call.func.id}"  # type: ignore[attr-defined]


def test_every_workflow_refusal_names_a_409_code() -> None:
    refusals = calls("services/workflows", WORKFLOW_REFUSALS) + calls("services/assessment", WORKFLOW_REFUSALS)
    assert len(refusals) > 40
    for where, call in refusals:
        if len(call.args) == 1 and not call.keywords:  # a subclass's own definition passing `reason` on
            continue
        code = named_code(call.args[1] if len(call.args) > 1 else None)
        assert code is not None, f"{where}: {ast.unparse(call)[:80]} names no code"
        assert PROBLEM_TYPES[code].status == 409, f"{where}: {code}"


def test_auth_refusals_answer_401_for_the_key_and_403_for_the_rest() -> None:
    for reason, code in REFUSAL_CODES.items():
        assert PROBLEM_TYPES[code].status == (401 if reason in ("missing", "invalid") else 403), reason


@pytest.mark.parametrize(
    ("details", "code"),
    [
        (("transfer_limit_reached",), ProblemCode.TRANSFER_LIMIT_REACHED),
        ((), ProblemCode.ACTION_REFUSED),  # a workflow that refused before codes existed
        (("a code of a later release",), ProblemCode.ACTION_REFUSED),
        (({"not": "a code"},), ProblemCode.ACTION_REFUSED),
    ],
)
def test_the_code_a_workflow_refused_with(details: tuple[object, ...], code: ProblemCode) -> None:
    assert refusal_code(details) is code


def documented_codes() -> dict[str, str]:
    """`code` → the status column of docs/errors.md's table."""
    rows = re.findall(r"^\| `([a-z_]+)` \| (\d{3}|in 422's `detail`) \|", ERRORS_DOC.read_text(), flags=re.MULTILINE)
    codes = [code for code, _ in rows]
    assert len(codes) == len(set(codes)), "a code is listed twice"
    return dict(rows)


def test_docs_list_every_code_once_with_its_status() -> None:
    expected = {code.value: str(kind.status) for code, kind in PROBLEM_TYPES.items()}
    expected |= {code.value: "in 422's `detail`" for code in FieldCode}
    assert documented_codes() == expected
