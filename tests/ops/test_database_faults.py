"""The database failing under the app: unreachable (a 503 page that says so, /healthz too, and
service back by itself when it returns) and full (a write refused with a clear page, nothing
corrupted, writes again once there is room)."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from coproduce.web.unavailable import FULL, UNREACHABLE, database_trouble
from tests.conftest import ON_POSTGRES
from tests.ops.pg_cluster import free_port


def _refused() -> OperationalError:
    """What the driver raises when the database server is not there, wrapped as Django does."""
    if connection.vendor == "postgresql":
        import psycopg

        cause: Exception = psycopg.OperationalError(
            'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
        )
    else:
        cause = sqlite3.OperationalError("unable to open database file")
    try:
        raise OperationalError(str(cause)) from cause
    except OperationalError as exc:
        return exc


def _says_unreachable(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "cannot reach its database" in page
    assert "Traceback" not in page and "OperationalError" not in page


def test_a_database_that_cannot_be_reached_before_any_view_runs_is_a_503_page(
    login, alice, monkeypatch
):
    client = login(alice)
    client.raise_request_exception = False  # as a real server: the handler answers

    def refused(*args, **kwargs):
        raise _refused()

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", refused)
        _says_unreachable(client.get(reverse("web:home")))
        health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["database"] == "unreachable"


def test_a_database_lost_in_the_middle_of_a_view_is_a_503_page_too(login, carol, monkeypatch):
    def refused(**kwargs):
        raise _refused()

    monkeypatch.setattr("coproduce.insights.views.report_build", refused)
    _says_unreachable(login(carol).get(reverse("insights:report")))


def test_the_api_is_told_in_json(db, monkeypatch):
    def refused(*args, **kwargs):
        raise _refused()

    client = Client(raise_request_exception=False)
    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", refused)
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nothing")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"


def test_only_a_database_that_cannot_be_used_is_a_503():
    assert database_trouble(_refused()) == UNREACHABLE
    full = sqlite3.OperationalError("database or disk is full")
    try:
        raise OperationalError(str(full)) from full
    except OperationalError as exc:
        assert database_trouble(exc) == FULL
    locked = sqlite3.OperationalError("database is locked")
    try:
        raise OperationalError(str(locked)) from locked
    except OperationalError as exc:
        assert database_trouble(exc) is None  # a busy database is not an outage
    assert database_trouble(ValueError("nothing to do with it")) is None


@pytest.mark.postgres
def test_pages_answer_503_while_postgresql_is_unreachable_and_resume_by_themselves(
    transactional_db, riverside, alice
):
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    assert client.get(reverse("web:home")).status_code == 200
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())  # nothing listens there
    try:
        _says_unreachable(client.get(reverse("web:home")))
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["database"] == "unreachable"
        assert "Connection refused" in health.json()["detail"]
    finally:
        connection.settings_dict["PORT"] = real_port
    # The database is back: the next request connects again, no restart.
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    assert client.get(reverse("web:home")).status_code == 200


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's own limit on its file (PRAGMA max_page_count)")
def test_a_full_sqlite_database_refuses_a_write_with_a_clear_page_and_recovers(alice):
    from coproduce.exchanges.models import Offer

    client = Client(raise_request_exception=False)
    client.force_login(alice)
    offer = {"title": "Help with the garden", "category": "gardening", "description": "d" * 4000}
    with connection.cursor() as cursor:
        # Use up the free pages (rolled back with the test), so every new page is refused.
        cursor.execute("CREATE TABLE ops_filler (junk BLOB)")
        while cursor.execute("PRAGMA freelist_count").fetchone()[0] > 0:
            cursor.execute("INSERT INTO ops_filler VALUES (zeroblob(3000))")
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")  # as full as a full disk

    response = client.post(reverse("exchanges:offer_new"), offer)

    assert response.status_code == 503
    page = response.content.decode()
    assert "storage is full" in page and "nothing was changed" in page
    assert "Traceback" not in page
    assert Offer.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchall() == [("ok",)]
        # Reading still works while full.
        assert client.get(reverse("exchanges:offers")).status_code == 200
        cursor.execute(f"PRAGMA max_page_count = {pages * 100}")  # room again
    assert client.post(reverse("exchanges:offer_new"), offer).status_code == 302
    assert Offer.objects.get().title == "Help with the garden"
