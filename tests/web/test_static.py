"""Static files are served by whitenoise from hashed, compressed copies: collecting them must work
offline with the vendored files (a missing file they reference would stop `coproduce serve`)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

# Static files only: the PostgreSQL run would repeat it (tests/conftest.py).
pytestmark = pytest.mark.sqlite_only


def test_collectstatic_with_the_production_storage_succeeds(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/htmx.org-htmx.min.*.js"))


def test_no_page_loads_anything_from_another_site():
    from pathlib import Path

    import coproduce

    root = Path(coproduce.__file__).parent
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text()
        for needle in ("https://cdn", "http://cdn", "unpkg.com", "jsdelivr", "googleapis"):
            assert needle not in text, f"{template} loads {needle}"
