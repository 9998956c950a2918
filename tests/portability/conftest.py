"""Moving a time bank in and out. Riverside (carol the coordinator, alice, bob, dr_patel the GP)
is the time bank carol brings her old spreadsheet into; Hillside (harry) is the other community
whose people and credits must never show up in Riverside's files. `csv_file` writes the file a
coordinator would bring; `run` runs the `coproduce` command and hands back what it printed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from coproduce.cli import main


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., str]:
    def write(text: str, name: str = "members.csv", *, encoding: str = "utf-8") -> str:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return str(path)

    return write


@pytest.fixture
def run(capsys) -> Callable[..., Ran]:
    def run_command(*argv: str) -> Ran:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run_command
