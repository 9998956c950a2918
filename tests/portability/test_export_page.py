"""The coordinator's downloads page: carol takes Riverside's members, ledger and ValueFlows from
the web, each download recorded with her name; alice and harry find no such page."""

from __future__ import annotations

import json

import pytest

from coproduce.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else response.content.decode()
    )


def test_carol_downloads_the_members_and_each_download_is_recorded(login, riverside, carol, alice):
    client = login(carol)
    assert "Downloads" in client.get("/coordinator/exports/").content.decode()
    response = client.get("/coordinator/exports/members.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="riverside-members-')
    text = _body(response)
    assert text.splitlines()[0].startswith("username,first_name")
    assert "alice" in text
    (event,) = AuditEvent.objects.filter(action="export.downloaded")
    assert (event.actor_id, event.data) == (carol.pk, {"export": "members", "format": "csv"})


def test_the_transfers_as_json_and_the_valueflows_download(login, riverside, carol):
    client = login(carol)
    assert json.loads(_body(client.get("/coordinator/exports/transfers.json"))) == []
    document = json.loads(_body(client.get("/coordinator/exports/valueflows.jsonld")))
    assert "@context" in document
    assert AuditEvent.objects.filter(action="export.downloaded").count() == 2


def test_a_member_finds_no_such_page(login, riverside, alice):
    client = login(alice)
    assert client.get("/coordinator/exports/").status_code == 404
    assert client.get("/coordinator/exports/members.csv").status_code == 404
    assert not AuditEvent.objects.filter(action="export.downloaded").exists()


def test_harry_downloads_hillside_never_riverside(login, riverside, alice, hillside, harry):
    client = login(harry)
    assert "Hillside Time Bank" in client.get("/coordinator/exports/").content.decode()
    text = _body(client.get("/coordinator/exports/members.csv"))
    assert "harry" in text and "alice" not in text


def test_an_unknown_download_is_a_404_and_not_recorded(login, riverside, carol):
    client = login(carol)
    assert client.get("/coordinator/exports/passwords.csv").status_code == 404
    assert client.get("/coordinator/exports/members.xlsx").status_code == 404
    assert not AuditEvent.objects.filter(action="export.downloaded").exists()
