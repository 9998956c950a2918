"""A referred person inducted by the coordinator has their hour account from that moment
(issue 12, "Accounts open on activation")."""

from django.utils import timezone

from coproduce.ledger.models import Account, AccountKind
from coproduce.partners.services.referrals import referral_induct, referral_move


def test_edna_inducted_from_her_referral_has_an_account_at_zero(edna, carol, riverside):
    today = timezone.localdate()
    referral_move(referral=edna, acting=carol, to_status="contacted", on=today)
    referral_induct(referral=edna, acting=carol, inducted_on=today)
    edna.refresh_from_db()
    account = Account.objects.get(timebank=riverside, person=edna.person, kind=AccountKind.MEMBER)
    assert account.balance == 0
