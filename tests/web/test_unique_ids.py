"""No page gives two elements the same id, nor two landmarks the same name: a label, an error
link or aria-describedby pointing at an id reaches the right box only when the id is unique
(issue 13, defect 3: the pool page's "How much" label pointed at the "put in" box)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from coproduce.codesign.services import project_create
from coproduce.community.models import Organisation
from coproduce.exchanges.services.listings import listing_create
from coproduce.partners.services.pools import pool_contribute, pool_create
from tests.web.landmarks import duplicate_names


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.label_targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids[found["id"] or ""] += 1
        if tag == "label" and found.get("for"):
            self.label_targets.append(found["for"] or "")


def _check(html: str) -> tuple[list[str], list[str]]:
    parser = _Ids()
    parser.feed(html)
    twice = [i for i, n in parser.ids.items() if n > 1]
    dangling = [t for t in parser.label_targets if t not in parser.ids]
    return twice, dangling


@pytest.fixture
def hour_pool(riverside, alice, bob):
    pool = pool_create(
        timebank=riverside, acting=alice, name="Garden", unit="hour", holders=[alice, bob]
    )
    pool_contribute(pool=pool, acting=bob, amount=120)
    return pool


def test_the_pool_page_gives_each_form_its_own_ids(login, alice, hour_pool):
    html = login(alice).get(reverse("partners:pool", args=[hour_pool.public_id])).content.decode()
    assert _check(html) == ([], [])
    # Each "How much" label points at its own box.
    assert 'for="id_contribute-amount"' in html and 'id="id_contribute-amount"' in html
    assert 'for="id_spend-amount"' in html and 'id="id_spend-amount"' in html
    assert 'aria-describedby="id_spend-amount_helptext"' in html


def test_the_pool_page_with_a_refused_spend_keeps_ids_unique(login, alice, carol, hour_pool):
    response = login(alice).post(
        reverse("partners:pool_spend_new", args=[hour_pool.public_id]),
        {"spend-payee_username": "carol", "spend-amount": "9:00", "spend-purpose": "Too much"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "2:00 h to spend" in html, html[
        html.find("form-errors") : html.find("form-errors") + 800
    ]
    assert _check(html) == ([], [])


def test_main_pages_have_unique_ids(login, riverside, alice, carol, hour_pool, dr_patel):
    surgery = Organisation.objects.get(slug="riverside-surgery")
    offer = listing_create(
        kind="offer", timebank=riverside, acting=alice, title="Dog walking", category="gardening"
    )
    project = project_create(
        acting=carol,
        timebank=riverside,
        organisation=surgery,
        title="Getting to the surgery",
        question="How should people get here?",
    )
    client = login(carol)
    pages = [
        reverse("web:home"),
        reverse("exchanges:offers"),
        reverse("exchanges:offer", args=[offer.public_id]),
        reverse("account:statement"),
        reverse("account:statement_print"),
        reverse("partners:pools"),
        reverse("partners:pool", args=[hour_pool.public_id]),
        reverse("partners:referrals"),
        reverse("codesign:project", args=[project.public_id]),
        reverse("codesign:meeting_new", args=[project.public_id]),
        reverse("insights:report"),
        reverse("coordinator:dashboard"),
    ]
    problems = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        twice, dangling = _check(html)
        same_name = duplicate_names(html)
        if twice or dangling or same_name:
            problems[url] = (twice, dangling, same_name)
    assert problems == {}
