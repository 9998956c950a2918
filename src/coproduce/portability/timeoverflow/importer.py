"""`coproduce import timeoverflow`: a TimeOverflow bank's reports become a Coproduce time bank.

Everything is checked before anything is written; a bad cell anywhere names its file, line and
column, and nothing is written. A real run is one transaction:
1. each member of the Members report becomes a person (a username made from their name, unique
   and kept across runs through `ExternalRecord`; no password: the coordinator invites them or
   hands them a link) with an active membership dated when they joined TimeOverflow, and an
   hour account;
2. each offer and inquiry becomes an open offer or request in the nearest category;
3. each transfer between two members becomes a confirmed exchange on its own date, and each
   between a member and the organisation's own account a grant from (or a gift to) the
   community chest; transfers with a deleted or inactive member cannot be placed, and
4. each member then gets one opening adjustment for whatever the history here does not explain,
   so their balance equals the Members report exactly (to the second: TimeOverflow counts
   seconds, Coproduce minutes, and a balance that is not whole minutes is refused).
Keys make a second run add nothing: people and posts by `ExternalRecord`, transfers by an
idempotency key made from the row, adjustments only for a difference that remains.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coproduce.community.locales import language_or_blank
from coproduce.community.models import Membership, MembershipStatus, Person, Role, TimeBank
from coproduce.community.permissions import require_coordinator
from coproduce.core.audit import audit_record
from coproduce.core.categories import Category
from coproduce.core.units import format_hmm
from coproduce.exchanges.services.history import (
    PastExchange,
    PastListing,
    exchanges_record_past,
    listings_record_past,
)
from coproduce.ledger.accounts import (
    chest_get_or_open,
    clearing_get_or_open,
    member_accounts_open,
)
from coproduce.ledger.models import HOUR, Account, AccountKind, Transfer, TransferKind
from coproduce.ledger.services import transfer_post
from coproduce.matching.index import timebank_reindex
from coproduce.portability.balances import (
    CLEARING_NAME,
    RESTATISTICS_AT,
    ledger_statistics_refresh,
)
from coproduce.portability.files import ImportResult, Problem, rows_in_chunks
from coproduce.portability.models import ExternalRecord
from coproduce.portability.timeoverflow.categories import category_for
from coproduce.portability.timeoverflow.files import reports_read
from coproduce.portability.timeoverflow.reports import (
    Member,
    Post,
    ReportProblem,
    Reports,
)
from coproduce.portability.timeoverflow.reports import (
    Transfer as ReportTransfer,
)

SOURCE = "timeoverflow"
AUDIT_ACTION = "import.timeoverflow"
Progress = Callable[[str, int, int], None]  # stage, done, total


# --- Planning ------------------------------------------------------------------------------------


@dataclass
class Plan:
    new_people: list[tuple[Member, str]] = field(default_factory=list)  # with their username
    people: dict[int, Person] = field(default_factory=dict)  # uid -> existing person
    posts: list[tuple[Post, str]] = field(default_factory=list)  # new posts with category
    categories: dict[str, str] = field(default_factory=dict)  # TimeOverflow name -> key
    transfers: list[tuple[ReportTransfer, str]] = field(default_factory=list)  # with key
    unplaced: Counter[str] = field(default_factory=Counter)
    unknown_uids: set[int] = field(default_factory=set)


def _username_base(name: str) -> str:
    base = slugify(name).replace("-", ".")[:30].strip(".")
    return base or "member"


def _records(timebank: TimeBank, kind: str) -> dict[str, str]:
    return {
        external_id: str(public_id)
        for external_id, public_id in ExternalRecord.objects.filter(
            timebank=timebank, source=SOURCE, kind=kind
        ).values_list("external_id", "public_id")
    }


def _plan_people(
    timebank: TimeBank, members: list[Member], plan: Plan, problems: list[Problem], file: str
) -> None:
    known = _records(timebank, "member")
    by_public = {
        str(person.public_id): person
        for chunk in rows_in_chunks(list(known.values()))
        for person in Person.objects.filter(public_id__in=chunk)
    }
    wanted: dict[str, list[Member]] = defaultdict(list)
    for member in members:
        person = by_public.get(known.get(str(member.uid), ""))
        if person is not None:
            plan.people[member.uid] = person
            continue
        if member.email:
            try:
                validate_email(member.email)
            except ValidationError:
                problems.append(
                    ReportProblem(
                        member.line,
                        _("“%(email)s” is not an email address") % {"email": member.email},
                        file=file,
                        column="Email",
                    )
                )
                continue
        wanted[_username_base(member.name)].append(member)
    bases = list(wanted)
    taken = {
        username
        for chunk in rows_in_chunks(
            bases + [f"{base}.{m.uid}" for base, group in wanted.items() for m in group]
        )
        for username in Person.objects.annotate(key=Lower("username"))
        .filter(key__in=chunk)
        .values_list("key", flat=True)
    }
    for base, group in wanted.items():
        # A name only one member has, and nobody here uses, is their username as it is;
        # otherwise each gets their TimeOverflow number after it, which no one else can have.
        for member in sorted(group, key=lambda m: m.uid):
            if len(group) == 1 and base not in taken:
                username = base
            else:
                username = f"{base}.{member.uid}"
                n = 1
                while username in taken:
                    n += 1
                    username = f"{base}.{member.uid}.{n}"
            taken.add(username)
            plan.new_people.append((member, username))


def _plan_posts(
    timebank: TimeBank,
    posts: list[Post],
    uids: set[int],
    overrides: dict[str, str],
    plan: Plan,
    problems: list[Problem],
) -> None:
    known = {
        **{f"offer:{k}": v for k, v in _records(timebank, "offer").items()},
        **{f"request:{k}": v for k, v in _records(timebank, "request").items()},
    }
    for post in posts:
        kind = "offer" if post.kind == "offers" else "request"
        if post.uid not in uids:
            problems.append(
                ReportProblem(
                    post.line,
                    _("member %(uid)d is not in the Members report") % {"uid": post.uid},
                    file=post.file,
                    column="user",
                )
            )
            continue
        name = post.category or "-"
        if name not in plan.categories:
            plan.categories[name] = overrides.get(name) or category_for(post.category)
        if f"{kind}:{post.id}" not in known:
            plan.posts.append((post, plan.categories[name]))


def transfer_key(timebank: TimeBank, transfer: ReportTransfer, occurrence: int) -> str:
    """A transfer's idempotency key: its row as written (TimeOverflow's report gives no id), and
    which of several identical rows it is."""
    digest = hashlib.sha256(f"{transfer.text}\x1e{occurrence}".encode()).hexdigest()[:40]
    return f"timeoverflow:{timebank.pk}:{digest}"


def _plan_transfers(
    timebank: TimeBank, transfers: list[ReportTransfer], uids: set[int], plan: Plan
) -> None:
    seen: Counter[str] = Counter()
    for transfer in sorted(transfers, key=lambda t: (t.at, -t.line)):
        seen[transfer.text] += 1
        sides = []
        for party in (transfer.payer, transfer.payee):
            if party.kind == "member" and party.uid not in uids:
                plan.unknown_uids.add(party.uid)
                sides.append("gone")
            else:
                sides.append(party.kind)
        if transfer.seconds == 0:
            plan.unplaced["zero"] += 1
        elif transfer.seconds % 60:
            plan.unplaced["seconds"] += 1
        elif "gone" in sides:
            plan.unplaced["gone"] += 1
        elif sides == ["organisation", "organisation"]:
            plan.unplaced["organisation"] += 1
        elif sides == ["member", "member"] and transfer.payer.uid == transfer.payee.uid:
            plan.unplaced["self"] += 1
        else:
            plan.transfers.append((transfer, transfer_key(timebank, transfer, seen[transfer.text])))


# --- The import ----------------------------------------------------------------------------------


def timeoverflow_import(
    *,
    timebank: TimeBank,
    acting: Person,
    paths: Sequence[str],
    dry_run: bool = False,
    category_overrides: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a TimeOverflow bank's reports into `timebank` (see the module's description), or,
    if anything is wrong, write nothing and name every problem."""
    require_coordinator(
        person=acting,
        timebank=timebank,
        message=_(
            "%(username)s is not an active coordinator of %(timebank)s; a bank is imported by one"
        )
        % {"username": acting.username, "timebank": timebank.name},
    )
    result = ImportResult(dry_run=dry_run)
    overrides = dict(category_overrides or {})
    for name, key in overrides.items():
        if key not in Category.values:
            result.problems.append(
                ReportProblem(
                    0,
                    _(
                        "--category %(name)s=%(key)s: %(key)s is not a category "
                        "(choose from %(all)s)"
                    )
                    % {"name": name, "key": key, "all": ", ".join(Category.values)},
                )
            )
    reports = reports_read(paths)
    result.problems.extend(reports.problems)
    if result.problems:
        return result
    plan = Plan()
    members_file = reports.files["members"]
    _plan_people(timebank, reports.members, plan, result.problems, members_file)
    uids = {member.uid for member in reports.members}
    _plan_posts(timebank, reports.posts, uids, overrides, plan, result.problems)
    for name in overrides:
        if name not in plan.categories:
            result.notes.append(
                _("--category %(name)s: no post has that category") % {"name": name}
            )
    _plan_transfers(timebank, reports.transfers, uids, plan)
    result.problems.sort(key=lambda p: (getattr(p, "file", ""), p.line))
    if result.problems:
        return result

    if not dry_run:
        _write(timebank, acting, reports, plan, progress=progress, paths=paths)
    _explain(result, timebank, reports, plan, dry_run=dry_run)
    return result


