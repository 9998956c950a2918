"""The `coproduce` command speaks the language its environment names (issue 16).

carol runs the import on a laptop set to Spanish (`LANG=es_ES.UTF-8`): its report of bad rows is
Spanish. The first of LANGUAGE, LC_ALL, LC_MESSAGES and LANG that names one of our languages
decides; none (`C.UTF-8`, German): English.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from coproduce.cli import LANGUAGE_VARIABLES, environment_language, main
from coproduce.community.models import Person, TimeBank


@pytest.fixture
def environment(monkeypatch):
    """A shell with no language set, then the ones a test gives."""
    for variable in LANGUAGE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)

    def set_to(**values: str) -> None:
        for variable, value in values.items():
            monkeypatch.setenv(variable, value)

    return set_to


@pytest.mark.parametrize(
    ("values", "language"),
    [
        ({}, "en-gb"),
        ({"LANG": "es_ES.UTF-8"}, "es"),
        ({"LANG": "cy_GB.UTF-8"}, "cy"),
        ({"LANG": "ca_ES@valencia"}, "ca"),
        ({"LANG": "en_GB.UTF-8"}, "en-gb"),
        ({"LANG": "en_US.UTF-8"}, "en-gb"),
        ({"LANG": "C.UTF-8"}, "en-gb"),
        ({"LANG": "de_DE.UTF-8"}, "en-gb"),
        ({"LANGUAGE": "de:cy:en", "LANG": "es_ES.UTF-8"}, "cy"),
        ({"LC_ALL": "ca_ES.UTF-8", "LANG": "es_ES.UTF-8"}, "ca"),
        ({"LC_ALL": "C", "LC_MESSAGES": "cy_GB", "LANG": "es_ES.UTF-8"}, "cy"),
    ],
)
def test_the_language_is_the_first_of_ours_the_environment_names(environment, values, language):
    environment(**values)
    assert environment_language() == language


@pytest.mark.django_db
def test_carols_spanish_shell_reports_the_bad_rows_of_an_import_in_spanish(
    riverside, carol, environment, tmp_path, capsys
):
    environment(LANG="es_ES.UTF-8")
    path = tmp_path / "socios.csv"
    path.write_text(
        "username,first_name,last_name,email,area,phone,joined\ndora,Dora,,,,,\nhal,,,,,,\n",
        encoding="utf-8",
    )
    before = Person.objects.count()
    with translation.override("en-gb"):
        assert main(["import", "members", "--timebank", "riverside", str(path)]) == 1
        # The command's language does not outlive it.
        assert translation.get_language() == "en-gb"
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        "línea 3: falta first_name",
        f"coproduce: un problema en 1 línea de {path}: no se ha importado nada",
    ]
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_timebank_create_takes_a_currency_and_refuses_one_it_does_not_know(
    environment, capsys, django_capture_on_commit_callbacks
):
    environment(LANG="C.UTF-8")
    create = ["timebank", "create", "--name", "Banc del Temps", "--slug", "banc-del-temps"]
    create += ["--coordinator", "nuria@example.org", "--language", "ca"]
    assert main([*create, "--currency", "XYZ"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "coproduce: unknown currency 'XYZ': choose one of GBP, EUR, USD"
    ]
    assert not TimeBank.objects.filter(slug="banc-del-temps").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert main([*create, "--currency", "eur"]) == 0
    assert TimeBank.objects.get(slug="banc-del-temps").currency == "EUR"
    assert "currency EUR" in capsys.readouterr().out
