"""Plans who is in the demo time bank and what they offer and ask for.

The named people of the demo logins come first, then members with names from the mix of a UK
town, each with a habit (a core of very active people, some who only give, a few nobody has
reached yet), then a handful of applicants. Every member lists what they can give; many ask for
something; the two partner organisations keep standing offers (group sessions) and requests
(volunteering).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from coproduce.community.availability import SLOTS
from coproduce.community.models import ContactPreference, MembershipStatus, Role, StaffRole
from coproduce.core.categories import Category
from coproduce.demo import content, listings
from coproduce.demo.plan import (
    CORE,
    DEFAULT_SLUG,
    GIVER,
    ISOLATED,
    RECEIVER,
    REGULAR,
    STAFF,
    Listing,
    Member,
    Org,
    Plan,
    Weighted,
)
from coproduce.exchanges.models import ListingStatus, Offer, Request

# Active listings are recent enough not to expire this month, whatever day it is.
RECENT_LISTING_DAYS = 55
FOUNDERS_SHARE = 0.55

_NO_NAME_GROUP = content.NameGroup(0, (), ())
_Contact = ContactPreference
NAMED: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    # username, first, last, role, area, habit, contact preference
    ("carol", "Carol", "Bennett", Role.COORDINATOR, "Riverside", REGULAR, _Contact.EMAIL),
    ("alice", "Alice", "Okafor", Role.MEMBER, "Mill Lane", CORE, _Contact.TEXT),
    ("bob", "Bob", "Kowalczyk", Role.MEMBER, "Mill Lane", REGULAR, _Contact.THROUGH_COORDINATOR),
    ("dr_patel", "Priya", "Patel", Role.PROFESSIONAL, "Riverside", STAFF, _Contact.EMAIL),
    ("sam", "Sam", "Hughes", Role.PROFESSIONAL, "Old Town", STAFF, _Contact.EMAIL),
)  # fmt: skip

_PLAIN_LETTERS = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "ß": "ss"})  # noqa: RUF001


def ascii_name(text: str) -> str:
    """`João` → `joao`, `O'Brien` → `obrien`: usernames stay plain ASCII."""
    # Letters that are not an accent on a plain letter, so NFKD alone would drop them.
    text = text.translate(_PLAIN_LETTERS)
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in flat.lower() if ch.isalnum())


class CommunityPlanner:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.rng = plan.rng
        self.offer_categories = Weighted(
            list(content.OFFER_WEIGHTS), list(content.OFFER_WEIGHTS.values())
        )
        self.name_groups = Weighted(content.NAME_GROUPS, [g.weight for g in content.NAME_GROUPS])
        self.usernames: dict[str, int] = {}

    def run(self) -> None:
        self._people()
        self._organisations()
        self._listings()

    # -- people ----------------------------------------------------------------------------------

    def _people(self) -> None:
        plan, rng = self.plan, self.rng
        total = max(plan.size, len(NAMED))
        for index, (username, first, last, role, area, habit, contact) in enumerate(NAMED):
            plan.members.append(
                self._member(
                    base=username,
                    first=first,
                    last=last,
                    group=_NO_NAME_GROUP,
                    role=role,
                    area=area,
                    habit=habit,
                    contact=contact,
                    activated_at=plan.start - timedelta(days=300 - 10 * index, hours=-10),
                    trades_from=0,
                )
            )
        plan.carol, plan.alice, plan.bob, plan.dr_patel, plan.sam = plan.members

        for habit in self._habits(total - len(NAMED)):
            group, first, last = self._name_of_someone()
            founder, joined_month, fraction = rng.random(), rng.random(), rng.random()
            if founder < FOUNDERS_SHARE or plan.months == 1:
                activated_at = plan.start - timedelta(days=1 + int(fraction * 365), hours=-10)
                trades_from = 0
            else:
                # Joined during the history; trades from the next month on.
                month = int(joined_month * (plan.months - 1))
                activated_at = plan.moment(month, fraction)
                trades_from = month + 1
            plan.members.append(
                self._member(
                    base=self._unique(first, last),
                    first=first,
                    last=last,
                    group=group,
                    role=Role.MEMBER,
                    area=rng.choice(content.AREAS),
                    habit=habit,
                    contact=self._contact(),
                    activated_at=activated_at,
                    trades_from=trades_from,
                )
            )

        # Applicants waiting for the coordinator: the first few already met her at induction
        # and only need welcoming in.
        for index in range(max(3, min(25, total // 50))):
            group, first, last = self._name_of_someone()
            applicant = self._member(
                base=self._unique(first, last),
                first=first,
                last=last,
                group=group,
                role=Role.MEMBER,
                area=rng.choice(content.AREAS),
                habit=ISOLATED,
                contact=self._contact(),
                activated_at=None,
                trades_from=plan.months,
            )
            applicant.status = MembershipStatus.APPLIED
            applicant.joined_at = plan.end - timedelta(hours=6 + int(rng.random() * 20 * 24))
            applicant.inducted = index < 3 and rng.random() < 0.7
            plan.applicants.append(applicant)

    def _name_of_someone(self) -> tuple[content.NameGroup, str, str]:
        rng = self.rng
        group = self.name_groups.pick(rng)
        first = rng.choice(group.first)
        # Some families mix, and some people took a partner's name.
        mixed, other = rng.random(), self.name_groups.pick(rng)
        last = rng.choice((other if mixed < 0.1 else group).last)
        return group, first, last

    def _unique(self, first: str, last: str) -> str:
        base = f"{ascii_name(first)}.{ascii_name(last)}"
        count = self.usernames[base] = self.usernames.get(base, 0) + 1
        return base if count == 1 else f"{base}.{count}"

    def _habits(self, n: int) -> list[str]:
        """Fixed shares rather than a draw per member, so even a small demo has someone who
        only gives and someone nobody has reached yet."""
        isolated = max(1, round(n * 0.04)) if n >= 10 else 0
        givers = max(1, round(n * 0.10)) if n >= 5 else 0
        receivers = round(n * 0.03)
        core = max(1, round(n * 0.05)) if n >= 5 else 0
        regular = max(0, n - isolated - givers - receivers - core)
        habits = (
            [ISOLATED] * isolated
            + [GIVER] * givers
            + [RECEIVER] * receivers
            + [CORE] * core
            + [REGULAR] * regular
        )[:n]
        self.rng.shuffle(habits)
        return habits

    def _contact(self) -> str:
        draw = self.rng.random()
        if draw < 0.55:
            return ContactPreference.EMAIL
        if draw < 0.70:
            return ContactPreference.PHONE
        if draw < 0.85:
            return ContactPreference.TEXT
        return ContactPreference.THROUGH_COORDINATOR

    def _member(
        self,
        *,
        base: str,
        first: str,
        last: str,
        group: content.NameGroup,
        role: str,
        area: str,
        habit: str,
        contact: str,
        activated_at: datetime | None,
        trades_from: int,
    ) -> Member:
        plan, rng = self.plan, self.rng
        has_phone, number, weight, speaks = (
            rng.random(),
            rng.randrange(1000),
            rng.random(),
            rng.random(),
        )
        # Numbers from Ofcom's range for drama, which will never ring anyone.
        phone = f"07700 900{number:03d}" if contact != "email" or has_phone < 0.5 else ""
        language = rng.choice(group.languages) if group.languages else ""
        weights = {CORE: 4 + 2 * weight, REGULAR: 0.6 + 0.8 * weight, GIVER: 1.0, RECEIVER: 0.7}
        gives: list[str] = []
        for _ in range(1 + (rng.random() < 0.5) + (rng.random() < 0.2)):
            category = self.offer_categories.pick(rng)
            if category not in gives:
                gives.append(category)
        free = rng.sample(range(len(SLOTS)), 2 + rng.randrange(5))
        return Member(
            # Usernames are unique across the installation, so a second demo (another slug)
            # has its own: `alice@harbour`. The default demo keeps the logins as they are.
            username=base if plan.slug == DEFAULT_SLUG else f"{base}@{plan.slug}",
            base=base,
            first_name=first,
            last_name=last,
            phone=phone,
            contact=contact,
            offline=contact == ContactPreference.THROUGH_COORDINATOR,
            languages=f"English, {language}" if language and speaks < 0.6 else "English",
            availability=[SLOTS[i] for i in sorted(free)],
            area=area,
            role=role,
            status=MembershipStatus.ACTIVE,
            habit=habit,
            weight=weights.get(habit, 0.0),
            gives=gives,
            joined_at=(activated_at or plan.end) - timedelta(days=7),
            activated_at=activated_at,
            inducted=activated_at is not None,
            trades_from=trades_from,
            public_id=plan.new_id(),
            account_public_id=plan.new_id(),
            min_balance=plan.timebank.default_min_balance,
            max_balance=plan.timebank.default_max_balance,
        )

    def _organisations(self) -> None:
        plan = self.plan
        for text, staff, role in (
            (content.SURGERY, plan.dr_patel, StaffRole.PROFESSIONAL),
            (content.COUNCIL, plan.sam, StaffRole.ADMIN),
        ):
            plan.orgs.append(Org(text=text, public_id=plan.new_id(), staff=staff, staff_role=role))
        plan.surgery, plan.council = plan.orgs

    # -- offers and requests ---------------------------------------------------------------------

    def _listings(self) -> None:
        plan, rng = self.plan, self.rng
        wants = Weighted(list(content.REQUEST_WEIGHTS), list(content.REQUEST_WEIGHTS.values()))
        listers = [m for m in plan.members if m.habit != STAFF]
        for m in listers:
            for index in range(1 + (rng.random() < 0.5) + (rng.random() < 0.2)):
                self._listing(Offer, m, m.gives[index % len(m.gives)])
            draw = rng.random()
            for _ in range(0 if draw < 0.5 else 1 if draw < 0.85 else 2):
                self._listing(Request, m, wants.pick(rng))
        # Every kind of help appears, however small the demo.
        for model in (Offer, Request):
            listed = {x.category for x in plan.listings if x.model is model}
            for category in Category.values:
                if category not in listed:
                    self._listing(model, rng.choice(listers), category)
        for org in plan.orgs:
            org.offers = [self._standing(Offer, org, text, cat) for text, cat in org.text.offers]
            org.requests = [
                self._standing(Request, org, text, cat) for text, cat in org.text.requests
            ]

    def _listing(self, model: type[Offer] | type[Request], member: Member, category: str) -> None:
        plan, rng = self.plan, self.rng
        texts = listings.OFFERS if model is Offer else listings.REQUESTS
        text = rng.choice(texts[category])
        # Drawn up front, so which branch the dates lead to never shifts the random stream.
        recent, when, state = rng.random(), rng.random(), rng.random()
        since = member.activated_at or plan.end
        recent_from = max(since, plan.end - timedelta(days=RECENT_LISTING_DAYS))
        old_until = plan.end - timedelta(days=plan.timebank.listing_expiry_days + 10)
        if recent < 0.8 or since >= old_until:
            span = plan.end - timedelta(days=1) - recent_from
            created_at = recent_from + timedelta(minutes=int(span / timedelta(minutes=1) * when))
            status = ListingStatus.PAUSED if state < 0.08 else ListingStatus.ACTIVE
        else:
            # An old listing that has run its course: requests mostly met, offers lapsed.
            span = old_until - since
            created_at = since + timedelta(minutes=int(span / timedelta(minutes=1) * when))
            status = (
                ListingStatus.CLOSED if model is Request and state < 0.6 else ListingStatus.EXPIRED
            )
        listing = Listing(
            model=model,
            member=member,
            org=None,
            text=text,
            category=category,
            area=member.area,
            status=status,
            created_at=created_at,
            public_id=plan.new_id(),
            # The coordinator posts listings for members who do not use the site themselves.
            created_by=plan.carol if member.offline else None,
        )
        (member.offers if model is Offer else member.requests).append(listing)
        plan.listings.append(listing)

    def _standing(
        self,
        model: type[Offer] | type[Request],
        org: Org,
        text: content.Text,
        category: str,
    ) -> list[Listing]:
        """An organisation's standing listing, renewed whenever it expires, from before the
        history began to now; the last renewal is the active one."""
        plan = self.plan
        expiry = timedelta(days=plan.timebank.listing_expiry_days)
        created_at = plan.end - timedelta(days=30)
        dates = [created_at]
        while created_at > plan.start - timedelta(days=7):
            created_at -= expiry
            dates.append(created_at)
        renewals = []
        for index, created in enumerate(reversed(dates)):
            listing = Listing(
                model=model,
                member=None,
                org=org,
                text=text,
                category=category,
                area="Mill Lane",
                status=ListingStatus.ACTIVE if index == len(dates) - 1 else ListingStatus.EXPIRED,
                created_at=created,
                public_id=plan.new_id(),
                created_by=org.staff,
            )
            renewals.append(listing)
            plan.listings.append(listing)
        return renewals
