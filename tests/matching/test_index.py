"""The prepared index: each term row carries copies of its member's profile, kept in step by
the receivers and rebuilt the same way in bulk by timebank_reindex."""

from __future__ import annotations

import pytest

from coproduce.community.models import Membership
from coproduce.core.categories import Category
from coproduce.matching.index import CATEGORY_BIT, given_prior, slot_mask, timebank_reindex
from coproduce.matching.models import MatchProfile, MatchTerm
from coproduce.matching.services import preference_set

from .conftest import offer

COPIED = ("person_id", "area", "availability_mask", "excluded_mask")


def term_rows(timebank):
    return sorted(
        MatchTerm.objects.filter(timebank=timebank).values_list(
            "person_id", "term", "weight", "expires_at", "area", "availability_mask",
            "excluded_mask", "prior",
        )
    )  # fmt: skip


@pytest.mark.django_db
def test_bobs_terms_carry_copies_of_his_profile(bob, riverside):
    bob.availability = ["tue_am", "wed_pm"]
    bob.save()
    offer(bob, riverside, "Gardening and weeding")
    profile = MatchProfile.objects.get(person=bob, timebank=riverside)
    terms = list(MatchTerm.objects.filter(profile=profile))
    assert {t.term for t in terms} >= {"c:gardening", "garden"}
    for term in terms:
        assert all(getattr(term, name) == getattr(profile, name) for name in COPIED)
        assert term.availability_mask == slot_mask(["tue_am", "wed_pm"])
        assert term.prior == given_prior(profile.given_recently) == 100


@pytest.mark.django_db
def test_the_copies_follow_bobs_list_and_his_area(bob, riverside):
    offer(bob, riverside, "Gardening")
    preference_set(person=bob, timebank=riverside, excluded_categories=[Category.CARE])
    membership = Membership.objects.get(person=bob, timebank=riverside)
    membership.area = "  Southside "
    membership.save()
    for term in MatchTerm.objects.filter(person=bob):
        assert term.excluded_mask == CATEGORY_BIT[Category.CARE]
        assert term.area == "southside"


@pytest.mark.django_db
def test_a_paused_member_has_no_terms_until_they_come_back(bob, riverside):
    offer(bob, riverside, "Gardening")
    membership = Membership.objects.get(person=bob, timebank=riverside)
    membership.status = "paused"
    membership.save()
    assert not MatchTerm.objects.filter(person=bob).exists()
    assert MatchProfile.objects.get(person=bob).active is False
    membership.status = "active"
    membership.save()
    assert MatchTerm.objects.filter(person=bob, term="c:gardening").exists()


@pytest.mark.django_db
def test_a_bulk_rebuild_writes_exactly_what_the_receivers_wrote(alice, bob, dan, riverside):
    offer(bob, riverside, "Gardening and weeding", description="Lawns and hedges")
    offer(dan, riverside, "Lifts to the hospital", category=Category.TRANSPORT, tags="driving")
    dan.gives = "I can fix bikes"
    dan.save()
    preference_set(person=dan, timebank=riverside, excluded_categories=[Category.CHILDREN])
    Membership.objects.filter(person=alice).update(status="paused")  # a bulk write: no signal
    MatchProfile.objects.filter(person=alice).update(active=False)
    MatchTerm.objects.filter(person=alice).delete()
    before = term_rows(riverside)
    assert before
    summary = timebank_reindex(timebank=riverside)
    assert term_rows(riverside) == before
    assert f"{len(before):,} terms" in summary
