"""Each section's rows are marked up byte for byte as the row templates they replaced printed
them (coordination.rows): `row_markup.json` holds what `coordination/rows/<key>.html` gave for
these stand-in rows (names and titles with markup in them, missing areas, notes and reasons, a
referral from an organisation, each near-limit case), in English and in Welsh, at a frozen
moment, recorded before the templates went."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from types import SimpleNamespace as NS
from uuid import UUID

import pytest
from django.utils import translation
from django.utils.timesince import timesince

from coproduce.coordination import rows as rows_module
from coproduce.coordination.rows import rows_html

EXPECTED = json.loads((Path(__file__).parent / "row_markup.json").read_text(encoding="utf-8"))

ID = UUID("12345678-1234-5678-1234-567812345678")
NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


def person(name: str = "Siân <b>O'Neil</b> & co") -> NS:
    return NS(public_id=ID, display_name=name)


def parts() -> NS:
    return NS(
        all=lambda: [
            NS(person=person("Ann"), organisation=None, side="provider", confirmed_at=None),
            NS(
                person=None, organisation=NS(name="Surgery & co"), side="receiver", confirmed_at=NOW
            ),
        ]
    )


ROWS = {
    "applications": [
        NS(
            person=person(),
            area="North <end>",
            applied_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
            application_note="I'd like to <help> " + "word " * 30,
        ),
        NS(
            person=person("Bo"),
            area="",
            applied_at=datetime(2026, 3, 10, 9, tzinfo=UTC),
            application_note="",
        ),
    ],
    "referrals": [
        NS(
            public_id=ID,
            display_name="Dee <x>",
            area="South",
            organisation=NS(name="GP & co"),
            received_at=datetime(2026, 2, 1, tzinfo=UTC),
        ),
        NS(
            public_id=ID,
            display_name="Ed",
            area=None,
            organisation=NS(name="GP"),
            received_at=datetime(2026, 3, 19, tzinfo=UTC),
        ),
    ],
    "unconfirmed": [
        NS(
            public_id=ID,
            title="Fix the <shelf>",
            done_since=datetime(2026, 3, 1, tzinfo=UTC),
            actual_minutes=None,
            expected_minutes=90,
            participants=parts(),
        )
    ],
    "disputes": [
        NS(
            public_id=ID,
            title="Fix the <shelf>",
            dispute_reason="It's <late> " + "word " * 30,
            participants=parts(),
        ),
        NS(public_id=ID, title="Lift", dispute_reason="", participants=parts()),
    ],
    "unanswered": [
        NS(
            public_id=ID,
            title="Lift <to> town",
            person=person(),
            organisation=None,
            created_at=datetime(2026, 2, 20, tzinfo=UTC),
            area="East & West",
            get_category_display=lambda: "Transport & <lifts>",
        ),
        NS(
            public_id=ID,
            title="Walk",
            person=None,
            organisation=NS(name="Club & co"),
            created_at=datetime(2026, 2, 20, tzinfo=UTC),
            area="",
            get_category_display=lambda: "Walks",
        ),
        NS(
            public_id=ID,
            title="Walk",
            person=None,
            organisation=None,
            created_at=datetime(2026, 2, 20, tzinfo=UTC),
            area="",
            get_category_display=lambda: "Walks",
        ),
    ],
    "inactive": [
        NS(
            person=person(),
            area="North",
            last_exchange=datetime(2026, 1, 1, tzinfo=UTC),
            joined=datetime(2025, 1, 2, 23, 30, tzinfo=UTC),
        ),
        NS(
            person=person("Bo"),
            area="",
            last_exchange=None,
            joined=datetime(2025, 7, 2, 23, 30, tzinfo=UTC),
        ),
    ],
    "only-receiving": [
        NS(public_id=ID, display_name="Bob <b>", times=1),
        NS(public_id=ID, display_name="Bob", times=1234),
    ],
    "only-giving": [
        NS(public_id=ID, display_name="Bob <b>", times=1),
        NS(public_id=ID, display_name="Bob", times=3),
    ],
    "paused": [
        NS(
            person=person(),
            started_at=datetime(2026, 3, 4, 10, tzinfo=UTC),
            started_by=person("Carol <c>"),
        )
    ],
    "checks-expiring": [
        NS(person=person(), get_kind_display=lambda: "DBS <enhanced>", expires_on=date(2026, 4, 9))
    ],
    "near-limit": [
        NS(
            person=person(),
            balance=-540,
            min_balance=-600,
            max_balance=None,
            room=-10,
            room_below=-10,
            room_above=700,
        ),
        NS(
            person=person("Ann"),
            balance=-570,
            min_balance=-600,
            max_balance=None,
            room=30,
            room_below=30,
            room_above=700,
        ),
        NS(
            person=person("Ann"),
            balance=610,
            min_balance=-600,
            max_balance=600,
            room=-10,
            room_below=1210,
            room_above=-10,
        ),
        NS(
            person=person("Ann"),
            balance=570,
            min_balance=-600,
            max_balance=600,
            room=30,
            room_below=1170,
            room_above=30,
        ),
    ],
}


@pytest.mark.parametrize("language", ["en-gb", "cy"])
@pytest.mark.parametrize("key", list(ROWS))
def test_a_sections_rows_are_marked_up_as_its_row_template_printed_them(
    key: str, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rows_module, "timesince", partial(timesince, now=NOW))
    with translation.override(language):
        assert rows_html(key, ROWS[key]) == EXPECTED[f"{language} {key}"]
