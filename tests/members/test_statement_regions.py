"""The statement's tables scroll sideways inside their own box on a phone; each box is a named
region that takes keyboard focus, so it can be scrolled without a mouse (issue 13: axe's
"scrollable-region-focusable")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.web.landmarks import duplicate_names, landmarks


@pytest.mark.parametrize("name", ["account:statement", "account:statement_print"])
def test_every_scrolling_table_is_a_named_focusable_region(pay, alice, bob, login, name):
    pay(bob, alice, 90, memo="Gardening")
    html = login(alice).get(reverse(name)).content.decode()
    boxes = [
        (n, attrs) for role, n, attrs in landmarks(html) if "table-scroll" in attrs.get("class", "")
    ]
    assert boxes, "the statement's tables scroll in their own box"
    for box_name, attrs in boxes:
        assert attrs.get("tabindex") == "0" and attrs.get("role") == "region"
        assert box_name
    assert "Account history" in [n for n, _attrs in boxes]
    assert "overflow-auto" not in html
    assert duplicate_names(html) == []
