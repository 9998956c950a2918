"""What the exchange page shows from conversations (issue 13): the thread of the people taking
part, with a form to write, and, once the exchange is agreed, each other side's phone and email
as they allow (`community.selectors.contact_visible_to` decides).

A coordinator who takes no part sees the thread only while the exchange is disputed, read only,
and that read is recorded; they see no contact details here (their members pages show those,
audited there).
"""

from __future__ import annotations

from typing import Any

from coproduce.community.models import Membership, Person
from coproduce.community.selectors import AGREED_EXCHANGE_STATUSES, contact_visible_to
from coproduce.conversations.forms import MessageForm
from coproduce.conversations.selectors import (
    conversation_access,
    conversation_messages,
    conversation_unread_since,
    exchange_thread,
)
from coproduce.conversations.services import (
    conversation_mark_read,
    conversation_read_for_dispute,
)
from coproduce.exchanges.models import Exchange


def exchange_page_context(
    *, exchange: Exchange, person: Person, membership: Membership | None, mark_read: bool = True
) -> dict[str, Any]:
    people = [p.person for p in exchange.participants.all() if p.person is not None]
    takes_part = person.pk in {p.pk for p in people}
    context: dict[str, Any] = {"contacts": [], "thread_open": False}
    if takes_part and exchange.status in AGREED_EXCHANGE_STATUSES:
        others = [p for p in people if p.pk != person.pk]
        memberships = Membership.objects.filter(
            timebank_id=exchange.timebank_id, person__in=others
        ).select_related("person", "timebank")
        context["contacts"] = [
            # They share this agreed exchange, so no look-up for one is needed.
            (m.person, contact_visible_to(person, m, viewer_membership=membership, agreed=True))
            for m in sorted(memberships, key=lambda m: m.person.display_name)
        ]
    thread = exchange_thread(exchange)
    if takes_part:
        context["thread_open"] = True
        context["message_form"] = MessageForm(prefix="message")
    messages = []
    if thread is not None:
        access = conversation_access(conversation=thread, person=person)
        if access is not None:
            messages = conversation_messages(thread)
            context["thread_unread"] = conversation_unread_since(messages, access.member)
            if access.for_dispute:
                conversation_read_for_dispute(access=access, acting=person)
                context["thread_for_dispute"] = True
            elif mark_read:
                conversation_mark_read(access=access)
            context["thread"] = thread
    context["thread_messages"] = messages
    return context
