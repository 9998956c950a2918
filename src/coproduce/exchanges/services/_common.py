"""What the exchange services share: looking an exchange up under its row lock, the checks
every step makes, and how they tell people and leave an audit row. Private to this package."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _

from coproduce.community.blocks import is_blocked_between  # conversations (issue 13)
from coproduce.community.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationStaff,
    Person,
    TimeBank,
)
from coproduce.community.safeguarding import givers_check_require, pause_refuses
from coproduce.core.audit import audit_record
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.notifications import Words, notify
from coproduce.core.units import format_hmm
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    Participant,
)
from coproduce.ledger.accounts import member_account_get_or_open, organisation_account_get_or_open
from coproduce.ledger.models import Account

Party = Person | Organisation


def _locked(exchange: Exchange) -> Exchange:
    # Re-read the exchange under a row lock: this closes the race of two actions arriving
    # together (a confirmation and a cancellation, or two confirmations), as the second waits
    # for the first to commit and then sees its status.
    return (
        Exchange.objects.select_for_update(of=("self",))
        .select_related("timebank", "transfer")
        .prefetch_related("participants__person", "participants__organisation")
        .get(pk=exchange.pk)
    )


def _check_minutes(minutes: int | None, timebank: TimeBank) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise ApplicationError(_("Give the time as more than zero minutes."), "bad_minutes")
    if minutes > timebank.max_exchange_minutes:
        raise ApplicationError(
            _("One exchange can be at most %(max)s hours. Split longer help into several.")
            % {"max": format_hmm(timebank.max_exchange_minutes)},
            "too_long",
        )
    return minutes


def _party_key(party: Party) -> tuple[str, int]:
    return ("person" if isinstance(party, Person) else "organisation", party.pk)


def _party_account(timebank: TimeBank, party: Party) -> Account:
    """The party's hour account, opened on first use, after checking they may trade here."""
    if isinstance(party, Organisation):
        if party.timebank_id != timebank.pk:
            raise ApplicationError(
                _("%(name)s is not a partner of this time bank.") % {"name": party.name},
                "not_member",
            )
        return organisation_account_get_or_open(organisation=party)
    membership = Membership.objects.filter(person=party, timebank=timebank).first()
    if membership is None or membership.status != MembershipStatus.ACTIVE:
        raise ApplicationError(
            _(
                "%(name)s is not an active member of this time bank yet, so cannot give or "
                "receive help. The coordinator activates new members after meeting them."
            )
            % {"name": party.display_name},
            "not_active",
        )
    return member_account_get_or_open(timebank=timebank, person=party)


def _safeguarding_require(
    *,
    timebank: TimeBank,
    category: str,
    providers: Sequence[Party],
    others: Sequence[Party],
    acting: Person,
) -> None:
    """The safeguarding rules every path that arranges an exchange obeys (web, API, matching's
    invitation, a coordinator's log): no one under a safeguarding pause takes part or acts, and
    whoever gives help of a kind that needs a check holds a current one (community.safeguarding).
    """
    pause_refuses(timebank=timebank, people=[*providers, *others], acting=acting)
    givers_check_require(timebank=timebank, category=category, givers=providers)


def _people_of(participants: Sequence[Participant], side: str | None = None) -> list[Person]:
    """Everyone to tell about a change: the people taking part, and the staff of organisations
    taking part."""
    chosen = [p for p in participants if side is None or p.side == side]
    people: dict[int, Person] = {p.person.pk: p.person for p in chosen if p.person is not None}
    organisation_ids = [p.organisation_id for p in chosen if p.organisation_id is not None]
    if organisation_ids:
        for staff in OrganisationStaff.objects.filter(
            organisation_id__in=organisation_ids
        ).select_related("person"):
            people.setdefault(staff.person.pk, staff.person)
    return list(people.values())


