"""The members app's writes, which join people (community) with their accounts (ledger): a
coordinator's changes to one member, and gifts and grants.

A coordinator's edit of a member changes the membership's role and status through community and
the account's limits through the ledger, in one transaction, and opens the account if it is not
open yet (community may not import the ledger, so it cannot do this itself).

Gifts and grants: hours that move without an exchange.

A member may give hours they have earned to the community chest or to another member they may
see (`community.selectors.members_visible_to`); staff of a partner organisation, who do not
browse members, give only to the chest; an applicant gives nothing until inducted. A
coordinator may grant hours from the chest to a member who cannot (yet) give back. Both post
through `transfer_post`, and both take an idempotency key so a double-clicked form posts once.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from coproduce.community import services as community_services
from coproduce.community.models import Membership, MembershipStatus, Person, TimeBank
from coproduce.community.permissions import gives_to_chest_only, require_coordinator
from coproduce.community.selectors import members_visible_to, membership_get
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, PermissionDenied
from coproduce.core.notifications import notify
from coproduce.core.units import format_hmm
from coproduce.ledger.accounts import chest_get_or_open, member_account_get_or_open
from coproduce.ledger.limits import account_limits_set
from coproduce.ledger.models import Account, Transfer, TransferKind
from coproduce.ledger.services import MAX_AMOUNT, transfer_post
from coproduce.members.selectors import member_account

MAX_NOTE = 200


# --- A coordinator's changes to a member -------------------------------------------------------


@transaction.atomic
def member_update(
    *,
    membership: Membership,
    acting: Person,
    role: str,
    status: str,
    min_balance: int,
    max_balance: int | None,
    reason: str,
) -> Membership:
    """A coordinator's changes to one member: role and status, and the account's limits (which
    need a reason). The account opens here if the member has not used it yet."""
    membership = community_services.membership_update(
        membership=membership, acting=acting, role=role, status=status
    )
    timebank = membership.timebank
    account = member_account(timebank, membership.person)
    current = (
        (account.min_balance, account.max_balance)
        if account is not None
        else (timebank.default_min_balance, timebank.default_max_balance)
    )
    if (min_balance, max_balance) != current:
        if not reason.strip():
            raise ApplicationError(_("Say why the limits are being changed."), "reason_required")
        if account is None:
            account = member_account_get_or_open(timebank=timebank, person=membership.person)
        account_limits_set(
            account=account,
            min_balance=min_balance,
            max_balance=max_balance,
            acting=acting,
            reason=reason,
        )
    return membership


# --- Gifts and grants --------------------------------------------------------------------------


class GiftError(ApplicationError):
    """A gift or grant that was refused; nothing has been written."""


def _active_member(*, person: Person | None, timebank: TimeBank) -> bool:
    return (
        person is not None
        and Membership.objects.filter(
            person=person, timebank=timebank, status=MembershipStatus.ACTIVE
        ).exists()
    )


def _check_minutes(minutes: int) -> None:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise GiftError(_("Time is counted in whole minutes."), "bad_amount")
    if minutes <= 0:
        raise GiftError(_("Give at least one minute."), "zero")
    if minutes > MAX_AMOUNT:
        raise GiftError(_("That amount is far too large to be right."), "bad_amount")


def _lock(*accounts: Account) -> dict[int, int]:
    """Lock the accounts in id order (the order transfer_post uses, so the two can never
    deadlock) and return their balances: the check that the giver has the hours, and the
    posting, must see the same balance, or two quick gifts could both pass the check."""
    rows = (
        Account.objects.select_for_update()
        .filter(pk__in=[account.pk for account in accounts])
        .order_by("pk")
        .values_list("pk", "balance")
    )
    return dict(rows)


def _existing(timebank: TimeBank, key: str) -> Transfer | None:
    return Transfer.objects.filter(timebank=timebank, idempotency_key=key).first()


@transaction.atomic
def gift_give(
    *,
    timebank: TimeBank,
    giver: Person,
    to_chest: bool,
    to_person: Person | None = None,
    minutes: int,
    note: str = "",
    idempotency_key: str,
) -> Transfer:
    """Give `minutes` of the giver's own hours to the community chest or to another member.

    A gift comes only from hours the giver has: a member may go below zero to receive help,
    but not to give credit away (the chest would then hand out the community's debt).
    """
    _check_minutes(minutes)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise GiftError(
            _("Please keep the note to %(n)d characters.") % {"n": MAX_NOTE}, "note_too_long"
        )
    if to_chest == (to_person is not None):
        raise GiftError(
            _("Choose either the community chest or one member to give to."), "no_recipient"
        )
    membership = membership_get(person=giver, timebank=timebank)
    if membership is None or membership.status != MembershipStatus.ACTIVE:
        raise PermissionDenied(
            _("Only an active member of this time bank can give hours."), "not_member"
        )
    if to_person is not None:
        if to_person.pk == giver.pk:
            raise GiftError(_("You cannot give hours to yourself."), "yourself")
        if gives_to_chest_only(membership):
            raise PermissionDenied(
                _(
                    "As staff of a partner organisation you can give hours to the community "
                    "chest, not to a member you choose."
                ),
                "professional_gift",
            )
        if not members_visible_to(viewer=giver, timebank=timebank).filter(pk=to_person.pk).exists():
            raise GiftError(
                _("%(name)s is not an active member of this time bank.")
                % {"name": to_person.display_name},
                "recipient_not_member",
            )
        payee = member_account_get_or_open(timebank=timebank, person=to_person)
        recipient = to_person.display_name
    else:
        payee = chest_get_or_open(timebank=timebank)
        recipient = str(_("the community chest"))
    payer = member_account_get_or_open(timebank=timebank, person=giver)

    key = f"gift:{giver.public_id}:{idempotency_key}"
    balances = _lock(payer, payee)
    if (existing := _existing(timebank, key)) is not None:
        return existing
    if balances[payer.pk] < minutes:
        raise GiftError(
            _(
                "You have %(have)s hours, so you can give at most that. A gift can only "
                "come from hours you have earned."
            )
            % {"have": format_hmm(max(balances[payer.pk], 0))},
            "not_enough",
        )
    transfer = transfer_post(
        timebank=timebank,
        acting=giver,
        payer=payer,
        payee=payee,
        minutes=minutes,
        memo=note or (_("Gift to %(name)s") % {"name": recipient}),
        kind=TransferKind.GIFT,
        idempotency_key=key,
    )
    audit_record(
        action="ledger.gift_given",
        actor=giver,
        timebank_id=timebank.pk,
        target=f"transfer:{transfer.public_id}",
        data={
            "minutes": minutes,
            "to": "chest" if to_chest else f"person:{to_person.public_id}",  # type: ignore[union-attr]
            "note": note,
        },
    )
    if to_person is not None:

        def message() -> str:
            text = _("%(giver)s gave you %(hours)s hours as a gift.") % {
                "giver": giver.display_name,
                "hours": format_hmm(minutes),
            }
            if note:
                text += " " + _("Their note: “%(note)s”") % {"note": note}
            return text

        notify(
            person=to_person,
            kind="gift_received",
            message=message,
            url=reverse("account:statement"),
            timebank=timebank,
        )
    return transfer


@transaction.atomic
def grant_from_chest(
    *,
    timebank: TimeBank,
    coordinator: Person,
    to_person: Person,
    minutes: int,
    reason: str,
    idempotency_key: str,
) -> Transfer:
    """A coordinator grants hours from the community chest to a member who cannot give back
    (yet). The reason is required: it becomes the transfer's memo and is audited."""
    require_coordinator(
        person=coordinator, timebank=timebank, message=_("Only a coordinator can grant hours.")
    )
    _check_minutes(minutes)
    reason = (reason or "").strip()
    if not reason:
        raise GiftError(_("Say why these hours are granted."), "reason_required")
    if len(reason) > MAX_NOTE:
        raise GiftError(
            _("Please keep the reason to %(n)d characters.") % {"n": MAX_NOTE}, "reason_too_long"
        )
    if to_person.pk == coordinator.pk:
        raise GiftError(
            _("A coordinator cannot grant hours to themselves; ask another coordinator."),
            "yourself",
        )
    if not _active_member(person=to_person, timebank=timebank):
        raise GiftError(
            _("%(name)s is not an active member of this time bank.")
            % {"name": to_person.display_name},
            "recipient_not_member",
        )
    chest = chest_get_or_open(timebank=timebank)
    payee = member_account_get_or_open(timebank=timebank, person=to_person)

    key = f"grant:{idempotency_key}"
    balances = _lock(chest, payee)
    if (existing := _existing(timebank, key)) is not None:
        return existing
    if balances[chest.pk] < minutes:
        raise GiftError(
            _(
                "The community chest holds %(have)s hours, not enough for this grant. "
                "Members can donate hours to it from their account page."
            )
            % {"have": format_hmm(max(balances[chest.pk], 0))},
            "chest_empty",
        )
    transfer = transfer_post(
        timebank=timebank,
        acting=coordinator,
        payer=chest,
        payee=payee,
        minutes=minutes,
        memo=reason,
        kind=TransferKind.GRANT,
        idempotency_key=key,
    )
    audit_record(
        action="ledger.grant_made",
        actor=coordinator,
        timebank_id=timebank.pk,
        target=f"transfer:{transfer.public_id}",
        data={"minutes": minutes, "to": f"person:{to_person.public_id}", "reason": reason},
    )
    notify(
        person=to_person,
        kind="grant_received",
        message=lambda: (
            _("%(timebank)s has given you %(hours)s hours from the community chest: %(reason)s")
            % {"timebank": timebank.name, "hours": format_hmm(minutes), "reason": reason}
        ),
        url=reverse("account:statement"),
        timebank=timebank,
    )
    return transfer
