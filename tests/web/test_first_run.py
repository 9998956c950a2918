"""An installation with no time bank shows, at / and /join/, the commands that make one, and
nothing else: no way to apply, no demo, no sign-up (issue 12)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

COMMANDS = (b"coproduce admin create --email", b"coproduce timebank create --name")


@pytest.mark.parametrize("path", ["/", "/join/"])
def test_an_empty_installation_tells_the_operator_the_commands_to_run(client, path):
    page = client.get(path)
    assert page.status_code == 200
    assert "community/first_run.html" in [t.name for t in page.templates]
    for command in COMMANDS:
        assert command in page.content
    assert b"--slug" in page.content and b"--coordinator" in page.content
    # The language switcher every page has is the one form (it names the page it returns to).
    rest = re.sub(rb'<form[^>]*class="language-switcher".*?</form>', b"", page.content, flags=re.S)
    for nothing_else in (b"/join/", b"Apply", b"demo", b"Demo", b"<form"):
        assert nothing_else not in rest, nothing_else


def test_a_signed_in_site_administrator_may_also_make_it_on_the_web(as_rosa):
    page = as_rosa.get("/")
    assert "community/first_run.html" in [t.name for t in page.templates]
    assert b"/site/timebanks/new/" in page.content


def test_once_there_is_a_time_bank_the_site_is_itself_again(client, riverside):
    assert client.get("/")["Location"].startswith("/login/")
    page = client.get("/join/")
    assert b"Riverside Time Bank" in page.content
    assert b"coproduce admin create" not in page.content


def test_a_member_at_home_costs_no_question_about_an_empty_installation(client, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    exists = 'FROM "community_timebank" LIMIT 1'
    assert not [q["sql"] for q in queries.captured_queries if exists in q["sql"]]