def _explain(
    result: ImportResult, timebank: TimeBank, reports: Reports, plan: Plan, *, dry_run: bool
) -> None:
    verb = _("would add") if dry_run else _("added")
    result.summary.append(
        _(
            "%(verb)s %(people)d members, %(posts)d offers and requests, "
            "%(transfers)d transfers to %(timebank)s"
        )
        % {
            "verb": verb,
            "people": len(plan.new_people),
            "posts": len(plan.posts),
            "transfers": len(plan.transfers),
            "timebank": timebank.name,
        }
    )
    if plan.people:
        result.summary.append(
            _("%(count)d members were already imported") % {"count": len(plan.people)}
        )
    for name, key in sorted(plan.categories.items()):
        result.notes.append(
            _('category “%(name)s” → %(category)s (override with --category "%(name)s=KEY")')
            % {"name": name, "category": Category(key).label}
        )
    reasons = {
        "gone": _("with a deleted or inactive member"),
        "zero": _("of no time"),
        "seconds": _("not of whole minutes"),
        "organisation": _("between organisation accounts"),
        "self": _("from a member to themselves"),
    }
    for reason, count in sorted(plan.unplaced.items()):
        result.notes.append(
            _("%(count)d transfers %(reason)s are not history here; opening adjustments cover them")
            % {"count": count, "reason": reasons[reason]}
        )
    if plan.unknown_uids:
        result.notes.append(
            _("members %(uids)s appear in Transfers but not in Members (inactive?)")
            % {"uids": ", ".join(map(str, sorted(plan.unknown_uids)[:20]))}
        )
    total = sum(member.balance_seconds for member in reports.members) // 60
    result.summary.append(
        _("the members' balances come to %(total)s h, as in the Members report")
        % {"total": format_hmm(total)}
    )


