"""Two banks agree to let their members help each other: one proposes, the other accepts,
either pauses (that bank alone resumes) or stops; each bank's clearing account for the other
carries the limit that bank chose, and every step is audited in both banks."""

from __future__ import annotations

import pytest

from coproduce.core.audit import AuditEvent
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.federation.models import Partnership, PartnershipStatus
from coproduce.federation.services import (
    partnership_accept,
    partnership_decline,
    partnership_limit_set,
    partnership_pause,
    partnership_propose,
    partnership_resume,
    partnership_stop,
)
from coproduce.ledger.models import Account, AccountKind
from tests.federation.conftest import TEN_HOURS


def test_carol_proposes_and_harry_accepts_each_bank_holding_a_clearing_account(partners):
    assert partners.status == PartnershipStatus.ACTIVE
    mine = Account.objects.get(pk=partners.proposer_clearing_id)
    theirs = Account.objects.get(pk=partners.partner_clearing_id)
    assert (mine.timebank_id, theirs.timebank_id) == (partners.proposer_id, partners.partner_id)
    assert mine.kind == theirs.kind == AccountKind.CLEARING
    # Each floor is how far the other bank may go into debt to this one.
    assert mine.min_balance == theirs.min_balance == -TEN_HOURS
    actions = set(
        AuditEvent.objects.filter(target=f"partnership:{partners.public_id}").values_list(
            "action", "timebank_id"
        )
    )
    assert actions == {
        ("federation.proposed", partners.proposer_id),
        ("federation.proposed", partners.partner_id),
        ("federation.accepted", partners.proposer_id),
        ("federation.accepted", partners.partner_id),
    }


def test_hillside_coordinators_are_told_of_the_proposal(riverside, hillside, carol, harry):
    partnership_propose(timebank=riverside, partner=hillside, acting=carol, limit_minutes=60)
    notice = harry.notifications.get()
    assert "Riverside Time Bank would like" in notice.message
    assert notice.timebank_id == hillside.pk


def test_only_a_coordinator_proposes_and_nothing_is_written(riverside, hillside, alice, harry):
    with pytest.raises(PermissionDenied):
        partnership_propose(timebank=riverside, partner=hillside, acting=alice, limit_minutes=60)
    assert not Partnership.objects.exists()
    assert not Account.objects.filter(kind=AccountKind.CLEARING).exists()


def test_a_negative_limit_is_refused(riverside, hillside, carol, harry):
    with pytest.raises(ApplicationError, match="zero or more hours"):
        partnership_propose(timebank=riverside, partner=hillside, acting=carol, limit_minutes=-60)
    assert not Partnership.objects.exists()


def test_the_proposing_bank_cannot_accept_its_own_proposal(riverside, hillside, carol, harry):
    proposed = partnership_propose(
        timebank=riverside, partner=hillside, acting=carol, limit_minutes=60
    )
    with pytest.raises(PermissionDenied):
        partnership_accept(partnership=proposed, timebank=riverside, acting=carol, limit_minutes=60)
    proposed.refresh_from_db()
    assert proposed.status == PartnershipStatus.PROPOSED
    assert proposed.partner_clearing_id is None


def test_a_coordinator_of_a_third_bank_cannot_touch_it(partners, riverside, hillside, db):
    from coproduce.community.models import TimeBank
    from tests.conftest import _join, _person

    valley = TimeBank.objects.create(slug="valley", name="Valley Time Bank")
    vic = _join(valley, _person("vic", "Vic", "Vale"), role="coordinator")
    with pytest.raises(ApplicationError):
        partnership_stop(partnership=partners, timebank=valley, acting=vic)
    partners.refresh_from_db()
    assert partners.is_active


def test_a_second_partnership_between_the_same_banks_is_refused(
    partners, hillside, riverside, harry
):
    with pytest.raises(Conflict, match="already a partnership"):
        partnership_propose(timebank=hillside, partner=riverside, acting=harry, limit_minutes=60)
    assert Partnership.objects.count() == 1


def test_either_bank_pauses_and_only_that_bank_resumes(partners, riverside, hillside, carol, harry):
    partnership_pause(partnership=partners, timebank=hillside, acting=harry)
    with pytest.raises(PermissionDenied, match="only they can resume"):
        partnership_resume(partnership=partners, timebank=riverside, acting=carol)
    partners.refresh_from_db()
    assert partners.is_paused
    partnership_resume(partnership=partners, timebank=hillside, acting=harry)
    partners.refresh_from_db()
    assert partners.is_active


def test_stopping_keeps_the_accounts_and_a_new_partnership_takes_them_up(
    partners, riverside, hillside, carol, harry
):
    partnership_stop(partnership=partners, timebank=riverside, acting=carol)
    partners.refresh_from_db()
    assert partners.status == PartnershipStatus.STOPPED
    assert partners.ended_at is not None
    again = partnership_propose(
        timebank=hillside, partner=riverside, acting=harry, limit_minutes=120
    )
    again = partnership_accept(
        partnership=again, timebank=riverside, acting=carol, limit_minutes=30
    )
    # Hillside proposed this time: its account is the proposer's now, the same row as before.
    assert again.proposer_clearing_id == partners.partner_clearing_id
    assert again.partner_clearing_id == partners.proposer_clearing_id
    assert Account.objects.filter(kind=AccountKind.CLEARING).count() == 2
    assert Account.objects.get(pk=again.proposer_clearing_id).min_balance == -120
    assert Account.objects.get(pk=again.partner_clearing_id).min_balance == -30


def test_a_declined_proposal_can_be_proposed_again(riverside, hillside, carol, harry):
    proposed = partnership_propose(
        timebank=riverside, partner=hillside, acting=carol, limit_minutes=60
    )
    partnership_decline(partnership=proposed, timebank=hillside, acting=harry)
    proposed.refresh_from_db()
    assert proposed.status == PartnershipStatus.DECLINED
    partnership_propose(timebank=riverside, partner=hillside, acting=carol, limit_minutes=60)
    assert Partnership.objects.count() == 2


def test_each_bank_sets_only_its_own_limit(partners, hillside, harry):
    partnership_limit_set(partnership=partners, timebank=hillside, acting=harry, limit_minutes=90)
    assert Account.objects.get(pk=partners.partner_clearing_id).min_balance == -90
    assert Account.objects.get(pk=partners.proposer_clearing_id).min_balance == -TEN_HOURS
