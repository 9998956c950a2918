"""Who reads the referral report, and about which organisation: the page /referrals/report/ and
the API's `GET /referrals/report` both ask `referral_report_for`, so the rule is kept once.

The time bank's coordinators read every organisation's referrals together, or one
organisation's; staff who may refer read one of the organisations they refer for (the first by
name unless they choose). Anyone else, or an organisation they may not choose, is told there is
no such page or organisation (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from coproduce.community.models import Organisation, Person, TimeBank
from coproduce.community.permissions import organisations_referring_for, standing_in
from coproduce.core.errors import NotFound
from coproduce.partners import selectors


@dataclass(frozen=True)
class ReferralReport:
    """The report, the organisations the reader may choose between, which one it is about
    (None: all of them, for a coordinator) and whether the reader is a coordinator."""

    report: dict[str, Any]
    organisations: list[Organisation]
    chosen: Organisation | None
    is_coordinator: bool


def referral_report_for(
    *, person: Person, timebank: TimeBank, organisation: str = ""
) -> ReferralReport:
    """The report `person` may read, about the organisation whose public id is `organisation`
    (blank: all of them for a coordinator, else the first they refer for)."""
    standing = standing_in(person=person, timebank=timebank)
    if not (standing.is_coordinator or standing.refers):
        raise NotFound(_("No such page."))
    choices = list(
        Organisation.objects.filter(timebank=timebank).order_by("name")
        if standing.is_coordinator
        else organisations_referring_for(person=person, timebank=timebank)
    )
    chosen = None
    if organisation:
        chosen = next((o for o in choices if str(o.public_id) == organisation), None)
        if chosen is None:
            raise NotFound(_("No such organisation."))
    elif not standing.is_coordinator:
        chosen = choices[0]
    return ReferralReport(
        report=selectors.referral_report(person=person, timebank=timebank, organisation=chosen),
        organisations=choices,
        chosen=chosen,
        is_coordinator=standing.is_coordinator,
    )
