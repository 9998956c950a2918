"""The whole-bank ZIP: what is in it and what never is, who may take it from the web, and the
command line's one clear line for a bad option. (The move itself, export then import into a fresh
installation, is test_timebank_round_trip.py.)"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date

import pytest
from django.apps import apps
from django.utils import timezone

from coproduce.community.models import Organisation, TimeBank
from coproduce.core.models import AuditEvent
from coproduce.partners.models import Referral
from coproduce.portability.timebank.tables import LEFT_OUT, TABLES

pytestmark = pytest.mark.django_db

NOTES = "Lives alone since March; hard of hearing, call twice."


@pytest.fixture
def referral(riverside, dr_patel):
    return Referral.objects.create(
        timebank=riverside,
        organisation=Organisation.objects.get(slug="riverside-surgery"),
        referred_by=dr_patel,
        first_name="Edna",
        support_notes=NOTES,
        consent_given_by="Edna",
        consent_given_on=date(2026, 11, 2),
        consent_how="verbal",
        received_at=timezone.now(),
    )


def _files(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_every_kind_of_row_a_bank_holds_is_carried_or_left_out_for_a_reason():
    carried = {table.model._meta.label for table in TABLES}
    for model in apps.get_models():
        label = model._meta.label
        names = {f.name for f in model._meta.concrete_fields}
        if "timebank" in names or label.startswith(("community.", "ledger.", "exchanges.")):
            assert label in carried or label in LEFT_OUT, label
    # Each file points only at files written before it (or at itself, a reversal).
    seen: set[str] = set()
    for table in TABLES:
        for target in table.references().values():
            assert target in seen | {table.name}, (table.name, target)
        seen.add(table.name)


def test_no_password_or_site_power_is_ever_in_the_people_file(run, tmp_path, riverside, alice):
    out = tmp_path / "riverside.zip"
    assert run("export", "timebank", "--timebank", "riverside", "--output", str(out)).code == 0
    files = _files(out.read_bytes())
    header = files["people.csv"].splitlines()[0].split(",")
    assert "username" in header
    assert not {"password", "is_superuser", "is_staff", "last_login"} & set(header)
    assert "alice" in files["people.csv"]
    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == "coproduce-timebank" and manifest["version"] == 1
    assert set(manifest["files"]) == {table.file for table in TABLES}
    assert not any(name.startswith("conversation") for name in files)


def test_support_notes_only_with_include_sensitive(run, tmp_path, riverside, referral):
    plain, sensitive = tmp_path / "plain.zip", tmp_path / "sensitive.zip"
    assert run("export", "timebank", "--timebank", "riverside", "--output", str(plain)).code == 0
    done = run(
        "export",
        "timebank",
        "--timebank",
        "riverside",
        "--output",
        str(sensitive),
        "--include-sensitive",
    )
    assert done.code == 0 and "support notes are in it" in done.out
    left_out, kept = _files(plain.read_bytes()), _files(sensitive.read_bytes())
    assert NOTES not in left_out["referrals.csv"]
    assert _rows(left_out["referrals.csv"])[0]["support_notes"] == ""
    assert _rows(kept["referrals.csv"])[0]["support_notes"] == NOTES
    assert json.loads(left_out["manifest.json"])["include_sensitive"] is False
    assert json.loads(kept["manifest.json"])["include_sensitive"] is True


def test_bad_options_are_one_clear_line_and_exit_2(run, tmp_path, riverside):
    taken = tmp_path / "taken.zip"
    taken.write_text("mine")
    refused = run("export", "timebank", "--timebank", "riverside", "--output", str(taken))
    assert (refused.code, refused.err.strip()) == (2, f"coproduce: {taken} already exists")
    assert taken.read_text() == "mine"
    unknown = run("export", "timebank", "--timebank", "nowhere", "--output", str(tmp_path / "x"))
    assert unknown.code == 2 and "no time bank with the slug 'nowhere'" in unknown.err
    missing = run("import", "timebank", str(tmp_path / "none.zip"))
    assert missing.code == 2 and "no such file" in missing.err
    assert run("import", "timebank", str(taken)).err.strip().endswith("is not a ZIP file")
    same = tmp_path / "same.zip"
    assert run("export", "timebank", "--timebank", "riverside", "--output", str(same)).code == 0
    banks = TimeBank.objects.count()
    again = run("import", "timebank", str(same))
    assert again.code == 2 and "slug riverside is already here" in again.err
    assert TimeBank.objects.count() == banks


def test_carol_downloads_the_whole_bank_and_asks_for_the_notes(login, riverside, carol, referral):
    client = login(carol)
    page = client.get("/coordinator/exports/").content.decode()
    assert "The whole time bank (ZIP)" in page
    response = client.get("/coordinator/exports/timebank.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="riverside-timebank-')
    files = _files(b"".join(response.streaming_content))
    assert NOTES not in files["referrals.csv"]
    with_notes = _files(
        b"".join(client.get("/coordinator/exports/timebank.zip?sensitive=1").streaming_content)
    )
    assert NOTES in with_notes["referrals.csv"]
    events = AuditEvent.objects.filter(action="export.downloaded").order_by("pk")
    assert [e.data for e in events] == [
        {"export": "timebank", "format": "zip", "include_sensitive": False},
        {"export": "timebank", "format": "zip", "include_sensitive": True},
    ]
    assert {e.actor_id for e in events} == {carol.pk}


def test_alice_and_dr_patel_get_no_zip(login, riverside, alice, dr_patel, referral):
    for person in (alice, dr_patel):
        response = login(person).get("/coordinator/exports/timebank.zip?sensitive=1")
        assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="export.downloaded").exists()
