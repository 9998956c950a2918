"""`coproduce creditcommons graft|pay|retry|status`: summaries, and bad input as one line with
exit status 2 and nothing written."""

from __future__ import annotations

import pytest

from coproduce.cli import main
from coproduce.creditcommons.models import Node, Peer, RemoteTransaction


def _graft(*extra: str) -> list[str]:
    return [
        "creditcommons",
        "graft",
        "--timebank",
        "riverside",
        "--our-path",
        "trunk/riverside",
        "--peer-path",
        "trunk",
        "--peer-url",
        "https://hillside.example/cc/hillside",
        "--last-hash",
        "agreed",
        *extra,
    ]


def test_graft_links_the_time_bank_and_status_shows_it(riverside, capsys):
    assert main(_graft("--limit", "12.5")) == 0
    assert "riverside is trunk/riverside; linked to trunk (trunkward)" in capsys.readouterr().out
    peer = Peer.objects.get()
    assert (peer.clearing.min_balance, peer.clearing.max_balance) == (-750, 750)
    assert main(["creditcommons", "status", "--timebank", "riverside"]) == 0
    out = capsys.readouterr().out
    assert "node: trunk/riverside" in out and "last hash: agreed" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (_graft("--limit", "0.001"), "does not round"),
        (
            [
                "creditcommons",
                "graft",
                "--timebank",
                "riverside",
                "--our-path",
                "a/b",
                "--peer-path",
                "c",
                "--peer-url",
                "https://x",
                "--last-hash",
                "h",
            ],
            "not directly under",
        ),
        (
            [
                "creditcommons",
                "graft",
                "--timebank",
                "riverside",
                "--our-path",
                "trunk/riverside",
                "--peer-path",
                "trunk",
                "--peer-url",
                "ftp://x",
                "--last-hash",
                "h",
            ],
            "https://",
        ),
        (["creditcommons", "status", "--timebank", "nowhere"], "no time bank"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(riverside, capsys, args, words):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1
    assert not Node.objects.exists() and not Peer.objects.exists()


def test_hours_that_are_not_a_number_are_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "creditcommons",
                "pay",
                "--timebank",
                "riverside",
                "--from",
                "alice",
                "--to",
                "trunk/henry",
                "--hours",
                "lots",
            ]
        )
    assert exit_.value.code == 2
    assert "'lots' is not a number of hours" in capsys.readouterr().err


def test_pay_and_retry_report_pending_then_completed(linked, alice, peer, capsys):
    peer.down = True
    args = [
        "creditcommons",
        "pay",
        "--timebank",
        "riverside",
        "--from",
        "alice",
        "--to",
        "trunk/henry",
        "--hours",
        "0.75",
    ]
    assert main(args) == 1
    assert "pending" in capsys.readouterr().out
    assert main(["creditcommons", "retry", "--timebank", "riverside"]) == 1
    peer.down = False
    assert main(["creditcommons", "retry", "--timebank", "riverside"]) == 0
    assert "completed" in capsys.readouterr().out
    assert RemoteTransaction.objects.filter(status="completed").count() == 2


def test_pay_refuses_hours_that_are_not_whole_minutes(linked, alice, capsys):
    args = [
        "creditcommons",
        "pay",
        "--timebank",
        "riverside",
        "--from",
        "alice",
        "--to",
        "trunk/henry",
        "--hours",
        "1.51",
    ]
    assert main(args) == 2
    assert "does not round" in capsys.readouterr().err
    assert not RemoteTransaction.objects.exists()


def test_retry_of_an_unknown_payment_is_refused(linked, capsys):
    assert main(["creditcommons", "retry", "--timebank", "riverside", "not-a-uuid"]) == 2
    assert "No payment not-a-uuid" in capsys.readouterr().err


def test_rehash_sets_the_agreed_hash_and_pauses_the_link(linked, capsys):
    args = ["creditcommons", "rehash", "--timebank", "riverside", "--peer-path", "trunk"]
    assert main([*args, "--last-hash", "again"]) == 0
    peer = Peer.objects.get(node__timebank__slug="riverside")
    assert peer.last_hash == "again" and peer.paused
    assert main([*args[:-1], "nowhere", "--last-hash", "x"]) == 2
    assert "no link to nowhere" in capsys.readouterr().err
