"""`coproduce export valueflows`: Riverside's activity as ValueFlows JSON-LD, read back by a
JSON-LD processor (PyLD) with nothing fetched: every economic event has a provider, a receiver and
a quantity, people are not named, and Hillside's activity is not there."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pyld import jsonld

from coproduce.exchanges.services.exchanges import exchange_log_finished
from coproduce.exchanges.services.listings import listing_create
from coproduce.ledger.accounts import chest_get_or_open, member_account_get_or_open
from coproduce.ledger.services import transfer_post
from coproduce.portability.valueflows import VF, valueflows_export

pytestmark = pytest.mark.django_db

OM2 = "http://www.ontology-of-units-of-measure.org/resource/om-2/"


def _no_fetching(url, options=None):
    raise AssertionError(f"the document asked to fetch {url}")


@pytest.fixture
def riverside_activity(riverside, carol, alice, bob, harry, hillside):
    yesterday = timezone.localdate() - timedelta(days=1)
    exchange_log_finished(
        timebank=riverside,
        acting=carol,
        provider=alice,
        receiver=bob,
        title="A lift to the surgery",
        category="transport",
        minutes=90,
        done_on=yesterday,
    )
    listing_create(
        kind="offer",
        timebank=riverside,
        acting=alice,
        title="Help with the garden",
        category="gardening",
    )
    chest = chest_get_or_open(timebank=riverside)
    transfer_post(
        timebank=riverside,
        acting=alice,
        payer=member_account_get_or_open(timebank=riverside, person=alice),
        payee=chest,
        minutes=30,
        kind="gift",
    )
    return riverside


def _expanded(document):
    return jsonld.expand(document, {"documentLoader": _no_fetching})


def test_every_event_has_a_provider_a_receiver_and_a_quantity(riverside_activity, run):
    result = run("export", "valueflows", "--timebank", "riverside")
    assert result.code == 0, result.err
    nodes = _expanded(json.loads(result.out))
    events = [n for n in nodes if f"{VF}EconomicEvent" in n.get("@type", [])]
    assert len(events) == 3  # the lift, its time credits, alice's gift to the chest
    for event in events:
        assert event[f"{VF}provider"] and event[f"{VF}receiver"]
        quantity = event.get(f"{VF}effortQuantity") or event.get(f"{VF}resourceQuantity")
        assert quantity and quantity[0][f"{OM2}hasNumericalValue"][0]["@value"]
        assert event[f"{VF}hasPointInTime"]
    services = [e for e in events if e[f"{VF}action"][0]["@id"] == f"{VF}deliverService"]
    assert len(services) == 1
    (lift,) = services
    assert lift[f"{VF}effortQuantity"][0][f"{OM2}hasNumericalValue"][0]["@value"] == "1.5"
    paid = [e for e in events if f"{VF}triggeredBy" in e]
    assert [e[f"{VF}triggeredBy"][0]["@id"] for e in paid] == [lift["@id"]]
    intents = [n for n in nodes if f"{VF}Intent" in n.get("@type", [])]
    assert len(intents) == 1 and f"{VF}provider" in intents[0]


def test_people_are_not_named_and_other_banks_are_not_there(riverside_activity, run):
    text = run("export", "valueflows", "--timebank", "riverside").out
    for name in ("Alice", "Ahmed", "alice", "Bob", "Carol", "Harry", "Hillside"):
        assert name not in text


def test_the_export_takes_the_same_queries_however_much_happened(riverside_activity, carol, bob):
    with CaptureQueriesContext(connection) as few:
        valueflows_export(timebank=riverside_activity)
    for n in range(5):
        exchange_log_finished(
            timebank=riverside_activity,
            acting=carol,
            provider=bob,
            receiver=carol.__class__.objects.get(username="alice"),
            title=f"Shopping {n}",
            category="household",
            minutes=60,
            done_on=timezone.localdate(),
        )
    with CaptureQueriesContext(connection) as many:
        valueflows_export(timebank=riverside_activity)
    assert len(many) == len(few)


def test_an_unknown_bank_is_one_line_and_exit_2(db, run):
    result = run("export", "valueflows", "--timebank", "nowhere")
    assert (
        result.code == 2 and result.err.strip() == "coproduce: no time bank with the slug 'nowhere'"
    )
