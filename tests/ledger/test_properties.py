"""Whatever sequence of postings, refusals, retries, overrides and reversals a time bank sees,
the ledger's invariants hold: every cached balance equals the sum of its entries, the time bank
sums to zero, `ledger_verify` finds nothing, and a refused posting changes nothing at all.

A small model of the ledger in plain Python predicts each outcome, so the test also checks that
transfer_post refuses exactly the postings that break a limit, and no others."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from coproduce.community.models import Membership, MembershipStatus, Person, Role, TimeBank
from coproduce.core.errors import ApplicationError
from coproduce.ledger.models import Account, AccountKind, Entry, Transfer
from coproduce.ledger.selectors import ledger_verify
from coproduce.ledger.services import transfer_post, transfer_reverse

from .conftest import ledger_state

ACCOUNTS = 6

# Round figures make postings land exactly on a limit often, where an off-by-one would hide.
low = st.sampled_from([0, -60, -120, -300, -600]) | st.integers(-600, 0)
high = st.none() | st.sampled_from([0, 60, 120, 300]) | st.integers(0, 600)
minutes = st.sampled_from([30, 60, 90, 120]) | st.integers(1, 240)
limits = st.tuples(low, high)
account = st.integers(0, ACCOUNTS - 1)
# A coordinator's override is the exception, not the rule.
override = st.sampled_from([False, False, False, True])
key = st.none() | st.sampled_from(["exchange:1:confirm", "exchange:2:confirm", "meeting:3"])
pay = st.tuples(st.just("pay"), account, account, minutes, override, key)
group = st.tuples(
    st.just("group"), account, st.lists(account, min_size=2, max_size=3, unique=True),
    minutes, override, key,
)  # fmt: skip
reverse = st.tuples(st.just("reverse"), st.integers(0, 1000))
operations = st.lists(pay | group | reverse, min_size=1, max_size=30)


@dataclass
class Model:
    """What the ledger should hold: balances, limits and the transfers that went through."""

    balance: list[int]
    low: list[int]
    high: list[int | None]
    keys: dict[str, int] = field(default_factory=dict)  # idempotency key -> transfer id
    posted: list[tuple[int, dict[int, int]]] = field(default_factory=list)  # (id, amounts)
    reversed: dict[int, int] = field(default_factory=dict)  # original id -> reversal id

    def breaks_a_limit(self, amounts: dict[int, int]) -> bool:
        for i, amount in amounts.items():
            after = self.balance[i] + amount
            if amount < 0 and after < self.low[i]:
                return True
            high = self.high[i]
            if amount > 0 and high is not None and after > high:
                return True
        return False

    def apply(self, amounts: dict[int, int]) -> None:
        for i, amount in amounts.items():
            self.balance[i] += amount


class LedgerPropertiesTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.timebank = TimeBank.objects.create(slug="riverside", name="Riverside Time Bank")
        cls.alice = Person.objects.create(username="alice", first_name="Alice")
        cls.carol = Person.objects.create(username="carol", first_name="Carol")
        for person, role in ((cls.alice, Role.MEMBER), (cls.carol, Role.COORDINATOR)):
            Membership.objects.create(
                timebank=cls.timebank, person=person, role=role, status=MembershipStatus.ACTIVE
            )

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(limits, min_size=ACCOUNTS, max_size=ACCOUNTS), operations)
    def test_any_sequence_of_postings_keeps_the_ledger_whole(self, account_limits, ops) -> None:
        accounts = [
            Account.objects.create(
                timebank=self.timebank,
                kind=AccountKind.POOL,
                name=f"Pool {i}",
                min_balance=low,
                max_balance=high,
            ).pk
            for i, (low, high) in enumerate(account_limits)
        ]
        model = Model(
            balance=[0] * ACCOUNTS,
            low=[low for low, _high in account_limits],
            high=[high for _low, high in account_limits],
        )

        for op in ops:
            if op[0] == "reverse":
                self.reverse(model, op[1])
            else:
                self.post(model, accounts, op)
            balances = dict(Account.objects.filter(pk__in=accounts).values_list("pk", "balance"))
            assert [balances[pk] for pk in accounts] == model.balance

        entry_sums = dict(
            Entry.objects.filter(account__in=accounts)
            .values("account")
            .annotate(total=Sum("amount"))
            .values_list("account", "total")
        )
        assert [entry_sums.get(pk, 0) for pk in accounts] == model.balance
        assert sum(model.balance) == 0
        report = ledger_verify()
        assert report.ok, report.problems
        assert report.transfers == len(model.posted) + len(model.reversed)

    def post(self, model: Model, accounts: list[int], op: tuple) -> None:
        kind, first, second, minutes, override, idempotency_key = op
        if kind == "pay":
            amounts = {first: -minutes, second: minutes}
            arguments = {"payer": accounts[first], "payee": accounts[second], "minutes": minutes}
            repeated_account = first == second
        else:
            receivers = second
            amounts = {first: minutes * len(receivers)} | {i: -minutes for i in receivers}
            arguments = {
                "entries": [(accounts[first], minutes * len(receivers))]
                + [(accounts[i], -minutes) for i in receivers]
            }
            repeated_account = first in receivers
        before = ledger_state()
        try:
            transfer = transfer_post(
                timebank=self.timebank,
                acting=self.carol if override else self.alice,
                override_reason="Agreed at the panel" if override else "",
                idempotency_key=idempotency_key,
                **arguments,
            )
        except ApplicationError as refusal:
            event(f"refused: {refusal.code}")
            assert ledger_state() == before, "a refused posting changed the ledger"
            if repeated_account:
                assert refusal.code == "same_account"
            else:
                assert idempotency_key not in model.keys
                assert refusal.code == "limit", refusal
                assert not override and model.breaks_a_limit(amounts)
            return

        assert not repeated_account
        if idempotency_key in model.keys:
            event("retried key")
            assert transfer.pk == model.keys[idempotency_key]
            assert ledger_state() == before, "a retried posting changed the ledger"
            return
        assert override or not model.breaks_a_limit(amounts)
        event("posted past a limit by a coordinator" if model.breaks_a_limit(amounts) else "posted")
        model.apply(amounts)
        model.posted.append((transfer.pk, amounts))
        if idempotency_key is not None:
            model.keys[idempotency_key] = transfer.pk

    def reverse(self, model: Model, which: int) -> None:
        if not model.posted:
            return
        original_id, amounts = model.posted[which % len(model.posted)]
        before = ledger_state()
        reversal = transfer_reverse(
            transfer=Transfer.objects.get(pk=original_id), acting=self.carol, reason="Mistake"
        )
        if original_id in model.reversed:
            assert reversal.pk == model.reversed[original_id]
            assert ledger_state() == before
            return
        event("reversed")
        model.reversed[original_id] = reversal.pk
        model.apply({i: -amount for i, amount in amounts.items()})
