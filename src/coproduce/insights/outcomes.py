"""Referral outcomes for the insights report: the people partner organisations referred in the
period and the stage each has reached, how long they waited for their first exchange, and their
wellbeing (SWEMWBS) at the start and at review, each figure with the number of people behind it.

The figures are computed by `partners.selectors.referral_outcomes`; this module gives them the
shape the report's pages and exports share, and hides the wellbeing figures that stand on too
few people before they reach a funder.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from coproduce.partners.models import Referral, ReferralStatus
from coproduce.partners.selectors import referral_outcomes

if TYPE_CHECKING:
    from coproduce.community.models import TimeBank
    from coproduce.insights.period import ReportPeriod

# A wellbeing figure behind fewer people than this is not shown to funders: a mean of two or
# three people's scores, next to what a funder may know of who was referred, identifies them.
SMALL_GROUP = 5


@dataclass(frozen=True)
class Measure:
    """A figure (a median or a mean) and the number of people behind it.

    `value` is None when no one is behind it. `suppressed` means the group was too small to show
    (the funder's view): then neither the value nor the exact number is given.
    """

    value: float | None
    n: int | None
    suppressed: bool = False

    def without_small_group(self) -> Measure:
        if self.n is not None and 0 < self.n < SMALL_GROUP:
            return Measure(value=None, n=None, suppressed=True)
        return self


@dataclass(frozen=True)
class Outcomes:
    referrals: int  # received in the period
    by_stage: dict[str, int]  # every ReferralStatus value → referrals now at that stage
    median_days_to_first_exchange: Measure  # from received to the first confirmed exchange
    wellbeing_start: Measure  # mean SWEMWBS metric score at the start
    wellbeing_review: Measure  # mean SWEMWBS metric score at review
    wellbeing_change: Measure  # review minus start, on the people measured both times

    @property
    def stages(self) -> list[tuple[str, int]]:
        """(translated label, referrals) for each stage, in the order a referral moves."""
        return [
            (str(ReferralStatus(status).label), self.by_stage.get(status, 0))
            for status in ReferralStatus.values
        ]

    def for_funders(self) -> Outcomes:
        """The same figures with every wellbeing figure behind fewer than SMALL_GROUP people
        suppressed. Stage counts and the wait for a first exchange are not health data and stay."""
        return replace(
            self,
            wellbeing_start=self.wellbeing_start.without_small_group(),
            wellbeing_review=self.wellbeing_review.without_small_group(),
            wellbeing_change=self.wellbeing_change.without_small_group(),
        )

    def as_dict(self) -> dict[str, Any]:
        """For the JSON export: plain numbers, stage codes as keys."""
        return asdict(self)


def outcomes_for(timebank: TimeBank, period: ReportPeriod) -> Outcomes | None:
    """Referral outcomes for referrals received in the period, stages and first exchanges as
    they stand today.

    None when the time bank has never recorded a referral (one query), so the pages can say
    there is no referral data rather than show a row of zeros; otherwise five queries.
    """
    if not Referral.objects.filter(timebank=timebank).exists():
        return None
    figures = referral_outcomes(timebank=timebank, start=period.start, end=period.end)
    swemwbs = figures["swemwbs"]
    return Outcomes(
        referrals=figures["referrals"],
        by_stage=dict(figures["by_stage"]),
        median_days_to_first_exchange=Measure(
            figures["median_days_to_first_exchange"], figures["first_exchange_n"]
        ),
        wellbeing_start=Measure(swemwbs["before"]["mean"], swemwbs["before"]["n"]),
        wellbeing_review=Measure(swemwbs["after"]["mean"], swemwbs["after"]["n"]),
        wellbeing_change=Measure(swemwbs["change"]["mean"], swemwbs["change"]["n"]),
    )
