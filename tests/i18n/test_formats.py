"""Money, numbers and dates are written the reader's way; hours stay H:MM (issue 16).

A time bank counts in its own currency (Riverside in pounds; a bank in Barcelona in euros).
English and Welsh write `£1,234.50`; Catalan `1.234,50 €`; Spanish, as Django's locale and the
RAE write it, `1 234,50 €` (a non-breaking space between thousands).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

import coproduce
from coproduce.community.settings import timebank_settings_update
from coproduce.core.errors import ApplicationError
from coproduce.core.money import currency_checked, format_money, parse_money
from coproduce.core.units import format_hmm
from coproduce.partners.services.pools import pool_contribute, pool_create

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "currency", "written"),
    [
        ("en-gb", "GBP", "£1,234.50"),
        ("cy", "GBP", "£1,234.50"),
        ("ca", "EUR", f"1.234,50{NBSP}€"),
        ("es", "EUR", f"1{NBSP}234,50{NBSP}€"),
        ("en-gb", "EUR", "€1,234.50"),
        ("ca", "GBP", f"1.234,50{NBSP}£"),
        ("en-gb", "CHF", f"1,234.50{NBSP}CHF"),
    ],
)
def test_an_amount_is_written_the_way_its_reader_writes_money(language, currency, written):
    with translation.override(language):
        assert format_money(123450, currency) == written


def test_a_negative_amount_and_a_rounded_estimate():
    with translation.override("en-gb"):
        assert format_money(-1250, "GBP") == "-£12.50"
        assert format_money(123450, "GBP", whole=True) == "£1,235"
    with translation.override("ca"):
        assert format_money(-1250, "EUR") == f"-12,50{NBSP}€"
        assert format_money(123449, "EUR", whole=True) == f"1.234{NBSP}€"


@pytest.mark.parametrize(
    ("typed", "minor"),
    [
        ("12.50", 1250),
        ("12,50", 1250),
        ("£12.50", 1250),
        ("1,234.50", 123450),
        ("1.234,50 €", 123450),
        (f"1{NBSP}234,50{NBSP}€", 123450),
        ("1234", 123400),
        ("12,5", 1250),
    ],
)
def test_an_amount_is_read_however_a_person_of_any_language_types_it(typed, minor):
    for language in ("en-gb", "cy", "es", "ca"):
        with translation.override(language):
            assert parse_money(typed) == minor


def test_a_point_before_three_digits_groups_thousands_only_where_decimals_take_a_comma():
    with translation.override("ca"):
        assert parse_money("12.505") == 1250500
        assert parse_money("12,50") == 1250
    with translation.override("en-gb"), pytest.raises(ApplicationError):
        parse_money("12.505")


@pytest.mark.parametrize("typed", ["", "twelve", "12.5055", "-3", "1,23,4", "€", "1.2.3", "1,2.50"])
def test_an_amount_that_is_not_one_is_refused_clearly(typed):
    with translation.override("en-gb"), pytest.raises(ApplicationError) as refused:
        parse_money(typed)
    assert refused.value.code == "bad_amount"


@pytest.mark.parametrize("language", ["en-gb", "cy", "es", "ca"])
def test_hours_are_h_mm_in_every_language(language):
    with translation.override(language):
        assert format_hmm(90) == "1:30"


@pytest.mark.django_db
def test_carol_moves_riverside_to_euros_and_a_wrong_currency_changes_nothing(riverside, carol):
    timebank_settings_update(timebank=riverside, acting=carol, currency="EUR")
    riverside.refresh_from_db()
    assert riverside.currency == "EUR"
    with pytest.raises(ApplicationError) as refused:
        timebank_settings_update(timebank=riverside, acting=carol, currency="XYZ")
    assert refused.value.code == "bad_currency"
    riverside.refresh_from_db()
    assert riverside.currency == "EUR"
    assert currency_checked("eur") == "EUR"


@pytest.mark.django_db
def test_the_settings_page_offers_the_currency(riverside, carol, login):
    page = login(carol).get(reverse("coordinator:settings")).content.decode()
    assert 'name="currency"' in page
    assert '<option value="EUR"' in page


@pytest.mark.django_db
def test_a_spanish_reader_sees_a_euro_pool_in_spanish_figures(riverside, alice, login):
    riverside.currency = "EUR"
    riverside.save()
    alice.language = "es"
    alice.save()
    new_pool = login(alice).get(reverse("partners:pool_new")).content.decode()
    assert 'value="EUR"' in new_pool and 'value="GBP"' not in new_pool
    pool = pool_create(timebank=riverside, acting=alice, name="Fiesta", unit="EUR", holders=[alice])
    pool_contribute(pool=pool, acting=alice, amount=123450)
    page = login(alice).get(reverse("partners:pool", args=[pool.public_id])).content.decode()
    assert f"1{NBSP}234,50{NBSP}€" in page


@pytest.mark.django_db
def test_the_reports_estimate_of_value_is_in_the_time_banks_currency_and_its_readers_way(
    riverside, carol, login
):
    riverside.currency, riverside.hourly_value_pence = "EUR", 1250
    riverside.save()
    carol.language = "ca"
    carol.save()
    table = login(carol).get(
        reverse("insights:table_csv", args=["funder", "value"]),
        {"date_from": "2025-01-01", "date_to": "2025-03-31", "timebank": "riverside"},
    )
    text = table.content.decode("utf-8-sig")
    assert f"12,50{NBSP}€" in text
    assert "£" not in text


# --- dates: Django's localized formats, never an English word written by hand -------------------

SOURCE = Path(coproduce.__file__).parent
ENGLISH_NAMES = re.compile(r"strftime\([^)]*%[aAbBp]")


def test_no_code_writes_a_month_or_day_name_by_strftime():
    """`strftime("%B")` writes English (or the server's locale); Django's `date_format(d, "j F
    Y")` writes the reader's month names (Ionawr, enero, gener)."""
    offenders = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if ENGLISH_NAMES.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.django_db
def test_a_reminder_gives_the_date_with_the_readers_month_name(riverside, alice):
    from datetime import UTC, datetime

    from coproduce.core.models import Notification
    from coproduce.exchanges.models import Offer
    from coproduce.exchanges.services.listings import listings_expire

    alice.language = "cy"
    alice.save()
    now = datetime(2026, 1, 7, 12, tzinfo=UTC)
    Offer.objects.create(
        timebank=riverside,
        person=alice,
        created_by=alice,
        title="Garddio",
        category="gardening",
        created_at=now,
        expires_at=datetime(2026, 1, 10, 12, tzinfo=UTC),
    )
    listings_expire(now=now)
    notice = Notification.objects.get(person=alice)
    assert notice.message.startswith("Bydd eich cynnig “Garddio” yn dod i ben ar 10 Ionawr 2026.")
