"""A notification is written in its recipient's language, not the actor's (issue 16).

carol works on English pages; alice reads Welsh, then Spanish. When carol gives alice hours, the
notice alice sees in the app and the email she gets are in alice's language, and carol's page
stays English. Every caller of `notify` hands it a function that writes the words, so no caller
can format them in the actor's language by mistake (the last test reads the source to keep it so).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core import mail
from django.utils import translation

import coproduce
from coproduce.core.models import Notification
from coproduce.ledger.accounts import member_account_get_or_open
from coproduce.ledger.services import transfer_post
from coproduce.members.services import gift_give

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol_has_hours(riverside, carol, alice):
    """carol earned 3 hours helping alice."""
    transfer_post(
        timebank=riverside,
        acting=carol,
        payer=member_account_get_or_open(timebank=riverside, person=alice),
        payee=member_account_get_or_open(timebank=riverside, person=carol),
        minutes=180,
        memo="Gardening",
        kind="exchange",
    )


def reads(person, language: str, email: str) -> None:
    person.language, person.email, person.notify_by_email = language, email, True
    person.save()


def carol_gives_alice_an_hour_on_an_english_page(riverside, carol, alice, capture) -> None:
    with translation.override("en-gb"), capture(execute=True):
        gift_give(
            timebank=riverside,
            giver=carol,
            to_chest=False,
            to_person=alice,
            minutes=60,
            note="Diolch",
            idempotency_key="carol-to-alice",
        )
        # carol's own page language is untouched by writing to alice.
        assert translation.get_language() == "en-gb"


def test_alice_who_reads_welsh_is_told_of_carols_gift_in_welsh(
    riverside, carol, alice, carol_has_hours, django_capture_on_commit_callbacks
):
    reads(alice, "cy", "alice@example.org")
    carol_gives_alice_an_hour_on_an_english_page(
        riverside, carol, alice, django_capture_on_commit_callbacks
    )
    notice = Notification.objects.get(person=alice)
    assert notice.message == "Mae Carol Jones wedi rhoi 1:00 awr i chi yn rhodd. Eu nodyn: “Diolch”"
    (email,) = mail.outbox
    assert email.to == ["alice@example.org"]
    assert "Mae Carol Jones wedi rhoi 1:00 awr i chi yn rhodd." in email.subject
    assert "Mae Carol Jones wedi rhoi 1:00 awr i chi yn rhodd." in email.body
    assert "gave you" not in email.body
    assert email.extra_headers["Content-Language"] == "cy"


def test_alice_who_reads_spanish_is_told_in_spanish(
    riverside, carol, alice, carol_has_hours, django_capture_on_commit_callbacks
):
    reads(alice, "es", "alice@example.org")
    carol_gives_alice_an_hour_on_an_english_page(
        riverside, carol, alice, django_capture_on_commit_callbacks
    )
    notice = Notification.objects.get(person=alice)
    assert notice.message == "Carol Jones te ha regalado 1:00 horas. Su nota: “Diolch”"
    assert "Carol Jones te ha regalado 1:00 horas." in mail.outbox[0].body


def test_alice_with_no_language_of_her_own_reads_her_time_banks(
    riverside, carol, alice, carol_has_hours, django_capture_on_commit_callbacks
):
    riverside.language = "ca"
    riverside.save()
    reads(alice, "", "alice@example.org")
    carol_gives_alice_an_hour_on_an_english_page(
        riverside, carol, alice, django_capture_on_commit_callbacks
    )
    assert Notification.objects.get(person=alice).message.startswith(
        "Carol Jones t'ha regalat 1:00 hores."
    )


def test_a_coordinator_is_told_in_their_language_what_a_newcomer_did_in_theirs(
    riverside, carol, django_capture_on_commit_callbacks
):
    """Dewi applies to join on a Spanish page; carol, who reads Welsh, is told in Welsh."""
    from coproduce.community.services import membership_apply

    reads(carol, "cy", "carol@example.org")
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        membership_apply(
            timebank=riverside,
            person=None,
            first_name="Dewi",
            last_name="Evans",
            username="dewi",
            password="a long enough passphrase 42",
            email="dewi@example.org",
        )
    notice = Notification.objects.get(person=carol, kind="application_received")
    assert notice.message == "Mae Dewi Evans wedi gwneud cais i ymuno â Riverside Time Bank."
    assert "Mae Dewi Evans wedi gwneud cais" in mail.outbox[-1].body


# --- every caller hands notify the words to write, not words already written --------------------

SOURCE = Path(coproduce.__file__).parent
TELLERS = {"notify", "_tell"}


def _eagerly_written(node: ast.expr) -> bool:
    """`_("…") % {…}`, `_("…")` or `"…" + …`: text formatted in the actor's language."""
    if isinstance(node, ast.BinOp | ast.JoinedStr):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"_", "gettext", "ngettext"}
    )


def test_no_caller_of_notify_formats_the_message_in_the_actors_language():
    offenders = []
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in TELLERS:
                continue
            for keyword in node.keywords:
                if keyword.arg in {"message", "subject"} and _eagerly_written(keyword.value):
                    offenders.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert offenders == [], "pass `message=lambda: _(…) % {…}` (core.notifications)"
