"""The lock files pin what `make run`, `make test` and the image install: every dependency pyproject.toml declares is
pinned there, at a version its range admits (so a floor is one the code runs and is tested with)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def pins(lock: Path) -> dict[str, str]:
    pinned = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith(("#", " ")):
            name, version = line.split("==", 1)
            pinned[canonicalize_name(name)] = version.split()[0]
    return pinned


@pytest.mark.parametrize(
    ("lock", "declared"),
    [
        ("runtime.lock", PROJECT["dependencies"]),
        ("dev.lock", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]),
    ],
)
def test_every_declared_dependency_is_pinned_within_its_range(lock: str, declared: list[str]) -> None:
    pinned = pins(ROOT / "requirements" / lock)
    outside = {}
    for requirement in map(Requirement, declared):
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            outside[requirement.name] = (str(requirement.specifier), version)
    assert outside == {}, f"regenerate with `make lock`: {outside}"


def test_the_runtime_lock_holds_no_test_tool() -> None:
    runtime = pins(ROOT / "requirements" / "runtime.lock")
    assert not {"pytest", "ruff", "mypy", "playwright", "testcontainers"} & set(runtime)
