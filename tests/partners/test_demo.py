"""The partners' part of the demo community."""

from __future__ import annotations

from random import Random

from coproduce.demo.partners import partners_demo_build
from coproduce.ledger.models import Account
from coproduce.partners.models import Pool, Referral, ReferralStatus
from coproduce.partners.selectors import referral_report
from tests.conftest import _join, _person


def test_the_demo_has_referrals_at_every_stage_and_two_pools(
    riverside, carol, dr_patel, sam, alice, bob
):
    dan = _join(riverside, _person("dan", "Dan", "Evans"))
    eve = _join(riverside, _person("eve", "Eve", "Green"))
    made = partners_demo_build(
        timebank=riverside,
        rng=Random(7),
        carol=carol,
        dr_patel=dr_patel,
        sam=sam,
        members=[alice, bob, dan, eve],
    )
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == set(ReferralStatus.values)
    assert made["referrals"] == Referral.objects.count() == 11
    assert made["first_exchanges"] == 4
    assert Pool.objects.count() == 2
    # Consent is given before the referral arrives (or the same day), never after.
    for referral in Referral.objects.all():
        assert referral.consent_given_on <= referral.received_at.date(), referral.display_name
    report = referral_report(person=dr_patel, timebank=riverside, organisation=None)
    summary = report["summary"]
    assert summary["swemwbs"]["change"]["n"] == 2
    assert summary["median_days_to_first_exchange"] is not None
    # The ledger still balances per unit.
    for unit in ("hour", "GBP"):
        total = sum(
            Account.objects.filter(timebank=riverside, unit=unit).values_list("balance", flat=True)
        )
        assert total == 0
