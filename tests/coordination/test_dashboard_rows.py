"""A dashboard row says what its section means, worked out and marked up once in Python
(coordination.rows) and printed by the dashboard and the "see all" page: the link to the page
that resolves it, the sentence in the reader's language from the same catalogue entries the
templates used, and every name and reason escaped, never markup. Rows stand in for the model
objects here, so each sentence and branch is proved without building a community."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from uuid import UUID

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from coproduce.coordination import rows as rows_module
from coproduce.coordination.rows import _people, rows_html
from coproduce.coordination.selectors import SECTIONS
from coproduce.exchanges.models import Participant, Side

ID = UUID("12345678-1234-5678-1234-567812345678")
AWKWARD = "Siân <b>O'Neil</b> & co"


def _person(name: str = AWKWARD) -> SimpleNamespace:
    return SimpleNamespace(public_id=ID, display_name=name)


def _render(key: str, rows: list[object]) -> str:
    return rows_html(key, rows)


def _near_limit(**values: int) -> SimpleNamespace:
    return SimpleNamespace(person=_person("Ann"), balance=-540, min_balance=-600, **values)


def test_every_section_has_rows_that_can_be_worked_out() -> None:
    for key in SECTIONS:
        assert rows_html(key, []) == ""


def test_a_name_or_a_reason_is_printed_as_text_never_as_markup() -> None:
    dispute = SimpleNamespace(
        public_id=ID,
        title="Fix the <shelf>",
        dispute_reason="It's <script>late</script> & " + "word " * 40,
        participants=SimpleNamespace(
            all=lambda: [
                SimpleNamespace(
                    person=_person(),
                    organisation=None,
                    side="provider",
                    confirmed_at=None,
                )
            ]
        ),
    )
    with translation.override("en-gb"):
        html = _render("disputes", [dispute])

    assert "<b>" not in html and "<script>" not in html and "<shelf>" not in html
    assert "Siân &lt;b&gt;O&#x27;Neil&lt;/b&gt; &amp; co: gives help — has not confirmed" in html
    assert "What went wrong: “It&#x27;s &lt;script&gt;late&lt;/script&gt; &amp; word" in html
    assert html.count("word") == 25 - 3  # cut at 25 words, as truncatewords did
    assert f'<a href="/exchanges/{ID}/">Fix the &lt;shelf&gt;</a>' in html


def test_a_side_is_named_as_the_participants_own_display_names_it() -> None:
    # Looked up once for the page instead of get_side_display() for each participant: the same
    # words, in whichever language is on.
    for language in ("en-gb", "cy"):
        with translation.override(language):
            for side in Side:
                exchange = SimpleNamespace(
                    participants=SimpleNamespace(
                        all=lambda side=side: [
                            SimpleNamespace(
                                person=_person("Ann"), side=side.value, confirmed_at=None
                            )
                        ]
                    )
                )
                expected = str(Participant(side=side.value).get_side_display()).lower()
                assert _people(exchange) == [("Ann", expected, True)]


def test_each_near_limit_case_has_its_own_sentence() -> None:
    cases = [
        (_near_limit(room=-10, room_below=-10, room_above=700), "Already past the lowest"),
        (_near_limit(room=30, room_below=30, room_above=700), "Only 0:30 above the lowest"),
        (
            SimpleNamespace(
                person=_person("Ann"),
                balance=610,
                max_balance=600,
                room=-10,
                room_below=1210,
                room_above=-10,
            ),
            "Already past the highest balance (10:00)",
        ),
        (
            SimpleNamespace(
                person=_person("Ann"),
                balance=570,
                max_balance=600,
                room=30,
                room_below=1170,
                room_above=30,
            ),
            "Only 0:30 below the highest balance (10:00)",
        ),
    ]
    with translation.override("en-gb"):
        for row, sentence in cases:
            html = _render("near-limit", [row])
            assert sentence in html
            assert f'<a href="/members/{ID}/edit/">Ann</a>' in html


def test_counts_and_moments_read_as_the_templates_read_them() -> None:
    now = timezone.now()
    once = SimpleNamespace(public_id=ID, display_name="Bob", times=1)
    many = SimpleNamespace(public_id=ID, display_name="Bob", times=3)
    quiet = SimpleNamespace(
        person=_person("Dee"),
        area="",
        last_exchange=now - timedelta(days=70),
        joined=datetime(2025, 1, 2, 23, 30, tzinfo=UTC),
    )
    with translation.override("en-gb"):
        assert "Gave help once, received none." in _render("only-giving", [once])
        assert "Received help 3 times, gave none." in _render("only-receiving", [many])
        html = _render("inactive", [quiet])
    assert "Last exchange 2\xa0months, 1\xa0week ago." in html
    # A moment is shown as a day in the time bank's time (London, in winter on UTC).
    assert "Member since 2 Jan 2025." in html


@pytest.mark.parametrize("language", ["cy", "es"])
def test_the_sentences_come_from_the_catalogue_in_the_readers_language(language: str) -> None:
    pause = SimpleNamespace(
        person=_person("Ann"),
        started_at=datetime(2026, 3, 4, 10, tzinfo=UTC),
        started_by=_person("Carol"),
    )
    check = SimpleNamespace(
        person=_person("Ann"), get_kind_display=lambda: "DBS", expires_on=date(2026, 3, 9)
    )
    with translation.override(language):
        paused = _render("paused", [pause])
        expiring = _render("checks-expiring", [check])
        said = gettext("Paused on %(day)s by %(who)s")
        check_said = gettext("%(check)s expires on %(day)s")
    assert said != "Paused on %(day)s by %(who)s"  # the catalogue has it
    expected = (
        re.escape(said)
        .replace(re.escape("%(day)s"), r"4 \w+ 2026")
        .replace(re.escape("%(who)s"), "Carol")
    )
    assert re.search(expected, paused)
    assert check_said.replace("%(check)s", "DBS").split("%(day)s")[0] in expiring


@pytest.mark.parametrize("language", ["en-gb", "cy", "ca", "es"])
def test_a_time_since_is_worded_as_djangos_own_timesince_words_it(language: str) -> None:
    # The rows word "3 weeks, 2 days" with units translated once per number
    # (coordination.rows._TIME_STRINGS); Welsh has six plural forms, so every number up to a
    # year's months and a month's days is tried, in every unit.
    now = datetime(2026, 3, 20, 12, 30, tzinfo=UTC)
    moments = [now - timedelta(minutes=m) for m in (0, 1, 2, 3, 6, 11, 59)]
    moments += [now - timedelta(hours=h, minutes=h) for h in range(1, 24)]
    moments += [now - timedelta(days=d) for d in range(1, 40)]
    moments += [now - timedelta(days=30 * m + 3) for m in range(1, 40)]
    with translation.override(language):
        for moment in moments:
            assert rows_module.timesince(
                moment, now, time_strings=rows_module._TIME_STRINGS
            ) == rows_module.timesince(moment, now)
