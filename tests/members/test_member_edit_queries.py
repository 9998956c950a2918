"""Carol opens a member's edit page often (to pause someone, to widen limits): it costs a fixed
number of queries, whether or not the member's account is open yet."""

from __future__ import annotations

import pytest

from coproduce.ledger.accounts import member_account_get_or_open


@pytest.mark.parametrize("opened", [False, True])
def test_the_member_edit_page_uses_a_fixed_number_of_queries(
    login, carol, alice, riverside, opened, django_assert_max_num_queries
):
    if opened:
        member_account_get_or_open(timebank=riverside, person=alice)
    client = login(carol)
    with django_assert_max_num_queries(10):
        response = client.get(f"/members/{alice.public_id}/edit/")
    assert response.status_code == 200
    assert 'name="min_balance" value="-10"' in response.content.decode()
