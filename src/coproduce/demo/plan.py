"""The demo community as planned in memory, before a row is written.

`Plan` holds everything the planners decide (people, organisations, listings, the history of
exchanges) and the two random generators they draw from. Nothing here touches the database,
except that the writer fills in the ids of the rows it creates.
"""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from random import Random
from typing import Any

from django.utils import timezone

from coproduce.community.models import Membership, Organisation, Person, TimeBank
from coproduce.demo import content
from coproduce.exchanges.models import Offer, Request

DEFAULT_SLUG = "riverside"

# What kind of member someone is, which decides how they take part.
CORE, REGULAR, GIVER, RECEIVER, ISOLATED, STAFF = (
    "core", "regular", "giver", "receiver", "isolated", "staff"
)  # fmt: skip


class Weighted:
    """Picks items in proportion to their weights with one `rng.random()` per pick."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))

    def pick(self, rng: Random) -> Any:
        return self.items[bisect_right(self.cum, rng.random() * self.cum[-1])]


@dataclass(eq=False, kw_only=True)
class Party:
    """Anyone with an account in the demo. The balance is tracked here, in step with the ledger,
    so a planned transfer is never one that `transfer_post` would refuse."""

    balance: int = 0
    min_balance: int = 0
    max_balance: int | None = None
    account_id: int = 0
    # Keeps in touch through the coordinator, who lists and confirms on their behalf.
    offline: bool = False

    def can_pay(self, minutes: int) -> bool:
        return self.balance - minutes >= self.min_balance

    def can_earn(self, minutes: int) -> bool:
        return self.max_balance is None or self.balance + minutes <= self.max_balance

    def person_id(self) -> int | None:
        return None

    def organisation_id(self) -> int | None:
        return None


@dataclass(eq=False, kw_only=True)
class Member(Party):
    username: str
    base: str  # the username without the time bank's suffix
    first_name: str
    last_name: str
    phone: str
    contact: str
    languages: str
    availability: list[str]
    area: str
    role: str
    status: str
    habit: str
    weight: float
    gives: list[str]
    joined_at: datetime
    activated_at: datetime | None
    inducted: bool
    trades_from: int  # the first month of history in which this member trades
    public_id: uuid.UUID
    account_public_id: uuid.UUID
    person: Person | None = None
    membership: Membership | None = None
    offers: list[Listing] = field(default_factory=list)
    requests: list[Listing] = field(default_factory=list)

    def person_id(self) -> int | None:
        assert self.person is not None
        return self.person.pk

    @staticmethod
    def usable(listings: list[Listing], when: datetime) -> list[Listing]:
        return [listing for listing in listings if listing.created_at <= when]


@dataclass(eq=False, kw_only=True)
class Org(Party):
    text: content.OrganisationText
    public_id: uuid.UUID
    staff: Member
    staff_role: str
    organisation: Organisation | None = None
    # Standing listings are renewed whenever they expire; each renewal is a row of its own.
    offers: list[list[Listing]] = field(default_factory=list)
    requests: list[list[Listing]] = field(default_factory=list)

    def organisation_id(self) -> int | None:
        assert self.organisation is not None
        return self.organisation.pk

    @staticmethod
    def current(renewals: list[Listing], when: datetime) -> Listing:
        usable = [listing for listing in renewals if listing.created_at <= when]
        return usable[-1] if usable else renewals[0]


@dataclass(eq=False, kw_only=True)
class Listing:
    model: type[Offer] | type[Request]
    member: Member | None
    org: Org | None
    text: content.Text
    category: str
    area: str
    status: str
    created_at: datetime
    public_id: uuid.UUID
    created_by: Member | None = None
    row: Offer | Request | None = None

    @property
    def pk(self) -> int:
        assert self.row is not None
        return self.row.pk


@dataclass(eq=False, kw_only=True)
class PlannedExchange:
    public_id: uuid.UUID
    title: str
    category: str
    status: str
    minutes: int
    expected_minutes: int
    providers: list[Party]
    receivers: list[Party]
    # The credits, posted when (and only if) the exchange is confirmed.
    legs: list[tuple[Party, int]]
    proposed_by: Member
    acting: Member
    on_behalf_of: Member | None
    created_at: datetime
    agreed_at: datetime | None
    scheduled_for: datetime
    done_at: datetime | None
    confirmed_at: datetime | None
    providers_confirmed_at: datetime | None
    offer: Listing | None = None
    request: Listing | None = None
    transfer_id: int | None = None


@dataclass(eq=False, kw_only=True)
class Posting:
    """A transfer that is not an exchange: a gift to the community chest or a grant from it."""

    kind: str
    payer: Party
    payee: Party
    minutes: int
    memo: str
    acting: Member
    occurred_at: datetime
    public_id: uuid.UUID


class Pool:
    """The members trading in one month, to pick from by how active they are, anywhere or in
    one neighbourhood."""

    def __init__(self, members: list[Member]) -> None:
        self.members = set(members)
        self.anyone = Weighted(members, [m.weight for m in members])
        by_area: dict[str, list[Member]] = {}
        for m in members:
            by_area.setdefault(m.area, []).append(m)
        self.areas = {
            area: Weighted(people, [m.weight for m in people]) for area, people in by_area.items()
        }

    def pick(self, rng: Random) -> Member:
        return self.anyone.pick(rng)

    def pick_near(self, rng: Random, area: str) -> Member:
        return (self.areas.get(area) or self.anyone).pick(rng)


class Plan:
    def __init__(self, *, members: int, months: int, seed: int, slug: str) -> None:
        self.size = members
        self.months = months
        self.slug = slug
        self.rng = Random(seed)
        # Public ids are unique across the installation, so they come from their own generator,
        # seeded by the slug as well: the same seed in another time bank builds the same
        # community with ids of its own.
        self.ids = Random(f"{seed}/{slug}")
        # Planned with the settings of a new time bank, which is what the writer creates.
        name = "Riverside Time Bank" if slug == DEFAULT_SLUG else f"Riverside Time Bank ({slug})"
        self.timebank = TimeBank(slug=slug, name=name)
        # History runs over the `months` whole months before this one: a fixed point (unlike
        # "now") so that a seed builds the same community all month. Bounds are in UTC so that
        # arithmetic on them is exact when the clocks change.
        self.anchor = month_start(timezone.localtime(), 0)
        self.bounds = [
            month_start(self.anchor, back).astimezone(UTC) for back in range(months, -1, -1)
        ]
        # Each month's first morning (09:00 local time) and its number of days, for `moment`.
        self.mornings: list[tuple[datetime, int]] = []
        for month in range(months):
            first = timezone.localtime(self.bounds[month], self.anchor.tzinfo)
            days = (timezone.localtime(self.bounds[month + 1], self.anchor.tzinfo) - first).days
            self.mornings.append((first.replace(hour=9), days))

        self.members: list[Member] = []
        self.applicants: list[Member] = []
        self.orgs: list[Org] = []
        self.chest = Party()
        self.listings: list[Listing] = []
        self.timeline: list[PlannedExchange | Posting] = []
        self.pending: list[PlannedExchange] = []

    # The named people and organisations, set by the community planner.
    carol: Member
    alice: Member
    bob: Member
    dr_patel: Member
    sam: Member
    surgery: Org
    council: Org

    @property
    def start(self) -> datetime:
        return self.bounds[0]

    @property
    def end(self) -> datetime:
        return self.bounds[-1]

    @property
    def everyone(self) -> list[Member]:
        return self.members + self.applicants

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.ids.getrandbits(128), version=4)

    def moment(self, month: int, fraction: float) -> datetime:
        """A daytime moment (09:00 to 17:30 local time, on the half hour) `fraction` of the way
        through month `month` of the history. A later fraction is never an earlier moment."""
        morning, days = self.mornings[month]
        position = fraction * days
        day = int(position)
        slot = int((position - day) * 18)  # eighteen half hours from 09:00
        return (morning + timedelta(days=day, minutes=30 * slot)).astimezone(UTC)


def month_start(moment: datetime, back: int) -> datetime:
    """Midnight at the start of the month `back` months before `moment`'s, in its time zone."""
    index = moment.year * 12 + moment.month - 1 - back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=moment.tzinfo)
