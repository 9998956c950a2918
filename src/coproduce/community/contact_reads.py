"""Reading members' contact details leaves an audit row, as a write that matters does.

Coordinators see members' phone numbers, email addresses and access needs (DESIGN "Who sees
profiles"); each page that shows them records who looked, in which time bank and at whom: one row
per page view, never one per person, so a list page stays one insert however long it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from coproduce.community.models import Person, TimeBank
from coproduce.core.audit import audit_record
from coproduce.core.models import AuditEvent

CONTACT_VIEWED = "member.contact_viewed"
MEMBERS_EXPORTED = "members.exported"


def member_contact_viewed(
    *, viewer: Person, timebank: TimeBank, person: Person, page: str
) -> AuditEvent | None:
    """One person's contact details shown on `page` (their profile, their induction). Nothing is
    recorded when someone reads their own."""
    if person.pk == viewer.pk:
        return None
    return audit_record(
        action=CONTACT_VIEWED,
        actor=viewer,
        timebank_id=timebank.pk,
        target=f"person:{person.public_id}",
        data={"page": page},
    )


def members_contacts_listed(
    *, viewer: Person, timebank: TimeBank, page: str, people: Iterable[Person]
) -> AuditEvent:
    """A list page that shows several people's contact details: one row naming the page and
    who was on it."""
    return audit_record(
        action=CONTACT_VIEWED,
        actor=viewer,
        timebank_id=timebank.pk,
        target=f"page:{page}",
        data={"people": [str(person.public_id) for person in people]},
    )


def members_exported(
    *, viewer: Person, timebank: TimeBank, filters: dict[str, str], rows: int
) -> AuditEvent:
    """The members list downloaded with everyone's contact details: the filters and how many
    people it held (not who: the file may hold the whole time bank)."""
    return audit_record(
        action=MEMBERS_EXPORTED,
        actor=viewer,
        timebank_id=timebank.pk,
        target="page:members:export",
        data={"filters": {k: v for k, v in filters.items() if v}, "rows": rows},
    )
