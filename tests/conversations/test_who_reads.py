"""Nobody but a conversation's members reads it: not bob (another member), not harry (another
time bank's coordinator), not dr_patel (a professional), not a site administrator, not carol
(the coordinator) either, except an exchange's thread while she resolves its dispute, and that
read is recorded. Reports reach the coordinators only."""

from __future__ import annotations

import pytest

from coproduce.conversations.models import Message, MessageReport
from coproduce.conversations.services import exchange_message_send
from coproduce.core.models import AuditEvent
from coproduce.exchanges.services.disputes import exchange_dispute
from tests.exchanges.conftest import propose, step

from .conftest import page, url

pytestmark = pytest.mark.django_db


def reads(client, address: str, words: str) -> bool:
    response = client.get(address)
    return response.status_code == 200 and words in response.content.decode()


def test_only_the_two_members_read_a_private_conversation(
    login, client, chat, alice, erin, bob, harry, dr_patel, carol, root
):
    assert reads(login(alice), page(chat), "Could you take me on Tuesday?")
    assert reads(login(erin), page(chat), "Could you take me on Tuesday?")
    for outsider in (bob, harry, dr_patel, carol):
        response = login(outsider).get(page(chat))
        assert response.status_code == 404, outsider
        assert b"Tuesday" not in response.content
    client.logout()
    response = login(root).get(page(chat))
    assert response.status_code != 200 or b"Tuesday" not in response.content


def test_a_refused_message_writes_nothing(login, chat, bob, harry, carol):
    before = Message.objects.count()
    for outsider in (bob, harry, carol):
        response = login(outsider).post(page(chat), {"message-body": "Let me in"})
        assert response.status_code == 404
    assert Message.objects.count() == before


def thread_of_a_disputed_exchange(riverside, alice, bob):
    exchange = step(propose(riverside, alice, bob), "done")
    exchange_message_send(exchange=exchange, acting=bob, body="You never came on Monday.")
    exchange = exchange_dispute(exchange=exchange, acting=bob, reason="It did not happen.")
    return exchange


def test_carol_reads_an_exchange_thread_only_to_resolve_its_dispute(
    login, riverside, alice, bob, carol, harry, dr_patel
):
    exchange = step(propose(riverside, alice, bob), "agreed")
    exchange_message_send(exchange=exchange, acting=alice, body="I'll bring the mower.")
    exchange_page = f"/exchanges/{exchange.public_id}/"
    assert reads(login(bob), exchange_page, "I&#x27;ll bring the mower.")
    assert not reads(login(carol), exchange_page, "bring the mower")

    exchange = step(exchange, "done")
    exchange_dispute(exchange=exchange, acting=bob, reason="It did not happen.")
    audits = AuditEvent.objects.filter(action="conversation.read_for_dispute")
    assert not audits.exists()
    html = login(carol).get(exchange_page).content.decode()
    assert "bring the mower" in html and "Your reading has been recorded" in html
    assert audits.filter(actor=carol).count() == 1
    # The thread's own page too, read only: no form, no report links, recorded again.
    from coproduce.conversations.models import Conversation

    thread = Conversation.objects.get(exchange=exchange)
    html = login(carol).get(page(thread)).content.decode()
    assert "bring the mower" in html and 'name="message-body"' not in html
    assert "Report this message" not in html
    assert audits.filter(actor=carol).count() == 2
    before = Message.objects.count()
    assert login(carol).post(page(thread), {"message-body": "Hi"}).status_code == 404
    assert Message.objects.count() == before
    for outsider in (harry, dr_patel):
        assert login(outsider).get(page(thread)).status_code == 404


def test_a_member_reports_a_message_and_the_coordinators_see_it_audited(
    login, chat, alice, erin, bob, carol, harry
):
    message = Message.objects.get()
    report_page = url("report", chat.public_id, message.public_id)
    # Alice wrote it: she cannot report her own; bob is not in the conversation.
    assert login(alice).get(report_page).status_code == 404
    assert login(bob).get(report_page).status_code == 404
    assert login(bob).post(report_page, {"reason": "Rude"}).status_code == 404
    assert not MessageReport.objects.exists()
    response = login(erin).post(report_page, {"reason": "She asks for money."})
    assert response.status_code == 302
    report = MessageReport.objects.get()
    assert report.reported_by == erin and report.message == message
    assert carol.notifications.filter(kind="conversation.report").count() == 1

    assert login(bob).get(url("reports")).status_code == 403
    # Harry's list is Hillside's: Riverside's report is not on it.
    assert "She asks for money." not in login(harry).get(url("reports")).content.decode()
    html = login(carol).get(url("reports")).content.decode()
    assert "Could you take me on Tuesday?" in html and "She asks for money." in html
    assert AuditEvent.objects.filter(action="conversation.reports_viewed", actor=carol).exists()
