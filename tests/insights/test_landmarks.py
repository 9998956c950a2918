"""Each landmark of the insights pages has a name of its own, so a screen reader's list of
regions tells them apart (issue 13: "The exchange network" twice)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.web.landmarks import duplicate_names, landmarks

pytestmark = pytest.mark.django_db

Q1 = {"date_from": "2025-01-01", "date_to": "2025-03-31", "timebank": "riverside"}


@pytest.mark.parametrize("name", ["insights:report", "insights:funder"])
def test_no_two_landmarks_share_a_name(story, carol, login, name):
    html = login(carol).get(reverse(name), Q1).content.decode()
    names = [n for role, n, _attrs in landmarks(html) if role == "region"]
    assert any(n.startswith("The exchange network") for n in names)
    assert duplicate_names(html) == []
    assert all(names), "every region has a name"
