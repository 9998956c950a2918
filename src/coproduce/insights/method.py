"""How each figure is computed, in words a funder can check (shown on the page and in the PDF)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from coproduce.insights.outcomes import SMALL_GROUP

if TYPE_CHECKING:
    from coproduce.insights.selectors import Report


def method_notes(report: Report) -> list[tuple[str, str, str]]:
    """(key, title, note) for each family of figures."""
    days = report.network.isolation_days
    return [
        (
            "period",
            _("Period"),
            _(
                "Whole days from the start date to the end date, in the time bank's time zone. "
                "Help counts on the day it happened, not the day it was recorded. A transfer "
                "that was reversed as a mistake, and its reversal, are both left out."
            ),
        ),
        (
            "hours",
            _("Hours and exchanges"),
            _(
                "Hours of help are the time credits earned in the ledger for confirmed "
                "exchanges and co-design meetings (one credit is one hour, whatever the help). "
                "A group session counts each provider-receiver pair. Gifts of credits and "
                "grants from the community chest move credits but are not help: they are shown "
                "apart. Exchanges are confirmed exchanges."
            ),
        ),
        (
            "members",
            _("Active and new members, retention"),
            _(
                "Active members gave or received help in the period. New members were accepted "
                "in the period. Retention at 3, 6 and 12 months (a month counted as 30 days): "
                "of the members accepted at least that long before the end of the period, the "
                "share who gave or received help that long or longer after joining."
            ),
        ),
        (
            "reciprocity",
            _("Give and take"),
            _(
                "Giving is earning credits by helping; receiving is spending them on help. "
                "The ratio is the hours members received for each hour they gave. Organisations "
                "and the community chest are shown with their own accounts."
            ),
        ),
        (
            "network",
            _("The exchange network"),
            _(
                "People and organisations are the points; two are tied when they took part in "
                "a confirmed exchange together in the period, one giving and one receiving. A "
                "new tie is a pair whose first exchange fell in the period. Density is the "
                "share of all possible ties that exist. Separate groups are parts of the "
                "network with no tie between them. A connector is someone whose absence would "
                "split their group."
            ),
        ),
        (
            "isolation",
            _("At risk of isolation"),
            _(
                "Active members who have neither given nor received help for %(days)d days "
                "(counted from joining, for newcomers) and have no open offer or request, or "
                "who have had only one exchange partner ever."
            )
            % {"days": days},
        ),
        (
            "outcomes",
            _("Outcomes"),
            _(
                "Referral outcomes (stages, time to first exchange, wellbeing before and after) "
                "will be reported once referrals are recorded in the time bank."
            )
            if report.outcomes is None
            else _(
                "Referrals are those received from partner organisations in the period, by the "
                "day they were received; each is counted once, at the stage it has reached "
                "today. Time to first exchange is the median of the days from a referral being "
                "received to the referred person's first confirmed exchange, giving or "
                "receiving, over the people who have had one so far. Wellbeing is the Short "
                "Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS): the mean metric score (7 to "
                "35, from the published conversion table) of the measures taken at the start and "
                "at review. The change is the mean at review minus the mean at the start, "
                "measured only on the people with both measures. Each figure gives the number "
                "of people behind it; in the funder's report, a wellbeing figure behind fewer "
                "than %(n)d people is not shown, so that no one can be recognised from it."
            )
            % {"n": SMALL_GROUP},
        ),
        (
            "value",
            _("Estimated value"),
            _(
                "Hours of help multiplied by the value of an hour chosen by the time bank (for "
                "example the living wage). It is an estimate of what the help would cost to "
                "buy, not money paid or saved."
            ),
        ),
    ]
