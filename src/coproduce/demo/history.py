"""Plans the months of history: who helped whom, when, for how long, and the credits that
moved, in the order it happened.

Each month the members who have joined trade: mostly neighbours and people in the same area,
a small core far more than the rest, whoever has received more lately being the likelier to
give. The partner organisations take volunteers' help and give back in group sessions; members
with hours to spare give to the community chest, and the coordinator grants from it to members
deep in their overdraft. The last month ends with exchanges still waiting for someone to act.
Every balance is tracked as it is planned, so no planned transfer crosses an account's limit.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from coproduce.demo import content, listings
from coproduce.demo.plan import (
    GIVER,
    RECEIVER,
    Member,
    Org,
    Party,
    Plan,
    PlannedExchange,
    Pool,
    Posting,
)
from coproduce.exchanges.models import ExchangeStatus
from coproduce.ledger.models import TransferKind

# Confirmed one-to-one exchanges per trading member per month. With the time bank growing over
# the months, a few isolated members, team help and organisations' sessions, this comes to
# about 0.45 confirmed exchanges per member per month.
PAIR_RATE = 0.6
# Half-hour steps, mostly one to three hours.
HELP_MINUTES = (30, 60, 60, 60, 90, 90, 120, 120, 120, 150, 180, 180, 240)
DAY_MINUTES = 24 * 60
# Each month at most this many: a partner can only take so many volunteers, and the coordinator
# only looks into so many grants. The bound also matters to the build: on PostgreSQL every
# posting to one account in the same transaction costs more than the last (the row's versions
# pile up until commit), so the organisations' and the chest's postings are kept in check.
MAX_VOLUNTEERING, MAX_GIFTS, MAX_GRANTS = 30, 20, 15


class HistoryPlanner:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.rng = plan.rng

    def run(self) -> None:
        """Plan every exchange, gift and grant, month by month, in the order they happen."""
        rng = self.rng
        for month in range(self.plan.months):
            traders = [m for m in self.plan.members if m.weight > 0 and m.trades_from <= month]
            if len(traders) < 2:
                continue
            pool = Pool(traders)
            pairs = round(len(traders) * PAIR_RATE * (0.9 + 0.2 * rng.random()))
            kinds = (
                ["pair"] * pairs
                + ["team"] * round(pairs * 0.01)
                + ["gift"] * _monthly(len(traders), 0.005, 2, MAX_GIFTS)
                + ["grant"] * _monthly(len(traders), 0.004, 2, MAX_GRANTS)
            )
            for org in self.plan.orgs:
                # Each partner runs a couple of group sessions a month whatever happens, and
                # in between takes volunteers' help, or gives more sessions to stay in credit.
                kinds += [f"session:{org.text.key}"] * 2
                kinds += [f"org:{org.text.key}"] * _monthly(
                    len(traders), 0.006, 1, MAX_VOLUNTEERING
                )
            # Sorting by a fraction (not a date) keeps the order the same whatever the month's
            # length, so a seed gives the same community in February as in March.
            for fraction, kind in sorted((rng.random(), kind) for kind in kinds):
                when = self.plan.moment(month, fraction)
                if kind == "pair":
                    self._pair(pool, when, month)
                elif kind == "team":
                    self._team(pool, when, month)
                elif kind == "gift":
                    self._gift(pool, when)
                elif kind == "grant":
                    self._grant(pool, when)
                else:
                    action, key = kind.split(":")
                    org = self.plan.surgery if key == content.SURGERY.key else self.plan.council
                    if action == "org" and org.balance >= 0:
                        self._volunteering(pool, org, when, month)
                    else:
                        self._session(pool, org, when, month)
            if month == self.plan.months - 1:
                self._plan_pending(pool, month)

    def _partner(self, pool: Pool, member: Member) -> Member:
        draw = self.rng.random()
        if member is self.plan.alice or member is self.plan.bob:
            neighbour = self.plan.bob if member is self.plan.alice else self.plan.alice
            if draw < 0.25 and neighbour in pool.members:
                return neighbour
        if draw < 0.6:
            return pool.pick_near(self.rng, member.area)
        return pool.pick(self.rng)

    def _pair(self, pool: Pool, when: datetime, month: int) -> None:
        rng = self.rng
        for _ in range(8):
            a = pool.pick(rng)
            b = self._partner(pool, a)
            minutes, lean = rng.choice(HELP_MINUTES), rng.random()
            if a is b:
                continue
            ways = []
            if a.habit != RECEIVER and b.habit != GIVER:
                ways.append((a, b))
            if b.habit != RECEIVER and a.habit != GIVER:
                ways.append((b, a))
            # Whoever has received more lately is more likely to be the one giving this time.
            if lean >= 0.5 + 0.35 * math.tanh((b.balance - a.balance) / 300):
                ways.reverse()
            for provider, receiver in ways:
                if receiver.can_pay(minutes) and provider.can_earn(minutes):
                    self._exchange_between(provider, receiver, minutes, when, month)
                    return

    def _exchange_between(
        self, provider: Member, receiver: Member, minutes: int, when: datetime, month: int
    ) -> None:
        choice, index, other = self.rng.random(), self.rng.random(), self.rng.random()
        offers = Member.usable(provider.offers, when)
        requests = Member.usable(receiver.requests, when)
        offer = request = None
        if offers and choice < 0.55:
            offer = offers[int(index * len(offers))]
            title, category, proposed_by = offer.text.title, offer.category, receiver
        elif requests and choice < 0.8:
            request = requests[int(index * len(requests))]
            title, category, proposed_by = request.text.title, request.category, provider
        else:
            category = provider.gives[int(index * len(provider.gives))]
            texts = listings.OFFERS[category]
            title = texts[int(other * len(texts))].title
            proposed_by = receiver if other < 0.5 else provider
        exchange = self._confirmed(
            title=title,
            category=category,
            minutes=minutes,
            providers=[provider],
            receivers=[receiver],
            legs=[(provider, minutes), (receiver, -minutes)],
            proposed_by=proposed_by,
            when=when,
            month=month,
        )
        exchange.offer, exchange.request = offer, request

    def _team(self, pool: Pool, when: datetime, month: int) -> None:
        """Several people helping one (many-to-one): a house move, an overgrown garden."""
        rng = self.rng
        title, category = rng.choice(content.TEAM_WORK)
        minutes = rng.choice((120, 180, 240))
        receiver, first = pool.pick(rng), pool.pick(rng)
        second = self._partner(pool, first)
        team = [first, second]
        if (
            receiver.habit == GIVER
            or first is second
            or any(p.habit == RECEIVER or p is receiver or not p.can_earn(minutes) for p in team)
            or not receiver.can_pay(2 * minutes)
        ):
            return
        self._confirmed(
            title=title,
            category=category,
            minutes=minutes,
            providers=list(team),
            receivers=[receiver],
            legs=[(first, minutes), (second, minutes), (receiver, -2 * minutes)],
            proposed_by=receiver,
            when=when,
            month=month,
        )

    def _volunteering(self, pool: Pool, org: Org, when: datetime, month: int) -> None:
        """A member gives time to a partner organisation, answering one of its requests."""
        rng = self.rng
        renewals = rng.choice(org.requests)
        minutes = rng.choice((60, 90, 120, 120, 180, 240))
        for _ in range(6):
            member = pool.pick(rng)
            if member.habit != RECEIVER and member.can_earn(minutes) and org.can_pay(minutes):
                request = Org.current(renewals, when)
                exchange = self._confirmed(
                    title=request.text.title,
                    category=request.category,
                    minutes=minutes,
                    providers=[member],
                    receivers=[org],
                    legs=[(member, minutes), (org, -minutes)],
                    proposed_by=org.staff,
                    when=when,
                    month=month,
                )
                exchange.request = request
                return

    def _session(self, pool: Pool, org: Org, when: datetime, month: int) -> None:
        """The organisation gives back: a group session for several members (one-to-many)."""
        rng = self.rng
        renewals = rng.choice(org.offers)
        minutes = rng.choice((60, 60, 90))
        wanted = 3 + int(rng.random() * 8)
        receivers: list[Party] = []
        for _ in range(wanted * 3):
            member = pool.pick(rng)
            if len(receivers) < wanted and (
                member.habit != GIVER and member not in receivers and member.can_pay(minutes)
            ):
                receivers.append(member)
        if len(receivers) < 2 or not org.can_earn(minutes * len(receivers)):
            return
        offer = Org.current(renewals, when)
        exchange = self._confirmed(
            title=offer.text.title,
            category=offer.category,
            minutes=minutes,
            providers=[org],
            receivers=receivers,
            legs=[(org, minutes * len(receivers)), *((r, -minutes) for r in receivers)],
            proposed_by=org.staff,
            when=when,
            month=month,
        )
        exchange.offer = offer

    def _gift(self, pool: Pool, when: datetime) -> None:
        """Someone with hours to spare gives some to the community chest."""
        rng = self.rng
        wanted = rng.choice((60, 120, 180, 240, 300))
        # The best-off of a dozen members met this month, usually someone who mostly gives,
        # keeps two hours in hand and gives what is left of what they meant to.
        donor = max((pool.pick(rng) for _ in range(12)), key=lambda m: m.balance)
        amount = min(wanted, (donor.balance - 120) // 30 * 30)
        if amount >= 60 and self.plan.chest.can_earn(amount):
            self._posting(
                kind=TransferKind.GIFT,
                payer=donor,
                payee=self.plan.chest,
                minutes=amount,
                memo="Gift to the community chest",
                acting=donor,
                when=when,
            )

    def _grant(self, pool: Pool, when: datetime) -> None:
        """The coordinator grants hours from the chest to a member deep into their overdraft."""
        rng = self.rng
        amount = min(rng.choice((120, 180, 240, 300)), self.plan.chest.balance // 30 * 30)
        member = min((pool.pick(rng) for _ in range(12)), key=lambda m: m.balance)
        if (
            amount >= 60
            and member.habit != GIVER
            and member.balance <= member.min_balance // 2
            and member.can_earn(amount)
        ):
            self._posting(
                kind=TransferKind.GRANT,
                payer=self.plan.chest,
                payee=member,
                minutes=amount,
                memo="Grant from the community chest",
                acting=self.plan.carol,
                when=when,
            )

    def _posting(
        self,
        *,
        kind: str,
        payer: Party,
        payee: Party,
        minutes: int,
        memo: str,
        acting: Member,
        when: datetime,
    ) -> None:
        payer.balance -= minutes
        payee.balance += minutes
        self.plan.timeline.append(
            Posting(
                kind=kind,
                payer=payer,
                payee=payee,
                minutes=minutes,
                memo=memo,
                acting=acting,
                occurred_at=when,
                public_id=self.plan.new_id(),
            )
        )

    def _confirmed(
        self,
        *,
        title: str,
        category: str,
        minutes: int,
        providers: list[Party],
        receivers: list[Party],
        legs: list[tuple[Party, int]],
        proposed_by: Member,
        when: datetime,
        month: int,
    ) -> PlannedExchange:
        """A confirmed exchange, its moments within the month; its credits count from now on
        in the balances tracked here."""
        rng = self.rng
        before, agreeing, confirming, providers_confirming, estimate = (
            rng.random(),
            rng.random(),
            rng.random(),
            rng.random(),
            rng.random(),
        )
        start, end = self.plan.bounds[month], self.plan.bounds[month + 1]
        # Whole minutes throughout: asked for up to ten days before, agreed in between,
        # confirmed within three days of the help (and before the month is out).
        lead = min(60 + int(before * 10 * DAY_MINUTES), int((when - start) / timedelta(minutes=1)))
        created_at = when - timedelta(minutes=lead)
        agreed_at = created_at + timedelta(minutes=int(lead * (0.2 + 0.6 * agreeing)))
        done_at = when + timedelta(minutes=minutes)
        wait = min(
            30 + int(confirming * 3 * DAY_MINUTES),
            int((end - done_at) / timedelta(minutes=1)) - 1,
        )
        confirmed_at = done_at + timedelta(minutes=wait)
        providers_confirmed_at = done_at + timedelta(minutes=int(wait * providers_confirming))
        # Most people confirm for themselves; for members who keep in touch through the
        # coordinator, she confirms on their behalf.
        offline = next((p for p in (*providers, *receivers) if p.offline), None)
        provider = providers[0]
        if offline is not None:
            acting = self.plan.carol
        else:
            acting = provider if isinstance(provider, Member) else proposed_by
        for party, amount in legs:
            party.balance += amount
        exchange = PlannedExchange(
            public_id=self.plan.new_id(),
            title=title,
            category=category,
            status=ExchangeStatus.CONFIRMED,
            minutes=minutes,
            expected_minutes=_estimate(minutes, estimate),
            providers=providers,
            receivers=receivers,
            legs=legs,
            proposed_by=proposed_by,
            acting=acting,
            on_behalf_of=offline if isinstance(offline, Member) and offline is not acting else None,
            created_at=created_at,
            agreed_at=agreed_at,
            scheduled_for=when,
            done_at=done_at,
            confirmed_at=confirmed_at,
            providers_confirmed_at=providers_confirmed_at,
        )
        self.plan.timeline.append(exchange)
        return exchange

    def _plan_pending(self, pool: Pool, month: int) -> None:
        """Exchanges in the last month still waiting for someone: proposed, agreed, or done and
        waiting for confirmation. Nothing is posted for them."""
        rng = self.rng
        statuses = (ExchangeStatus.DONE, ExchangeStatus.AGREED, ExchangeStatus.PROPOSED)
        wanted = max(6, min(45, len(self.plan.members) // 250))
        start = self.plan.bounds[month]
        for index in range(wanted * 4):
            if len(self.plan.pending) >= wanted:
                break
            if index == 0:
                # Alice has her neighbour's help to confirm when she signs in.
                provider, receiver = self.plan.bob, self.plan.alice
            else:
                provider, receiver = pool.pick(rng), pool.pick(rng)
            minutes = rng.choice(HELP_MINUTES)
            fraction, before, agreeing, choice = (rng.random() for _ in range(4))
            if (
                provider is receiver
                or provider.habit == RECEIVER
                or receiver.habit == GIVER
                or provider not in pool.members
                or receiver not in pool.members
            ):
                continue
            status = statuses[len(self.plan.pending) % 3]
            offers = Member.usable(provider.offers, self.plan.end)
            category = provider.gives[int(choice * len(provider.gives))]
            offer = offers[int(choice * len(offers))] if offers else None
            if status == ExchangeStatus.DONE:
                when = self.plan.moment(month, 0.55 + 0.45 * fraction)
            else:
                # Not done yet: arranged for a morning in the first fortnight of this month.
                when = self.plan.end + timedelta(days=int(fraction * 14), hours=10)
            created_at = max(start, when - timedelta(days=3 + int(before * 10)))
            created_at = min(created_at, self.plan.end - timedelta(hours=2))
            lead = int((min(when, self.plan.end) - created_at) / timedelta(minutes=1))
            agreed_at = created_at + timedelta(minutes=int(lead * (0.2 + 0.6 * agreeing)))
            done_at = when + timedelta(minutes=minutes) if status == ExchangeStatus.DONE else None
            self.plan.pending.append(
                PlannedExchange(
                    public_id=self.plan.new_id(),
                    title=offer.text.title if offer else listings.OFFERS[category][0].title,
                    category=offer.category if offer else category,
                    status=status,
                    minutes=minutes,
                    expected_minutes=minutes,
                    providers=[provider],
                    receivers=[receiver],
                    legs=[],
                    proposed_by=receiver,
                    acting=provider,
                    on_behalf_of=None,
                    created_at=created_at,
                    agreed_at=None if status == ExchangeStatus.PROPOSED else agreed_at,
                    scheduled_for=when,
                    done_at=done_at,
                    confirmed_at=None,
                    # The helper has said it happened; the person helped has yet to confirm.
                    providers_confirmed_at=done_at,
                    offer=offer,
                )
            )


def _monthly(traders: int, rate: float, least: int, most: int) -> int:
    return min(most, max(least, round(traders * rate)))


def _estimate(actual: int, draw: float) -> int:
    """What was expected: usually right, sometimes half an hour out either way."""
    if draw < 0.1 and actual > 30:
        return actual - 30
    if draw < 0.2:
        return actual + 30
    return actual
