"""When people are free: a small fixed set of slots (day by morning/afternoon/evening), so a
request's times and a person's availability can be compared exactly."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

DAYS = [
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
]
PARTS = [("am", _("morning")), ("pm", _("afternoon")), ("eve", _("evening"))]
SLOTS = [f"{day}_{part}" for day, _label in DAYS for part, _plabel in PARTS]


def slot_choices() -> list[tuple[str, str]]:
    return [
        (f"{day}_{part}", f"{day_label} {part_label}")
        for day, day_label in DAYS
        for part, part_label in PARTS
    ]
