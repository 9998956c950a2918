"""Writes about pools: holders of a shared account decide together what it is spent on. Every
movement goes through ledger.services.transfer_post."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Organisation,
    Person,
    TimeBank,
)
from coproduce.community.permissions import standing_in
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from coproduce.core.notifications import notify
from coproduce.ledger.accounts import member_account_get_or_open, organisation_account_get_or_open
from coproduce.ledger.models import HOUR, Account, AccountKind, Transfer, TransferKind
from coproduce.ledger.services import transfer_post
from coproduce.partners.models import (
    Pool,
    PoolHolder,
    PoolSpend,
    SpendStatus,
)
from coproduce.partners.templatetags.partners import amount as format_amount

# --- pools --------------------------------------------------------------------------------------

_CURRENCY = re.compile(r"^[A-Z]{3}$")
# A money account here is a record, not a wallet: the money stays in people's own budgets and
# bank accounts, and the ledger writes down who put what into a pool and what the pool paid for.
# A contributor's account therefore goes below zero by what they have put in, with no floor
# (a floor of 0, as for time credits, would refuse every contribution: nothing ever pays into
# it first).
MONEY_FLOOR = -(10**12)
# The most one contribution may put into a pool: a typing slip (£10,000,000 for £100) is refused
# with the limit named, instead of being written into the ledger. Money in minor units (pence),
# hours in minutes. A larger budget goes in as several contributions, each one deliberate.
MAX_MONEY_CONTRIBUTION = 50_000_00  # £50,000.00
MAX_HOURS_CONTRIBUTION = 500 * 60  # 500 hours


def _money_account(*, timebank: TimeBank, unit: str, person: Person | None = None,
                   organisation: Organisation | None = None) -> Account:  # fmt: skip
    kind = AccountKind.MEMBER if person is not None else AccountKind.ORGANISATION
    account, _created = Account.objects.get_or_create(
        timebank=timebank,
        kind=kind,
        unit=unit,
        person=person,
        organisation=organisation,
        defaults={"min_balance": MONEY_FLOOR if person is not None else 0},
    )
    return account


def _require_active(person: Person, timebank: TimeBank) -> None:
    if not standing_in(person=person, timebank=timebank).can_trade:
        raise ApplicationError(
            _("%(name)s is not an active member of this time bank.")
            % {"name": person.display_name},
            "not_active",
        )


@transaction.atomic
def pool_create(
    *,
    timebank: TimeBank,
    acting: Person,
    name: str,
    unit: str,
    holders: Sequence[Person],
    approvals_required: int = 1,
    description: str = "",
    organisation: Organisation | None = None,
) -> Pool:
    """Open a pool. Its holders (active members; one or two must approve each spend) decide what
    it pays for. A member opens one they hold; a coordinator, or an organisation's staff for a
    pool of their organisation, may open one for others."""
    standing = standing_in(person=acting, timebank=timebank)
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the pool a name."), "name_required")
    if unit != HOUR and not _CURRENCY.match(unit or ""):
        raise ApplicationError(
            _("A pool counts hours, or money in a currency such as GBP."), "bad_unit"
        )
    if approvals_required not in (1, 2):
        raise ApplicationError(_("Spending needs the approval of one or two holders."))
    if organisation is not None and organisation.timebank_id != timebank.pk:
        raise NotFound(_("No such organisation."))
    holders = list({h.pk: h for h in holders}.values())
    if not holders:
        raise ApplicationError(_("A pool needs at least one holder."), "no_holders")
    if len(holders) < approvals_required:
        raise ApplicationError(
            _("Two approvals need at least two holders: add a second holder."), "too_few_holders"
        )
    for holder in holders:
        _require_active(holder, timebank)
    speaks_for_others = standing.is_coordinator or (
        organisation is not None and standing.is_staff_of(organisation.pk)
    )
    if not speaks_for_others and acting.pk not in {h.pk for h in holders}:
        raise PermissionDenied(_("You can open a pool you hold yourself."), "not_holder")
    if not speaks_for_others:
        _require_active(acting, timebank)
    account = Account.objects.create(
        timebank=timebank,
        kind=AccountKind.POOL,
        unit=unit,
        organisation=organisation,
        name=name[:160],
        min_balance=0,
    )
    pool = Pool.objects.create(
        timebank=timebank,
        name=name[:120],
        description=(description or "").strip(),
        unit=unit,
        account=account,
        organisation=organisation,
        approvals_required=approvals_required,
        created_by=acting,
    )
    PoolHolder.objects.bulk_create(
        [PoolHolder(timebank=timebank, pool=pool, person=h) for h in holders]
    )
    audit_record(
        action="pool.created",
        actor=acting,
        timebank_id=timebank.pk,
        target=f"pool:{pool.public_id}",
        data={
            "name": pool.name,
            "unit": unit,
            "approvals_required": approvals_required,
            "holders": [str(h.public_id) for h in holders],
        },
    )
    return pool


def _is_holder(pool: Pool, person: Person) -> bool:
    return pool.holder_rows.filter(person=person).exists()


@transaction.atomic
def pool_contribute(
    *, pool: Pool, acting: Person, amount: int, memo: str = "", token: str | None = None
) -> Transfer:
    """Put hours (or, for a money pool, a share of one's budget) into the pool. `token` comes
    from the form, so a form sent twice puts the amount in once."""
    timebank = pool.timebank
    _require_active(acting, timebank)
    if pool.is_money:
        if not _is_holder(pool, acting):
            raise PermissionDenied(
                _("Only the people clubbing their budgets together can add to this pool."),
                "not_holder",
            )
        payer = _money_account(timebank=timebank, unit=pool.unit, person=acting)
    else:
        payer = member_account_get_or_open(timebank=timebank, person=acting)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ApplicationError(_("Put in more than nothing."), "bad_amount")
    most = MAX_MONEY_CONTRIBUTION if pool.is_money else MAX_HOURS_CONTRIBUTION
    if amount > most:
        raise ApplicationError(
            _(
                "One contribution can be at most %(most)s. Check the amount; a larger budget "
                "goes in as several contributions."
            )
            % {"most": format_amount(most, pool.unit)},
            "amount_too_large",
        )
    transfer = transfer_post(
        timebank=timebank,
        acting=acting,
        payer=payer,
        payee=pool.account,
        minutes=amount,
        kind=TransferKind.POOL,
        memo=((memo or "").strip() or _("Into %(pool)s") % {"pool": pool.name})[:255],
        idempotency_key=f"pool-contribution:{pool.public_id}:{token}" if token else None,
    )
    return transfer


def _payee_account(pool: Pool, payee: Person | Organisation) -> Account:
    timebank = pool.timebank
    if isinstance(payee, Organisation):
        if payee.timebank_id != timebank.pk:
            raise NotFound(_("No such organisation."))
        if pool.is_money:
            return _money_account(timebank=timebank, unit=pool.unit, organisation=payee)
        return organisation_account_get_or_open(organisation=payee)
    _require_active(payee, timebank)
    if pool.is_money:
        return _money_account(timebank=timebank, unit=pool.unit, person=payee)
    return member_account_get_or_open(timebank=timebank, person=payee)


def _pending_total(pool: Pool) -> int:
    """What proposals still waiting for a second holder would take from the pool."""
    return sum(
        PoolSpend.objects.filter(pool=pool, status=SpendStatus.PENDING).values_list(
            "amount", flat=True
        )
    )


def _post_spend(spend: PoolSpend, acting: Person) -> None:
    transfer = transfer_post(
        timebank=spend.pool.timebank,
        acting=acting,
        payer=spend.pool.account,
        payee=spend.payee,
        minutes=int(spend.amount),
        kind=TransferKind.POOL,
        memo=spend.purpose[:255],
        idempotency_key=f"pool-spend:{spend.public_id}",
    )
    spend.status = SpendStatus.SPENT
    spend.approved_by = acting
    spend.decided_at = timezone.now()
    spend.transfer = transfer
    spend.save(update_fields=["status", "approved_by", "decided_at", "transfer"])


def _spend_url(spend: PoolSpend) -> str:
    return reverse("partners:pool", args=[spend.pool.public_id])


@transaction.atomic
def pool_spend_propose(
    *,
    pool: Pool,
    acting: Person,
    payee: Person | Organisation,
    amount: int,
    purpose: str,
) -> PoolSpend:
    """A holder proposes spending from the pool. When one approval is enough, theirs is it and
    the spend posts now; otherwise it waits for another holder."""
    # Locked so two proposals cannot both count the same balance as available.
    pool = Pool.objects.select_for_update().select_related("account", "timebank").get(pk=pool.pk)
    if not _is_holder(pool, acting):
        raise PermissionDenied(_("Only the pool's holders can spend from it."), "not_holder")
    purpose = (purpose or "").strip()
    if not purpose:
        raise ApplicationError(_("Say what it is for."), "purpose_required")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ApplicationError(_("Spend more than nothing."), "bad_amount")
    account = _payee_account(pool, payee)
    if account.pk == pool.account_id:
        raise ApplicationError(_("A pool cannot pay itself."), "same_account")
    if pool.approvals_required == 1 and isinstance(payee, Person) and payee.pk == acting.pk:
        # One approval is the proposer's own: nobody else would see the spend before it posts.
        raise PermissionDenied(
            _(
                "You cannot pay yourself from a pool on your approval alone: another holder "
                "has to propose it."
            ),
            "pays_self",
        )
    available = pool.account.balance - _pending_total(pool)
    if amount > available:
        raise ApplicationError(
            _("The pool has %(available)s to spend: ask for no more than that.")
            % {"available": format_amount(max(available, 0), pool.unit)},
            "over_balance",
        )
    spend = PoolSpend.objects.create(
        timebank=pool.timebank,
        pool=pool,
        payee=account,
        amount=amount,
        purpose=purpose[:200],
        proposed_by=acting,
    )
    audit_record(
        action="pool.spend_proposed",
        actor=acting,
        timebank_id=pool.timebank_id,
        target=f"pool:{pool.public_id}",
        data={"spend": str(spend.public_id), "amount": amount, "payee": str(account.public_id)},
    )
    if pool.approvals_required == 1:
        _post_spend(spend, acting)
        return spend
    for holder in pool.holders.exclude(pk=acting.pk):
        notify(
            person=holder,
            kind="pool_spend_proposed",
            timebank=pool.timebank,
            url=_spend_url(spend),
            message=lambda: (
                _(
                    "%(name)s proposes spending from %(pool)s: %(purpose)s. Please approve it or "
                    "not."
                )
                % {"name": acting.display_name, "pool": pool.name, "purpose": spend.purpose}
            ),
        )
    return spend


def _locked_spend(spend: PoolSpend) -> PoolSpend:
    # Locked so two holders deciding at once cannot both approve (or one approve, one refuse).
    return (
        PoolSpend.objects.select_for_update(of=("self",))
        .select_related("pool", "pool__account", "pool__timebank", "payee", "proposed_by")
        .get(pk=spend.pk)
    )


def _pending(spend: PoolSpend) -> None:
    if spend.status != SpendStatus.PENDING:
        raise Conflict(
            _("This proposal has already been decided: %(status)s.")
            % {"status": SpendStatus(spend.status).label.lower()},
            "decided",
        )


@transaction.atomic
def pool_spend_approve(*, spend: PoolSpend, acting: Person) -> PoolSpend:
    """A second holder approves: the spend posts. If the pool cannot cover it, nothing changes
    and the proposal stays waiting."""
    spend = _locked_spend(spend)
    if not _is_holder(spend.pool, acting):
        raise PermissionDenied(_("Only the pool's holders can approve spending."), "not_holder")
    _pending(spend)
    if spend.proposed_by_id == acting.pk:
        raise PermissionDenied(
            _("Another holder must approve this: you proposed it."), "own_proposal"
        )
    _post_spend(spend, acting)
    audit_record(
        action="pool.spend_approved",
        actor=acting,
        timebank_id=spend.timebank_id,
        target=f"pool:{spend.pool.public_id}",
        data={"spend": str(spend.public_id), "transfer": str(spend.transfer.public_id)},  # type: ignore[union-attr]
    )
    notify(
        person=spend.proposed_by,
        kind="pool_spend_decided",
        timebank=spend.pool.timebank,
        url=_spend_url(spend),
        message=lambda: (
            _("%(name)s approved spending from %(pool)s: %(purpose)s.")
            % {"name": acting.display_name, "pool": spend.pool.name, "purpose": spend.purpose}
        ),
    )
    return spend


@transaction.atomic
def pool_spend_refuse(*, spend: PoolSpend, acting: Person, reason: str = "") -> PoolSpend:
    """Another holder says no (with a reason), or the proposer withdraws their proposal."""
    spend = _locked_spend(spend)
    if not _is_holder(spend.pool, acting):
        raise PermissionDenied(_("Only the pool's holders can decide on spending."), "not_holder")
    _pending(spend)
    reason = (reason or "").strip()
    withdrawn = spend.proposed_by_id == acting.pk
    if not withdrawn and not reason:
        raise ApplicationError(_("Say why, so the others know."), "reason_required")
    spend.status = SpendStatus.WITHDRAWN if withdrawn else SpendStatus.REFUSED
    spend.refusal_reason = reason
    spend.decided_at = timezone.now()
    spend.approved_by = None
    spend.save(update_fields=["status", "refusal_reason", "decided_at", "approved_by"])
    audit_record(
        action="pool.spend_withdrawn" if withdrawn else "pool.spend_refused",
        actor=acting,
        timebank_id=spend.timebank_id,
        target=f"pool:{spend.pool.public_id}",
        data={"spend": str(spend.public_id), "reason": reason},
    )
    if not withdrawn:
        notify(
            person=spend.proposed_by,
            kind="pool_spend_decided",
            timebank=spend.pool.timebank,
            url=_spend_url(spend),
            message=lambda: (
                _("%(name)s did not approve spending from %(pool)s: %(reason)s")
                % {"name": acting.display_name, "pool": spend.pool.name, "reason": reason}
            ),
        )
    return spend
