"""Setting up for real from the command line (issue 12): `coproduce admin create` makes a site
administrator and prints a one-time link; `coproduce timebank create` makes a time bank with its
community chest and invites its first coordinator. Each exits 0 and prints an absolute link;
bad input is one line on standard error, exit 2, and nothing changed."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail

from coproduce.cli import main
from coproduce.community.models import (
    Invitation,
    InvitationKind,
    PasswordLink,
    PasswordLinkPurpose,
    Person,
    TimeBank,
)
from coproduce.core.models import AuditEvent
from coproduce.ledger.models import Account, AccountKind

pytestmark = pytest.mark.django_db


def _rows() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        TimeBank.objects.count(),
        Account.objects.count(),
        Invitation.objects.count(),
        PasswordLink.objects.count(),
        AuditEvent.objects.count(),
    )


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("coproduce: ")
    return lines[0]


# --- coproduce admin create ------------------------------------------------------------------


def test_admin_create_makes_a_site_administrator_and_prints_a_one_time_link(capsys):
    assert main(["admin", "create", "--email", "Rosa@Example.org", "--name", "Rosa  Root"]) == 0
    out = capsys.readouterr().out
    rosa = Person.objects.get(email="Rosa@Example.org")
    assert rosa.username == "rosa@example.org"
    assert (rosa.first_name, rosa.last_name) == ("Rosa", "Root")
    assert rosa.is_staff and rosa.is_superuser
    assert not rosa.has_usable_password()
    assert not rosa.memberships.exists()  # a site administrator belongs to no time bank
    link = PasswordLink.objects.get(person=rosa)
    assert link.purpose == PasswordLinkPurpose.ADMIN_SETUP
    assert link.timebank is None and link.created_by is None
    url = next(line.strip() for line in out.splitlines() if "/welcome/" in line)
    assert url.startswith(settings.SITE_URL + "/welcome/")
    assert "two-step sign-in" in out
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert token not in link.token_hash  # only its hash is stored
    assert AuditEvent.objects.filter(
        action="person.site_admin_created", target=f"person:{rosa.public_id}"
    ).exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--email", "not-an-address"], "'not-an-address' is not an email address"),
        (["--email", ""], "is not an email address"),
        (["--email", "alice@example.org"], "someone already has the email address"),
        (["--email", "ALICE@example.org"], "someone already has the email address"),
    ],
)
def test_admin_create_refuses_bad_input_in_one_line_and_changes_nothing(
    alice, argv, message, capsys
):
    alice.email = "alice@example.org"
    alice.save()
    before = _rows()
    assert main(["admin", "create", *argv]) == 2
    captured = capsys.readouterr()
    assert message in _one_line(captured.err)
    assert captured.out == ""
    assert _rows() == before


def test_admin_create_without_an_email_is_a_usage_error():
    with pytest.raises(SystemExit) as exit_:
        main(["admin", "create"])
    assert exit_.value.code == 2


def test_admin_link_gives_an_administrator_a_new_link_and_stops_the_old_one(capsys):
    main(["admin", "create", "--email", "rosa@example.org"])
    first = PasswordLink.objects.get()
    capsys.readouterr()
    assert main(["admin", "link", "--email", "rosa@example.org"]) == 0
    assert settings.SITE_URL + "/welcome/" in capsys.readouterr().out
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert PasswordLink.objects.filter(revoked_at__isnull=True).count() == 1


def test_admin_link_is_only_for_site_administrators(alice, capsys):
    alice.email = "alice@example.org"
    alice.save()
    before = _rows()
    assert main(["admin", "link", "--email", "alice@example.org"]) == 2
    assert "no site administrator has the email address" in _one_line(capsys.readouterr().err)
    assert _rows() == before


# --- coproduce timebank create ---------------------------------------------------------------

CREATE = ["timebank", "create", "--name", "North Leeds Time Bank", "--slug", "north-leeds"]


def test_timebank_create_makes_the_bank_its_chest_and_its_first_coordinators_invitation(
    capsys, django_capture_on_commit_callbacks
):
    argv = [*CREATE, "--coordinator", "nadia@example.org", "--language", "en"]
    with django_capture_on_commit_callbacks(execute=True):
        assert main([*argv, "--timezone", "europe/london"]) == 0
    out = capsys.readouterr().out
    bank = TimeBank.objects.get(slug="north-leeds")
    assert bank.name == "North Leeds Time Bank"
    assert (bank.language, bank.time_zone) == ("en-gb", "Europe/London")
    chest = Account.objects.get(timebank=bank)
    assert (chest.kind, chest.balance, chest.min_balance) == (AccountKind.CHEST, 0, 0)
    invitation = Invitation.objects.get(timebank=bank)
    assert invitation.kind == InvitationKind.COORDINATOR
    assert invitation.email == "nadia@example.org"
    assert invitation.invited_by is None
    url = next(line.strip() for line in out.splitlines() if "/invitation/" in line)
    assert url.startswith(settings.SITE_URL + "/invitation/")
    assert f"{settings.SITE_URL}/join/north-leeds/" in out
    created = AuditEvent.objects.get(action="timebank.created")
    assert created.timebank_id == bank.pk and created.actor is None
    assert created.data["chest"] == chest.pk
    # The invitation is emailed to the coordinator with the same link.
    assert [m.to for m in mail.outbox] == [["nadia@example.org"]]
    assert url in mail.outbox[0].body


def test_timebank_create_takes_the_installations_language_and_time_zone_by_default(capsys):
    assert main([*CREATE, "--coordinator", "nadia@example.org"]) == 0
    bank = TimeBank.objects.get(slug="north-leeds")
    assert (bank.language, bank.time_zone) == (settings.LANGUAGE_CODE, settings.TIME_ZONE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--slug": "riverside"}, "the slug 'riverside' is taken by another time bank"),
        ({"--slug": "North Leeds"}, "'North Leeds' is not a slug"),
        ({"--slug": "north--leeds"}, "is not a slug"),
        ({"--slug": "-leeds"}, "is not a slug"),
        ({"--slug": "x" * 51}, "is not a slug"),
        ({"--name": "  "}, "give the time bank a name"),
        ({"--name": "x" * 121}, "the name is too long"),
        ({"--language": "klingon"}, "unknown language 'klingon': choose one of en-gb"),
        ({"--timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"--coordinator": "nadia at example"}, "'nadia at example' is not an email address"),
    ],
)
def test_timebank_create_refuses_bad_input_in_one_line_and_changes_nothing(
    riverside, change, message, capsys
):
    options = {
        "--name": "North Leeds Time Bank",
        "--slug": "north-leeds",
        "--coordinator": "nadia@example.org",
        **change,
    }
    before = _rows()
    argv = ["timebank", "create", *[f"{option}={value}" for option, value in options.items()]]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert message in _one_line(captured.err)
    assert captured.out == ""
    assert _rows() == before
    assert not mail.outbox


def test_timebank_create_needs_its_name_slug_and_coordinator():
    for missing in ("--name", "--slug", "--coordinator"):
        options = {"--name": "N", "--slug": "n", "--coordinator": "n@example.org"}
        del options[missing]
        with pytest.raises(SystemExit) as exit_:
            main(["timebank", "create", *[p for pair in options.items() for p in pair]])
        assert exit_.value.code == 2
