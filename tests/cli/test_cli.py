"""The coproduce command: every subcommand has --help, and bad options get one clear line."""

from __future__ import annotations

import pytest

from coproduce.cli import build_parser, main


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["serve", "--help"],
        ["demo", "--help"],
        ["ledger", "verify", "--help"],
        ["admin", "create", "--help"],
        ["admin", "link", "--help"],
        ["timebank", "create", "--help"],
    ],
)
def test_every_subcommand_explains_itself(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(argv)
    assert exit_.value.code == 0
    assert "usage: coproduce" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--port", "0"], "0 is not a port number"),
        (["serve", "--port", "http"], "'http' is not a port number"),
        (["demo", "--members", "-5"], "-5 must be at least 1"),
        (["demo", "--months", "many"], "'many' is not a whole number"),
        (["ledger"], "required: ACTION"),
        (["fly"], "invalid choice: 'fly'"),
    ],
)
def test_a_bad_option_is_refused_with_a_clear_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.django_db
def test_verify_refuses_an_unknown_time_bank(capsys):
    assert main(["ledger", "verify", "--timebank", "nowhere"]) == 2
    assert "no time bank with the slug 'nowhere'" in capsys.readouterr().err


@pytest.mark.django_db
def test_manage_passes_through_to_django(capsys):
    assert main(["manage", "check"]) == 0
    assert "no issues" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize(
    "argv",
    [
        ["ledger", "verify", "--timebank", "river\x00side"],
        ["import", "members", "--timebank", "river\x00side", "members.csv"],
        ["import", "balances", "--timebank", "riverside", "--acting", "ca\x00rol", "b.csv"],
        ["export", "members", "--timebank", "\x1b[2Jriverside"],
        ["report", "--timebank", "river\x00side", "--from", "2025-01-01", "--to", "2025-02-01"],
        ["demo", "--slug", "demo\x07"],
        ["admin", "create", "--email", "rosa@example.org", "--name", "Ro\x1bsa"],
        ["timebank", "create", "--name", "N", "--slug", "n\x00", "--coordinator", "n@x.org"],
    ],
)
def test_a_control_character_in_a_value_that_becomes_data_is_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)

    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "contains a control character (U+00" in err
    assert "Traceback" not in err


@pytest.mark.django_db
def test_a_token_cannot_be_named_with_a_control_character(riverside, alice):
    from django.core.management import CommandError, call_command

    from coproduce.api.models import PersonalAccessToken

    with pytest.raises(CommandError, match="U\\+0000"):
        call_command("api_token_create", "alice", "--timebank", "riverside", "--name", "a\x00b")
    assert not PersonalAccessToken.objects.exists()
