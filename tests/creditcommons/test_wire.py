"""The wire format: the hash chain against fixed vectors, hours <-> minutes without rounding,
and parsing a relayed transaction."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from coproduce.creditcommons import wire

UUID = "3d8ebb9f-6a29-42cb-9d39-9ee0a6bf7f1c"


def test_the_hash_of_one_entry_after_trunk_is_md5_of_the_fields_joined_with_bars():
    # By hand: "trunk|3d8ebb9f-…|C|1.5|Gardening with Sam|1" through `md5sum`.
    assert (
        wire.chain_hash(
            previous="trunk",
            uuid=UUID,
            state="C",
            entries=[(Decimal("1.5"), "Gardening with Sam")],
            version=1,
        )
        == "443fc81e754b3cb7a590d56f52229da3"
    )


def test_two_entries_are_each_quant_then_description_and_a_quant_prints_like_javascript():
    # "trunk|0b7e…|V|2|Shopping|0.05|fee|2": 2.00 is written 2 and 0.050 is written 0.05.
    assert (
        wire.chain_hash(
            previous="trunk",
            uuid="0b7e4f1a-3c2d-4e5f-8a9b-1c2d3e4f5a6b",
            state="V",
            entries=[(Decimal("2.00"), "Shopping"), (Decimal("0.050"), "fee")],
            version=2,
        )
        == "8761bd6e8d361db5a10acfec90f98c56"
    )


def test_komunitins_own_vector_matches_four_entries_and_no_version():
    # accounting/test/creditcommons/3.receive.test.ts on komunitin's credit-commons branch:
    # from last-hash "trunk" its node moves to this hash (the transaction carries no version).
    entries = [
        (Decimal(14), "test long distance for 3 from leaf"),
        (Decimal(2), "Payee fee of 1 to twig/admin"),
        (Decimal(3), "Payee fee of 1 to branch/admin"),
        (Decimal(1), "Payee fee of 1 to trunk/admin"),
    ]
    assert (
        wire.chain_hash(previous="trunk", uuid=UUID, state="V", entries=entries, version=None)
        == "15bfc7d0cff9160fe34cf541b7da56c3"
    )


def test_a_quant_of_whole_minutes_becomes_minutes():
    assert wire.quant_to_minutes(Decimal("1.5")) == 90
    assert wire.quant_to_minutes(Decimal("0.05")) == 3
    assert wire.quant_to_minutes(Decimal("2")) == 120


@pytest.mark.parametrize("quant", ["0.01", "1.001", "0.3333"])
def test_a_quant_that_is_not_whole_minutes_is_refused_never_rounded(quant):
    with pytest.raises(wire.WireError) as refused:
        wire.quant_to_minutes(Decimal(quant))
    assert refused.value.code == "not_whole_minutes"
    assert "does not round" in refused.value.message


@pytest.mark.parametrize("quant", ["0", "-1", "1000001", "Infinity", "NaN"])
def test_a_quant_out_of_range_is_refused(quant):
    with pytest.raises(wire.WireError):
        wire.quant_to_minutes(Decimal(quant))


def test_minutes_that_are_exact_in_decimal_hours_become_a_quant():
    assert wire.minutes_to_quant(90) == Decimal("1.5")
    assert wire.minutes_to_quant(3) == Decimal("0.05")
    assert wire.quant_text(wire.minutes_to_quant(600)) == "10"


@pytest.mark.parametrize("minutes", [1, 91, 100])
def test_minutes_that_are_not_exact_in_decimal_hours_are_refused(minutes):
    with pytest.raises(wire.WireError) as refused:
        wire.minutes_to_quant(minutes)
    assert refused.value.code == "not_exact_hours"


def _body(**changes):
    body = {
        "uuid": UUID,
        "state": "C",
        "workflow": "_C-",
        "version": 1,
        "entries": [
            {
                "payer": "trunk/sam",
                "payee": "trunk/riverside/alice",
                "quant": 1.5,
                "description": "Gardening",
                "metadata": {"foo": "bar"},
            }
        ],
    }
    body.update(changes)
    return json.dumps(body).encode()


def test_a_relayed_transaction_is_parsed_with_exact_quants():
    tx = wire.parse_transaction(_body())
    assert tx.uuid == UUID and tx.state == "C" and tx.version == 1
    assert tx.entries[0].quant == Decimal("1.5")
    assert tx.entries[0].metadata == {"foo": "bar"}
    assert json.loads(wire.dumps(tx.as_json()))["entries"][0]["quant"] == 1.5


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"not json", "bad_json"),
        (b"[]", "bad_json"),
        (_body(uuid="nope"), "bad_uuid"),
        (_body(version="1"), "bad_version"),
        (_body(entries=[]), "bad_entries"),
        (_body(entries=["x"]), "bad_entries"),
        (
            _body(entries=[{"payer": "a", "payee": "b/c", "quant": "1", "description": ""}]),
            "bad_quant",
        ),
        (
            _body(entries=[{"payer": "a b", "payee": "b/c", "quant": 1, "description": ""}]),
            "bad_path",
        ),
        (
            _body(entries=[{"payer": "a", "payee": "b", "quant": 0.01, "description": ""}]),
            "not_whole_minutes",
        ),
    ],
)
def test_a_malformed_transaction_is_refused_with_a_reason(raw, code):
    with pytest.raises(wire.WireError) as refused:
        wire.parse_transaction(raw)
    assert refused.value.code == code
