"""Each language's catalogue is complete, careful and compiled (issue 16).

A catalogue may hold no untranslated or fuzzy entry; a translation keeps its original's
placeholders (a missing one loses a figure, a new one breaks the page); each plural entry has the
forms its language's Plural-Forms header counts; and the committed .mo is exactly what the .po
compiles to (docs/DESIGN.md "Languages": the build cannot count on GNU gettext, so the compiled
files are committed and this test keeps them true).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

import coproduce

# Reads catalogue files only: the PostgreSQL run would repeat it (tests/conftest.py).
pytestmark = pytest.mark.sqlite_only

LOCALE = Path(coproduce.__file__).parent / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%\([A-Za-z0-9_]+\)[sdifr]|%[sdif]|\{[A-Za-z0-9_]*\}")


def _catalogue(code: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))


def test_every_language_offered_has_a_catalogue_and_every_catalogue_is_offered():
    present = sorted(path.name for path in LOCALE.iterdir() if path.is_dir())
    assert present == sorted(TRANSLATED)


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_catalogue_has_no_untranslated_or_fuzzy_entry(code):
    po = _catalogue(code)
    live = [entry for entry in po if not entry.obsolete]
    assert len(live) > 1000
    missing = [entry.msgid for entry in live if not entry.translated()]
    fuzzy = [entry.msgid for entry in live if "fuzzy" in entry.flags]
    assert not missing, f"{code}: {len(missing)} untranslated, such as {missing[:5]}"
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy, such as {fuzzy[:5]}"
    assert not [entry for entry in po if entry.obsolete], f"{code}: obsolete entries left"


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_translation_keeps_its_placeholders_and_plural_forms(code):
    po = _catalogue(code)
    forms = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
    wrong = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            allowed = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
            if len(entry.msgstr_plural) != forms:
                wrong.append((entry.msgid, f"{len(entry.msgstr_plural)} forms, not {forms}"))
            for text in entry.msgstr_plural.values():
                if not set(PLACEHOLDER.findall(text)) <= allowed:
                    wrong.append((entry.msgid, text))
        elif sorted(PLACEHOLDER.findall(entry.msgstr)) != sorted(PLACEHOLDER.findall(entry.msgid)):
            wrong.append((entry.msgid, entry.msgstr))
    assert not wrong, f"{code}: {wrong[:10]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_committed_compiled_catalogue_is_what_its_source_compiles_to(code):
    compiled = (LOCALE / code / "LC_MESSAGES" / "django.mo").read_bytes()
    assert compiled == _catalogue(code).to_binary(), (
        f"{code}: django.mo is stale; run `make messages`"
    )


@pytest.mark.skipif(
    not shutil.which("msgfmt") and not os.environ.get("CI"),
    reason="GNU gettext's msgfmt is not installed (apt-get install gettext); CI has it",
)
@pytest.mark.parametrize("code", TRANSLATED)
def test_gnu_msgfmt_finds_nothing_wrong(code):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(LOCALE / code / "LC_MESSAGES" / "django.po")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