@transaction.atomic
def _write(
    timebank: TimeBank,
    acting: Person,
    reports: Reports,
    plan: Plan,
    *,
    progress: Progress | None,
    paths: Sequence[str],
) -> None:
    reason = _("Carried over from TimeOverflow")
    now = timezone.now()

    people = dict(plan.people)
    if plan.new_people:
        made = Person.objects.bulk_create(
            [
                Person(
                    username=username,
                    first_name=member.name[:150],
                    email=member.email,
                    phone=(member.phone or member.alt_phone)[:40],
                    password=make_password(None),  # unusable: an invitation or a link sets it
                    date_joined=member.created or now,
                    language=language_or_blank(member.locale),
                )
                for member, username in plan.new_people
            ],
            batch_size=500,
        )
        if made and made[0].pk is None:  # a database that returns no ids from bulk inserts
            by_name = {
                p.username: p
                for chunk in rows_in_chunks([u for _m, u in plan.new_people])
                for p in Person.objects.filter(username__in=chunk)
            }
            made = [by_name[u] for _m, u in plan.new_people]
        Membership.objects.bulk_create(
            [
                Membership(
                    timebank=timebank,
                    person=person,
                    role=Role.MEMBER,
                    status=MembershipStatus.ACTIVE,
                    activated_at=member.created or now,
                    induction_notes=(
                        _("Alternative phone: %(phone)s") % {"phone": member.alt_phone}
                        if member.alt_phone and member.phone
                        else ""
                    ),
                )
                for (member, _u), person in zip(plan.new_people, made, strict=True)
            ],
            batch_size=500,
        )
        for (member, _u), person in zip(plan.new_people, made, strict=True):
            if member.created is not None:
                Membership.objects.filter(timebank=timebank, person=person).update(
                    applied_at=member.created
                )
        member_accounts_open(timebank=timebank, people=made)
        ExternalRecord.objects.bulk_create(
            [
                ExternalRecord(
                    timebank=timebank,
                    source=SOURCE,
                    kind="member",
                    external_id=str(member.uid),
                    public_id=person.public_id,
                )
                for (member, _u), person in zip(plan.new_people, made, strict=True)
            ],
            batch_size=500,
        )
        people.update(
            (member.uid, person) for (member, _u), person in zip(plan.new_people, made, strict=True)
        )
    if plan.posts:
        listings = listings_record_past(
            timebank=timebank,
            acting=acting,
            listings=[
                PastListing(
                    kind="offer" if post.kind == "offers" else "request",
                    person=people[post.uid],
                    title=post.title,
                    category=category,
                    tags=post.tags,
                    created_at=post.created or now,
                )
                for post, category in plan.posts
            ],
        )
        offers = [post for post, _c in plan.posts if post.kind == "offers"]
        requests = [post for post, _c in plan.posts if post.kind != "offers"]
        ExternalRecord.objects.bulk_create(
            [
                ExternalRecord(
                    timebank=timebank,
                    source=SOURCE,
                    kind="offer" if post.kind == "offers" else "request",
                    external_id=str(post.id),
                    public_id=listing.public_id,
                )
                for post, listing in zip([*offers, *requests], listings, strict=True)
            ],
            batch_size=500,
        )
    _write_transfers(timebank, acting, plan, people, reason=reason, progress=progress)
    _write_adjustments(timebank, acting, reports.members, people, reason=reason)
    audit_record(
        action=AUDIT_ACTION,
        actor=acting,
        timebank_id=timebank.pk,
        target=f"timebank:{timebank.public_id}",
        data={
            "files": [os.path.basename(path) for path in paths],
            "members": len(plan.new_people),
            "posts": len(plan.posts),
            "transfers": len(plan.transfers),
        },
    )
    transaction.on_commit(lambda: timebank_reindex(timebank=timebank))


