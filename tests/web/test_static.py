"""Static files are served by whitenoise from hashed, compressed copies: collecting them must work
offline with the vendored files (a missing file they reference would stop `coproduce serve`).
Each file's address is looked up in the manifest once per process (core.static_files)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from whitenoise.storage import CompressedManifestStaticFilesStorage

from coproduce.core.static_files import KeptStaticFilesStorage

# Static files only: the PostgreSQL run would repeat it (tests/conftest.py).
pytestmark = pytest.mark.sqlite_only

PRODUCTION_STORAGE = "coproduce.core.static_files.KeptStaticFilesStorage"


def test_collectstatic_with_the_production_storage_succeeds(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": PRODUCTION_STORAGE},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/htmx.org-htmx.min.*.js"))


def test_each_address_is_the_manifests_and_is_looked_up_once(settings, tmp_path, monkeypatch):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    call_command("collectstatic", interactive=False, verbosity=0)
    names = ["web/coproduce.css", "vendor/htmx.org-htmx.min.js", "web/icons/favicon.svg"]
    manifest = CompressedManifestStaticFilesStorage()
    expected = [manifest.url(name) for name in names]
    assert (
        expected[0].startswith("/static/web/coproduce.")
        and expected[0] != "/static/web/coproduce.css"
    )

    lookups: list[str] = []
    stored_name = KeptStaticFilesStorage.stored_name
    monkeypatch.setattr(
        KeptStaticFilesStorage,
        "stored_name",
        lambda self, name: lookups.append(name) or stored_name(self, name),
    )
    assert [static(name) for name in names] == expected
    assert [static(name) for name in names] == expected
    assert lookups == names  # the second page asked the manifest nothing
    settings.DEBUG = True  # unhashed, as Django's storage gives them when debugging
    assert static("web/coproduce.css") == "/static/web/coproduce.css"


def test_no_page_loads_anything_from_another_site():
    from pathlib import Path

    import coproduce

    root = Path(coproduce.__file__).parent
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text()
        for needle in ("https://cdn", "http://cdn", "unpkg.com", "jsdelivr", "googleapis"):
            assert needle not in text, f"{template} loads {needle}"
