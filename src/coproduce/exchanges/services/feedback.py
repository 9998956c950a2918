"""Thanks after a confirmed exchange: a few words from one participant about another."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from coproduce.community.models import (
    Organisation,
    Person,
)
from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    Feedback,
    Side,
)
from coproduce.exchanges.selectors.exchanges import exchange_standing
from coproduce.exchanges.services._common import (
    _audit,
    _locked,
    _people_of,
    _tell,
)

FEEDBACK_MAX_LENGTH = 1000


@transaction.atomic
def feedback_give(
    *,
    exchange: Exchange,
    author: Person,
    message: str,
    about_person: Person | None = None,
    about_organisation: Organisation | None = None,
    private: bool = False,
) -> Feedback:
    """A few words of thanks from one participant about another, once the exchange is
    confirmed: one per author and person, no ratings. The person who received help may keep
    it between themselves and the person they thank."""
    exchange = _locked(exchange)
    me = exchange_standing(exchange=exchange, person=author)
    if not me.takes_part:
        raise PermissionDenied(
            _("Only the people taking part can give thanks for an exchange."), "not_a_participant"
        )
    if exchange.status != ExchangeStatus.CONFIRMED:
        raise Conflict(_("Thanks can be given once the exchange is confirmed."), "not_confirmed")
    if (about_person is None) == (about_organisation is None):
        raise ApplicationError(_("Choose who you are thanking."), "about_required")
    participants = list(exchange.participants.all())
    if about_person is not None:
        if about_person.pk == author.pk:
            raise ApplicationError(_("You can't thank yourself."), "self_thanks")
        taking_part = any(p.person_id == about_person.pk for p in participants)
    else:
        taking_part = any(p.organisation_id == about_organisation.pk for p in participants)  # type: ignore[union-attr]
    if not taking_part:
        raise ApplicationError(
            _("You can thank only someone who took part in this exchange."), "not_in_exchange"
        )
    message = (message or "").strip()
    if not message:
        raise ApplicationError(_("Write a few words of thanks."), "message_required")
    if len(message) > FEEDBACK_MAX_LENGTH:
        raise ApplicationError(
            _("Please keep it under %(n)s characters.") % {"n": FEEDBACK_MAX_LENGTH},
            "too_long",
        )
    if private and not me.on(Side.RECEIVER):
        raise ApplicationError(
            _("Only the person who received the help can keep their thanks private."),
            "private_not_allowed",
        )
    already = Feedback.objects.filter(
        exchange=exchange,
        author=author,
        about_person=about_person,
        about_organisation=about_organisation,
    ).exists()
    if already:
        raise Conflict(_("You have already said thank you for this exchange."), "already_thanked")
    feedback = Feedback.objects.create(
        timebank_id=exchange.timebank_id,
        exchange=exchange,
        author=author,
        about_person=about_person,
        about_organisation=about_organisation,
        message=message,
        private=private,
    )
    _audit(
        exchange,
        "thanked",
        author,
        about=f"person:{about_person.pk}"
        if about_person
        else f"organisation:{about_organisation.pk}",  # type: ignore[union-attr]
        private=private,
    )
    thanked = (
        [about_person]
        if about_person is not None
        else _people_of([p for p in participants if p.organisation_id == about_organisation.pk])  # type: ignore[union-attr]
    )
    _tell(
        exchange,
        thanked,
        kind="exchange_thanks",
        message=lambda: (
            _("%(name)s thanked you for %(title)s: “%(message)s”")
            % {"name": author.display_name, "title": exchange.title, "message": message}
        ),
        skip=author,
    )
    return feedback