def _write_transfers(
    timebank: TimeBank,
    acting: Person,
    plan: Plan,
    people: dict[int, Person],
    *,
    reason: str,
    progress: Progress | None,
) -> None:
    keys = [key for _t, key in plan.transfers]
    posted = {
        key
        for chunk in rows_in_chunks(keys)
        for key in Transfer.objects.filter(
            timebank=timebank, idempotency_key__in=chunk
        ).values_list("idempotency_key", flat=True)
    }
    todo = [(t, key) for t, key in plan.transfers if key not in posted]
    total = len(todo)
    titles: dict[tuple[int, str], str] = {}
    for post, category in plan.posts:
        titles[(post.uid, post.title)] = category
    past: list[PastExchange] = []
    chest = None
    accounts: dict[int, Account] | None = None
    done = 0
    restatisticked = False
    for transfer, key in todo:
        minutes = transfer.seconds // 60
        if transfer.payer.kind == "member" and transfer.payee.kind == "member":
            provider, receiver = people[transfer.payee.uid], people[transfer.payer.uid]
            category = titles.get((transfer.payee.uid, transfer.post)) or titles.get(
                (transfer.payer.uid, transfer.post), Category.NEIGHBOURHOOD
            )
            past.append(
                PastExchange(
                    provider=provider,
                    receiver=receiver,
                    minutes=minutes,
                    occurred_at=transfer.at,
                    title=transfer.post or _("Help given (from TimeOverflow)"),
                    category=category,
                    key=key,
                )
            )
            continue
        # A member and the organisation's own account: the community chest here.
        if chest is None:
            chest = chest_get_or_open(timebank=timebank)
        member_party = transfer.payee if transfer.payee.kind == "member" else transfer.payer
        if accounts is None:
            accounts = _member_accounts(timebank, people.values())
        account = accounts[people[member_party.uid].pk]
        to_member = transfer.payee.kind == "member"
        transfer_post(
            timebank=timebank,
            acting=acting,
            payer=chest if to_member else account,
            payee=account if to_member else chest,
            minutes=minutes,
            memo=(transfer.post or reason)[:255],
            kind=TransferKind.GRANT if to_member else TransferKind.GIFT,
            idempotency_key=key,
            override_reason=reason,
            occurred_at=transfer.at,
        )
        done += 1
        if progress is not None:
            progress("transfers", done, total)

    def advanced(count: int) -> None:
        nonlocal done, restatisticked
        done += count
        # PostgreSQL plans this transaction's postings without statistics of the rows it wrote:
        # count them once, early (portability.balances does the same).
        if not restatisticked and done >= RESTATISTICS_AT:
            ledger_statistics_refresh()
            restatisticked = True
        if progress is not None:
            progress("transfers", done, total)

    exchanges_record_past(
        timebank=timebank, acting=acting, past=past, reason=reason, progress=advanced
    )


