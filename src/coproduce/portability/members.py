"""Members in and out: a spreadsheet of people becomes logins and active memberships, and a time
bank's members go out in the same columns (plus their balance), so an export reads back in.

An imported person gets no password (the coordinator hands them a one-time link to choose one) and
an active membership with the member role, dated when they joined the previous system; their
hour account opens through the ledger's own helper. Roles, pauses and induction notes are the
coordinator's to set afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.community.models import (
    ContactPreference,
    Membership,
    MembershipStatus,
    Person,
    Role,
    TimeBank,
)
from coproduce.core.audit import audit_record
from coproduce.core.errors import Conflict
from coproduce.core.units import format_hmm
from coproduce.ledger.accounts import member_accounts_open
from coproduce.ledger.models import HOUR, Account, AccountKind
from coproduce.matching.index import timebank_reindex
from coproduce.portability.files import (
    Export,
    ImportResult,
    Problem,
    Row,
    read_csv,
    repeated,
    rows_in_chunks,
)

REQUIRED = ("username", "first_name")
OPTIONAL = ("last_name", "email", "area", "phone", "joined")
COLUMNS = (*REQUIRED, *OPTIONAL)
# An export's extra column: read back in by `import balances`, not here.
EXPORT_COLUMNS = (*COLUMNS, "balance")
# Who an export lists: the people who are members now (not applicants, not those who left).
EXPORTED_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.PAUSED)
AUDIT_ACTION = "import.members"

# Each column is checked by its model field's own validators (username characters, email,
# lengths), so the rules live in one place.
_FIELDS: dict[str, tuple[type[models.Model], str]] = {
    "username": (Person, "username"),
    "first_name": (Person, "first_name"),
    "last_name": (Person, "last_name"),
    "email": (Person, "email"),
    "phone": (Person, "phone"),
    "area": (Membership, "area"),
}


@dataclass
class _NewMember:
    line: int
    username: str
    first_name: str
    last_name: str
    email: str
    phone: str
    area: str
    joined: datetime


def members_import(
    *, timebank: TimeBank, path: str | os.PathLike[str], dry_run: bool = False
) -> ImportResult:
    """Add everyone in the CSV file at `path` to `timebank` as an active member, or, if any row
    is bad, add no one and say what is wrong with every bad row."""
    result = ImportResult(dry_run=dry_run)
    table = read_csv(path, required=REQUIRED, optional=OPTIONAL, ignored=("balance",))
    result.problems.extend(table.problems)
    if table.problems:
        return result
    now = timezone.now()
    members = []
    for row in table.rows:
        member = _checked(row, now, result.problems)
        if member is not None:
            members.append(member)
    result.problems.extend(repeated(table.rows, "username"))
    _refuse_taken(members, result.problems)
    result.problems.sort(key=lambda problem: problem.line)
    if result.problems:
        return result

    count = len(members)
    if dry_run:
        text = ngettext(
            "would add %(count)d member to %(timebank)s",
            "would add %(count)d members to %(timebank)s",
            count,
        )
    else:
        if members:
            _write(timebank, members, file=os.fspath(path))
        text = ngettext(
            "added %(count)d member to %(timebank)s",
            "added %(count)d members to %(timebank)s",
            count,
        )
    result.summary.append(text % {"count": count, "timebank": timebank.name})
    if "balance" in table.columns:
        result.notes.append(
            _(
                "the balance column is not read by this import: carry balances over with "
                "`coproduce import balances`, which reads the same file"
            )
        )
    return result


def _checked(row: Row, now: datetime, problems: list[Problem]) -> _NewMember | None:
    values = row.values
    bad = len(problems)
    for column in REQUIRED:
        if not values[column]:
            problems.append(Problem(row.line, _("%(column)s is missing") % {"column": column}))
    for column, (model, name) in _FIELDS.items():
        value = values.get(column, "")
        if not value:
            continue
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)
        try:
            field.clean(value, None)
        except ValidationError as exc:
            problems.append(
                Problem(
                    row.line,
                    _("%(column)s “%(value)s”: %(error)s")
                    % {"column": column, "value": value, "error": " ".join(exc.messages)},
                )
            )
    joined = _joined(row, now, problems)
    if len(problems) > bad or joined is None:
        return None
    return _NewMember(
        line=row.line,
        username=values["username"],
        first_name=values["first_name"],
        last_name=values.get("last_name", ""),
        email=values.get("email", ""),
        phone=values.get("phone", ""),
        area=values.get("area", ""),
        joined=joined,
    )


def _joined(row: Row, now: datetime, problems: list[Problem]) -> datetime | None:
    text = row.values.get("joined", "")
    if not text:
        return now
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(
            Problem(
                row.line,
                _("joined “%(value)s” is not a date: write it as YYYY-MM-DD") % {"value": text},
            )
        )
        return None
    if day > timezone.localdate(now):
        problems.append(
            Problem(row.line, _("joined %(date)s is in the future") % {"date": day.isoformat()})
        )
        return None
    # Midnight where the time bank is, so the export gives back the same date.
    return timezone.make_aware(datetime.combine(day, time.min))


def _refuse_taken(members: list[_NewMember], problems: list[Problem]) -> None:
    """Usernames are unique on the whole site, whatever their capitals."""
    first_line: dict[str, int] = {}
    for member in members:
        first_line.setdefault(member.username.lower(), member.line)
    taken: set[str] = set()
    for chunk in rows_in_chunks(list(first_line)):
        taken.update(
            Person.objects.annotate(key=Lower("username"))
            .filter(key__in=chunk)
            .values_list("key", flat=True)
        )
    for member in members:
        key = member.username.lower()
        if key in taken and first_line[key] == member.line:
            problems.append(
                Problem(
                    member.line,
                    _(
                        "the username “%(username)s” is already taken (usernames are unique on "
                        "the whole site, whatever their capitals)"
                    )
                    % {"username": member.username},
                )
            )


def _contact_preference(member: _NewMember) -> str:
    # One the coordinator can act on (docs/DESIGN.md, "Joining"): an address, else a number,
    # else through the coordinator.
    if member.email:
        return ContactPreference.EMAIL
    if member.phone:
        return ContactPreference.PHONE
    return ContactPreference.THROUGH_COORDINATOR


def _write(timebank: TimeBank, members: list[_NewMember], *, file: str) -> None:
    try:
        with transaction.atomic():
            _write_rows(timebank, members, file=file)
    except IntegrityError:
        # A username was taken between the check and the write (another import, someone
        # joining): nothing was written.
        raise Conflict(
            _(
                "someone took one of these usernames while the import ran; nothing was imported. "
                "Run it again to see which."
            ),
            "username_taken",
        ) from None


def _write_rows(timebank: TimeBank, members: list[_NewMember], *, file: str) -> None:
    people = []
    for member in members:
        person = Person(
            username=member.username,
            first_name=member.first_name,
            last_name=member.last_name,
            email=member.email,
            phone=member.phone,
            contact_preference=_contact_preference(member),
            date_joined=member.joined,
        )
        # No password: the coordinator hands them a one-time link to choose their own.
        person.set_unusable_password()
        people.append(person)
    Person.objects.bulk_create(people, batch_size=500)
    memberships = Membership.objects.bulk_create(
        [
            Membership(
                timebank=timebank,
                person=person,
                role=Role.MEMBER,
                status=MembershipStatus.ACTIVE,
                area=member.area,
                activated_at=member.joined,
            )
            for member, person in zip(members, people, strict=True)
        ],
        batch_size=500,
    )
    # `applied_at` is stamped with the time of writing; they applied when they joined.
    for chunk in rows_in_chunks([membership.pk for membership in memberships]):
        Membership.objects.filter(pk__in=chunk).update(applied_at=F("activated_at"))
    member_accounts_open(timebank=timebank, people=people)
    # Bulk writes bypass the matching index's signals; bring it up to date in one go.
    timebank_reindex(timebank=timebank)
    audit_record(
        action=AUDIT_ACTION,
        actor=None,
        timebank_id=timebank.pk,
        target=f"timebank:{timebank.public_id}",
        data={"members": len(people), "file": os.path.basename(file)},
    )


# --- export -----------------------------------------------------------------------------------


def members_export(*, timebank: TimeBank) -> Export:
    """The time bank's members in the import's columns, with each one's balance as h:mm: one
    query, read in chunks."""
    balance = Account.objects.filter(
        timebank_id=timebank.pk,
        person_id=OuterRef("person_id"),
        kind=AccountKind.MEMBER,
        unit=HOUR,
    ).values("balance")[:1]
    rows = (
        Membership.objects.filter(timebank=timebank, status__in=EXPORTED_STATUSES)
        .annotate(balance=Subquery(balance))
        .order_by("person_id")
        .values_list(
            "person__username",
            "person__first_name",
            "person__last_name",
            "person__email",
            "area",
            "person__phone",
            "activated_at",
            "applied_at",
            "balance",
        )
    )

    def cells() -> Iterator[tuple[Any, ...]]:
        for *text, activated_at, applied_at, minutes in rows.iterator(chunk_size=2000):
            joined = timezone.localtime(activated_at or applied_at).date().isoformat()
            yield (*text, joined, format_hmm(minutes or 0))

    return Export(
        what="members",
        columns=EXPORT_COLUMNS,
        rows=cells(),
        text_columns=frozenset(COLUMNS) - {"joined"},
    )
