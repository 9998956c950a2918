"""Someone in no time bank (a site administrator, or a person whose last membership ended)
gets one answer from every page that needs one: a 404 that says so (core.requests)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coproduce.community.models import Person

PAGES = [
    "account:statement",
    "account:statement_csv",
    "account:statement_print",
    "account:gift",
    "account:grant",
    "members:list",
    "exchanges:exchanges",
    "exchanges:offers",
    "coordinator:dashboard",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_a_person_in_no_time_bank_is_told_so_with_one_message(login, name):
    newcomer = Person.objects.create_user(username="newcomer", password="pw")
    response = login(newcomer).get(reverse(name))
    assert response.status_code == 404
    assert "You are not a member of a time bank yet." in response.content.decode()