def _member_accounts(timebank: TimeBank, people: Iterable[Person]) -> dict[int, Account]:
    """The people's hour accounts in the time bank, by person id, with their balances (one query
    per 500 people)."""
    ids = [person.pk for person in people]
    return {
        account.person_id: account  # type: ignore[misc]
        for chunk in rows_in_chunks(ids)
        for account in Account.objects.filter(
            timebank=timebank, kind=AccountKind.MEMBER, unit=HOUR, person_id__in=chunk
        )
    }


def _write_adjustments(
    timebank: TimeBank,
    acting: Person,
    members: list[Member],
    people: dict[int, Person],
    *,
    reason: str,
) -> None:
    """One adjustment per member for what the history here leaves unexplained, so their balance
    is the Members report's."""
    accounts = _member_accounts(timebank, [people[member.uid] for member in members])
    clearing = None
    for member in members:
        person = people[member.uid]
        expected = member.balance_seconds // 60
        account = accounts[person.pk]
        have = account.balance
        if expected == have:
            continue
        if clearing is None:
            clearing = clearing_get_or_open(timebank=timebank, name=CLEARING_NAME)
        difference = expected - have
        first = member.created or timezone.now()
        transfer_post(
            timebank=timebank,
            acting=acting,
            payer=clearing if difference > 0 else account,
            payee=account if difference > 0 else clearing,
            minutes=abs(difference),
            memo=_("Opening balance: what TimeOverflow's history here does not show"),
            kind=TransferKind.ADJUSTMENT,
            idempotency_key=f"timeoverflow:{timebank.pk}:adjust:{member.uid}:{expected}:{have}",
            override_reason=reason,
            occurred_at=first - timedelta(seconds=1) if member.created else first,
        )
