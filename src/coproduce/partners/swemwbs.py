"""The Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS): seven statements about the last
two weeks, each scored 1 (none of the time) to 5 (all of the time).

The raw total (7 to 35) is converted to a metric score with the published Rasch conversion table
(Stewart-Brown et al., 2009; the table Warwick Medical School publishes with the scale). The
figures below were checked against that table: they are the published ones, to two decimals.
The scale is free to use but its authors ask users to register with Warwick Medical School; the
statements are quoted unchanged, as its licence requires.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.core.errors import ApplicationError

ITEMS = (
    gettext_lazy("I've been feeling optimistic about the future"),
    gettext_lazy("I've been feeling useful"),
    gettext_lazy("I've been feeling relaxed"),
    gettext_lazy("I've been dealing with problems well"),
    gettext_lazy("I've been thinking clearly"),
    gettext_lazy("I've been feeling close to other people"),
    gettext_lazy("I've been able to make up my own mind about things"),
)

ANSWERS = (
    (1, gettext_lazy("None of the time")),
    (2, gettext_lazy("Rarely")),
    (3, gettext_lazy("Some of the time")),
    (4, gettext_lazy("Often")),
    (5, gettext_lazy("All of the time")),
)

# Raw total → metric score (published SWEMWBS conversion table).
METRIC = {
    7: "7.00", 8: "9.51", 9: "11.25", 10: "12.40", 11: "13.33", 12: "14.08", 13: "14.75",
    14: "15.32", 15: "15.84", 16: "16.36", 17: "16.88", 18: "17.43", 19: "17.98", 20: "18.59",
    21: "19.25", 22: "19.98", 23: "20.73", 24: "21.54", 25: "22.35", 26: "23.21", 27: "24.11",
    28: "25.03", 29: "26.02", 30: "27.03", 31: "28.13", 32: "29.31", 33: "30.70", 34: "32.55",
    35: "35.00",
}  # fmt: skip


def swemwbs_score(items: list[int]) -> tuple[int, Decimal]:
    """The raw total and the metric score of seven answers, each 1 to 5."""
    if len(items) != len(ITEMS):
        raise ApplicationError(_("Answer all seven wellbeing statements."), "swemwbs_incomplete")
    for number, value in enumerate(items, start=1):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ApplicationError(
                _(
                    "Statement %(number)s needs an answer from 1 (none of the time) "
                    "to 5 (all of the time)."
                )
                % {"number": number},
                "swemwbs_item",
            )
    raw = sum(items)
    return raw, Decimal(METRIC[raw])
