"""The lock files are in step with pyproject.toml, so a dependency added without `make lock` fails.

`make` installs only what requirements.lock and requirements-dev.lock pin (pip --require-hashes):
every dependency pyproject.toml names must be pinned there, at a version its range allows, with
the hashes of its files, and the two files must agree on every package both hold.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def pins(name: str) -> dict[str, tuple[Version, bool]]:
    """Each package pinned in a lock file: its version, and whether hashes follow the pin."""
    found: dict[str, tuple[Version, bool]] = {}
    lines = (ROOT / name).read_text().splitlines()
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if match:
            hashed = number + 1 < len(lines) and "--hash=sha256:" in lines[number + 1]
            found[canonicalize_name(match[1])] = (Version(match[2]), hashed)
    return found


RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
BUILD = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
DEV = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]]


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.lock", RUNTIME + BUILD),
        ("requirements-dev.lock", RUNTIME + BUILD + DEV),
    ],
)
def test_every_dependency_in_pyproject_is_pinned_in_the_lock(lock, requirements):
    locked = pins(lock)
    missing = [str(r) for r in requirements if canonicalize_name(r.name) not in locked]
    assert missing == [], f"{lock} lacks {missing}: run `make lock`"
    outside = [
        f"{r} (locked {locked[canonicalize_name(r.name)][0]})"
        for r in requirements
        if locked[canonicalize_name(r.name)][0] not in r.specifier
    ]
    assert outside == [], f"{lock} pins versions pyproject.toml no longer allows: {outside}"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_carries_its_hashes(lock):
    assert [name for name, (_, hashed) in pins(lock).items() if not hashed] == []


def test_the_runtime_and_dev_locks_agree_on_every_shared_package():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert runtime, "requirements.lock pins nothing"
    differ = {
        name: (str(runtime[name][0]), str(dev.get(name, (None,))[0]))
        for name in runtime
        if name not in dev or dev[name][0] != runtime[name][0]
    }
    assert differ == {}, f"run `make lock`: {differ}"
