"""The benchmark's interpreter: found on PATH, probed for real, the fastest usable one chosen, its virtualenv kept."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bench import interpreters
from bench.interpreters import Interpreter, on_path, probe, survey


def _executable(path: Path, body: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.write_text(body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _interpreter(executable: str, yardstick: float, **changes: object) -> Interpreter:
    found = Interpreter(
        executable=executable,
        version="3.11.2",
        implementation="cpython",
        can_make_venv=True,
        libpython="linked in",
        yardstick_seconds=yardstick,
    )
    return dataclasses.replace(found, **changes)


def test_on_path_lists_each_executable_of_the_names_in_path_order(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    _executable(first / "python3.12")
    _executable(second / "python3")
    (second / "python3.11").write_text("not executable", encoding="utf-8")
    (first / "python3.13").mkdir()  # a directory, not a program
    path = os.pathsep.join([str(first), str(second), str(first), str(tmp_path / "missing")])

    assert on_path(path) == [str(first / "python3.12"), str(second / "python3")]


def test_probe_reads_a_real_interpreter() -> None:
    found = probe(sys.executable)

    assert found is not None
    assert found.executable == os.path.realpath(sys.executable)
    assert found.version == ".".join(map(str, sys.version_info[:3]))
    assert found.implementation == "cpython"
    assert found.libpython in ("shared", "linked in")
    assert found.yardstick_seconds > 0
    assert found.usable  # the interpreter the tests run on can make the benchmark's virtualenv


def test_probe_gives_none_for_what_does_not_run_it(tmp_path: Path) -> None:
    assert probe(str(tmp_path / "missing")) is None
    assert probe(str(_executable(tmp_path / "failing", "#!/bin/sh\nexit 3\n"))) is None
    assert probe(str(_executable(tmp_path / "chatty", "#!/bin/sh\necho not json\n"))) is None
    assert probe(str(_executable(tmp_path / "odd", "#!/bin/sh\necho '{\"executable\": 1}'\n"))) is None


@pytest.mark.parametrize(
    ("changes", "usable"),
    [
        ({}, True),
        ({"version": "3.12.1"}, True),
        ({"version": "3.10.14"}, False),
        ({"implementation": "pypy"}, False),
        ({"can_make_venv": False}, False),  # Debian without python3-venv
    ],
)
def test_usable_is_cpython_3_11_or_later_that_can_make_a_venv(changes: dict[str, object], usable: bool) -> None:
    assert _interpreter("/usr/bin/python3", 0.3, **changes).usable is usable


def test_survey_keeps_the_usable_ones_fastest_first_each_once_with_its_best_time(tmp_path: Path) -> None:
    slow, fast = tmp_path / "slow", tmp_path / "fast"
    _executable(slow)
    _executable(fast)
    (tmp_path / "fast-link").symlink_to(fast)
    shim = _executable(tmp_path / "shim")  # a launcher that runs `slow` (as pyenv's shims do)
    timings = {str(slow): [0.40, 0.35], str(fast): [0.30, 0.20], str(shim): [0.45]}
    asked: list[str] = []

    def run(executable: str) -> Interpreter | None:
        asked.append(executable)
        if executable == str(tmp_path / "old"):
            return _interpreter(executable, 0.1, version="3.10.0")
        if executable == str(tmp_path / "broken"):
            return None
        real = str(slow) if executable == str(shim) else executable
        return _interpreter(real, timings[executable].pop(0))

    found = survey(
        [str(slow), str(tmp_path / "fast-link"), str(fast), str(shim), str(tmp_path / "old"), str(tmp_path / "broken")],
        passes=2,
        run=run,
    )

    assert [(i.executable, i.yardstick_seconds) for i in found] == [(str(fast), 0.20), (str(slow), 0.35)]
    # The link is timed as what it leads to, once; the second pass times each real interpreter once more.
    assert asked == [
        str(slow),
        str(fast),
        str(shim),
        str(tmp_path / "old"),
        str(tmp_path / "broken"),
        str(slow),
        str(fast),
    ]


def test_survey_of_nothing_usable_is_empty() -> None:
    assert survey(["/nowhere/python3"], run=lambda _: None) == []


def test_made_from_reads_the_interpreter_a_real_venv_was_made_from(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)

    assert interpreters.made_from(venv) == os.path.realpath(sys.executable)
    assert interpreters.made_from(tmp_path / "nothing") is None
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    assert interpreters.made_from(tmp_path / "odd") is None, "no executable line: not one we can tell"


def test_a_venv_made_by_another_interpreter_is_removed_and_one_made_by_this_one_kept(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    this = _interpreter(os.path.realpath(sys.executable), 0.3)

    interpreters.forget_if_made_elsewhere(venv, this)
    assert (venv / "pyvenv.cfg").exists()

    interpreters.forget_if_made_elsewhere(venv, dataclasses.replace(this, executable="/opt/python3.12/bin/python3"))
    assert not venv.exists()
    interpreters.forget_if_made_elsewhere(venv, this)  # nothing there: nothing to do


def test_main_prints_the_choice_and_records_it_beside_the_venv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    venv = tmp_path / "venv"
    real = os.path.realpath(sys.executable)

    interpreters.main(["--venv", str(venv), "--python", sys.executable])

    printed = capsys.readouterr()
    assert printed.out == real + "\n", "only the path on stdout: the Makefile passes it to make install"
    assert real in printed.err
    choice = json.loads((venv / interpreters.CHOICE_FILE).read_text(encoding="utf-8"))
    assert choice["chosen"]["executable"] == real
    assert [c["executable"] for c in choice["candidates"]] == [real]


def test_main_refuses_when_no_interpreter_is_usable(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"no CPython 3\.11\+"):
        interpreters.main(["--venv", str(tmp_path / "venv"), "--python", str(tmp_path / "missing")])
    assert not (tmp_path / "venv").exists()


def test_this_interpreter_is_the_real_one_behind_the_venv() -> None:
    me = interpreters.this_interpreter()

    assert me["executable"] == os.path.realpath(sys.executable)
    assert me["implementation"] == "cpython"
    assert me["libpython"] in ("shared", "linked in")


def test_recorded_choice_is_what_main_wrote_into_the_running_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert interpreters.recorded_choice() is None, "a virtualenv the benchmark did not make"

    (tmp_path / interpreters.CHOICE_FILE).write_text('{"chosen": {"executable": "/usr/bin/python3.11"}}', "utf-8")
    assert interpreters.recorded_choice() == {"chosen": {"executable": "/usr/bin/python3.11"}}