def _proposal_message(
    exchange: Exchange, *, proposer: Person, acting: Person, asks_for_help: bool
) -> str:
    """What the other side of a new proposal reads. It names who really acted: a coordinator
    proposing on a member's behalf (the broker queue's "Ask") says so, rather than telling the
    volunteer that the member proposed; and the person who posted a request asking someone to
    help with it (matching's "Ask them") is asking, not proposing."""
    values = {
        "name": proposer.display_name,
        "coordinator": acting.display_name,
        "title": exchange.title,
        "hours": format_hmm(exchange.expected_minutes),
    }
    if proposer.pk != acting.pk:
        if asks_for_help:
            text = _(
                "%(coordinator)s, a coordinator, asked you on %(name)s's behalf to help with "
                "“%(title)s” (%(hours)s h). Please agree to it or cancel it."
            )
        else:
            text = _(
                "%(coordinator)s, a coordinator, proposed an exchange on %(name)s's behalf: "
                "%(title)s (%(hours)s h). Please agree to it or cancel it."
            )
    elif asks_for_help:
        text = _(
            "%(name)s asked you to help with “%(title)s” (%(hours)s h). Please agree to it or "
            "cancel it."
        )
    else:
        text = _(
            "%(name)s has proposed an exchange: %(title)s (%(hours)s h). Please agree to it or "
            "cancel it."
        )
    return text % values


def _cancelled_words(acting: Person, exchange: Exchange, reason: str) -> str:
    text = _("%(name)s cancelled the exchange: %(title)s.") % {
        "name": acting.display_name,
        "title": exchange.title,
    }
    if reason:
        text += " " + _("Reason: %(reason)s") % {"reason": reason}
    return text


def _url(exchange: Exchange) -> str:
    return reverse("exchanges:exchange", args=[exchange.public_id])


def _tell(
    exchange: Exchange, people: Sequence[Person], *, kind: str, message: Words, skip: Person | None
) -> None:
    """Tell the people of an exchange: `message` is a function writing the words (see
    `core.notifications.notify`), called in each recipient's language."""
    # A member of a partner bank hears in their own bank (federation).
    visiting = {
        p.person_id: p.timebank
        for p in exchange.participants.all()
        if p.person_id is not None and p.timebank_id != exchange.timebank_id
    }
    for person in people:
        if skip is not None and person.pk == skip.pk:
            continue
        notify(
            person=person,
            kind=kind,
            message=message,
            url=_url(exchange),
            timebank=visiting.get(person.pk, exchange.timebank),
        )


def _audit(
    exchange: Exchange,
    action: str,
    acting: Person,
    on_behalf_of: Person | None = None,
    **data: object,
) -> None:
    audit_record(
        action=f"exchange.{action}",
        actor=acting,
        timebank_id=exchange.timebank_id,
        on_behalf_of=on_behalf_of,
        target=f"exchange:{exchange.public_id}",
        data={"status": exchange.status, **data},
    )


def _only_person(participants: Sequence[Participant], side: str) -> Person | None:
    people = [p.person for p in participants if p.side == side and p.person_id is not None]
    return people[0] if len(people) == 1 else None


def _note(exchange: Exchange, line: str) -> None:
    exchange.notes = f"{exchange.notes}\n\n{line}".strip() if exchange.notes else line


def _status_conflict(exchange: Exchange) -> Conflict:
    messages = {
        ExchangeStatus.PROPOSED: _("This exchange has not been agreed yet."),
        ExchangeStatus.AGREED: _("This exchange has not been marked done yet."),
        ExchangeStatus.DONE: _("This exchange is done and waiting to be confirmed."),
        ExchangeStatus.DISPUTED: _(
            "A problem has been raised about this exchange; a coordinator will sort it out."
        ),
        ExchangeStatus.CONFIRMED: _(
            "This exchange is already confirmed and its credits have moved. If that was a "
            "mistake, a coordinator can reverse it."
        ),
        ExchangeStatus.CANCELLED: _("This exchange was cancelled."),
    }
    return Conflict(messages[ExchangeStatus(exchange.status)], "wrong_status")


def refuse_blocked(providers: Sequence[Party], receivers: Sequence[Party]) -> None:
    """Conversations (issue 13): no exchange between two people where one blocked the other."""
    givers = [p for p in providers if isinstance(p, Person)]
    takers = [p for p in receivers if isinstance(p, Person)]
    if any(is_blocked_between(g, t) for g in givers for t in takers):
        raise PermissionDenied(_("You cannot arrange an exchange with this person."), "blocked")
