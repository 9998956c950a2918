"""The catalogues agree with the source: running makemessages over a copy of the code leaves every
catalogue exactly as committed (but for the date it stamps), so no string is added, changed or
dropped without its translations (issue 16)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

import coproduce

# Reads and writes catalogue files only: the PostgreSQL run would repeat it (tests/conftest.py).
pytestmark = pytest.mark.sqlite_only

SOURCE = Path(coproduce.__file__).parent
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _without_date(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "POT-Creation-Date" not in line)


@pytest.mark.skipif(
    not shutil.which("xgettext") and not os.environ.get("CI"),
    reason="GNU gettext is not installed (apt-get install gettext); CI has it",
)
def test_makemessages_leaves_every_catalogue_as_committed(tmp_path):
    copy = tmp_path / "coproduce"
    shutil.copytree(
        SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo", "*.pyc")
    )
    (tmp_path / "catalogue_settings.py").write_text(
        f"SECRET_KEY = 'makemessages'\nUSE_I18N = True\nLOCALE_PATHS = [{str(copy / 'locale')!r}]\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "catalogue_settings",
    }
    languages = [arg for code in TRANSLATED for arg in ("--locale", code)]
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", *languages, "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for code in TRANSLATED:
        name = Path(code) / "LC_MESSAGES" / "django.po"
        made = _without_date((copy / "locale" / name).read_text())
        committed = _without_date((SOURCE / "locale" / name).read_text())
        assert made == committed, (
            f"{code}: the catalogue disagrees with the source; run `make messages`"
        )
