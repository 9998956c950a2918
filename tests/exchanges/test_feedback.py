"""Thanks after a confirmed exchange: a few words, one per author and person, no ratings; bob,
who received the help, may keep his thanks between himself and alice."""

from __future__ import annotations

import pytest

from coproduce.core.errors import ApplicationError, Conflict, PermissionDenied
from coproduce.core.models import Notification
from coproduce.exchanges.models import Feedback
from coproduce.exchanges.selectors.exchanges import feedback_for_exchange
from coproduce.exchanges.services.exchanges import (
    exchange_agree,
    exchange_confirm,
    exchange_mark_done,
    exchange_propose,
)
from coproduce.exchanges.services.feedback import feedback_give
from tests.exchanges.conftest import step


def test_bob_thanks_alice_privately_and_she_is_told(garden, alice, bob, dan):
    step(garden, "confirmed")
    feedback = feedback_give(
        exchange=garden, author=bob, about_person=alice, message="Lovely job", private=True
    )
    assert feedback.private
    assert Notification.objects.filter(person=alice, kind="exchange_thanks").exists()
    assert feedback_for_exchange(exchange=garden, person=alice) == [feedback]
    assert feedback_for_exchange(exchange=garden, person=dan) == []


def test_thanks_only_after_confirmation(garden, alice, bob):
    step(garden, "done")
    with pytest.raises(Conflict):
        feedback_give(exchange=garden, author=bob, about_person=alice, message="Thanks")


def test_only_someone_taking_part_gives_thanks(garden, alice, dan):
    step(garden, "confirmed")
    with pytest.raises(PermissionDenied):
        feedback_give(exchange=garden, author=dan, about_person=alice, message="Hi")


def test_one_thanks_per_author_and_person(garden, alice, bob):
    step(garden, "confirmed")
    feedback_give(exchange=garden, author=bob, about_person=alice, message="Thanks")
    with pytest.raises(Conflict):
        feedback_give(exchange=garden, author=bob, about_person=alice, message="Again")
    assert Feedback.objects.count() == 1


def test_the_helper_cannot_keep_thanks_private_nor_thank_herself(garden, alice, bob, dan):
    step(garden, "confirmed")
    with pytest.raises(ApplicationError, match="received the help"):
        feedback_give(exchange=garden, author=alice, about_person=bob, message="Kind", private=True)
    with pytest.raises(ApplicationError, match="yourself"):
        feedback_give(exchange=garden, author=alice, about_person=alice, message="Me")
    with pytest.raises(ApplicationError, match="took part"):
        feedback_give(exchange=garden, author=alice, about_person=dan, message="Hi")
    with pytest.raises(ApplicationError):
        feedback_give(exchange=garden, author=alice, about_person=bob, message="  ")
    feedback_give(exchange=garden, author=alice, about_person=bob, message="Kind man")
    assert Feedback.objects.get().private is False


def test_thanking_an_organisation_once(riverside, alice, surgery, dr_patel):
    exchange = exchange_propose(
        timebank=riverside, acting=dr_patel, providers=[surgery], receivers=[alice],
        title="Health check", category="health", expected_minutes=60,
    )  # fmt: skip
    exchange_agree(exchange=exchange, acting=alice)
    exchange_mark_done(exchange=exchange, acting=dr_patel, actual_minutes=60)
    exchange_confirm(exchange=exchange, acting=alice)
    feedback_give(exchange=exchange, author=alice, about_organisation=surgery, message="Thank you")
    assert Notification.objects.filter(person=dr_patel, kind="exchange_thanks").exists()
    with pytest.raises(Conflict):
        feedback_give(exchange=exchange, author=alice, about_organisation=surgery, message="Again")
