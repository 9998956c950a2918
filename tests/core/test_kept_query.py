"""`core.kept_query.KeptQuery`: a queryset's SQL kept per shape and run with each call's ids,
lists and moment, giving the rows the ORM gives; what it cannot keep is read through the ORM."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Prefetch, Q, Value
from django.utils import timezone

from coproduce.community.models import Membership, Person, SafeguardingCheck, TimeBank
from coproduce.core.kept_query import KeptQuery
from coproduce.exchanges.models import Exchange, Offer, Participant
from tests.coordination.conftest import make_exchange


def _fields(instance):
    return {k: v for k, v in vars(instance).items() if not k.startswith("_")}


def _memberships(person_id, role):
    return (
        Membership.objects.filter(person_id=person_id, role=role)
        .select_related("timebank", "person")
        .order_by("id")
    )


def test_it_reads_each_persons_own_rows_with_their_id(
    alice, bob, hillside, django_assert_num_queries
):
    Membership.objects.create(timebank=hillside, person=bob, role="member", status="active")
    kept = KeptQuery(Membership, _memberships, ids=("person_id",))

    for person in (alice, bob, alice):
        with django_assert_num_queries(1):
            rows = kept(person_id=person.pk, role="member")
        expected = list(_memberships(person.pk, "member"))
        assert [_fields(m) for m in rows] == [_fields(m) for m in expected]
        assert [_fields(m.timebank) for m in rows] == [_fields(m.timebank) for m in expected]
        assert {m.person_id for m in rows} == {person.pk}
    assert kept.kept(person_id=alice.pk, role="member")
    assert len(kept(person_id=bob.pk, role="member")) == 2


def test_each_shape_is_kept_on_its_own(alice, carol):
    kept = KeptQuery(Membership, _memberships, ids=("person_id",))

    assert [m.person_id for m in kept(person_id=carol.pk, role="coordinator")] == [carol.pk]
    assert kept(person_id=carol.pk, role="member") == []
    assert [m.person_id for m in kept(person_id=alice.pk, role="member")] == [alice.pk]


def test_an_instant_moves_with_the_moment(riverside, alice):
    now = timezone.now()
    for days in (1, 3, 5):
        Offer.objects.create(
            timebank=riverside,
            person=alice,
            title=f"{days} days",
            category="gardening",
            created_at=now,
            expires_at=now + timedelta(days=days),
        )

    def unexpired(timebank_id, now):
        return (
            Offer.objects.filter(timebank_id=timebank_id)
            .filter(Q(expires_at__gt=now + timedelta(days=2)))
            .order_by("expires_at")
        )

    kept = KeptQuery(Offer, unexpired, ids=("timebank_id",), moment="now")
    assert [o.title for o in kept(timebank_id=riverside.pk, now=now)] == ["3 days", "5 days"]
    later = now + timedelta(days=2)
    assert [o.title for o in kept(timebank_id=riverside.pk, now=later)] == ["5 days"]
    assert kept.kept(timebank_id=riverside.pk, now=now)


def test_a_lists_members_are_its_own_on_each_call(riverside, alice, bob, carol):
    def people(ids):
        return Person.objects.filter(pk__in=ids).order_by("username")

    kept = KeptQuery(Person, people, lists=("ids",))
    assert [p.username for p in kept(ids=[alice.pk, bob.pk])] == ["alice", "bob"]
    assert [p.username for p in kept(ids=[carol.pk, bob.pk])] == ["bob", "carol"]
    assert [p.username for p in kept(ids=[carol.pk])] == ["carol"]
    assert kept.kept(ids=[alice.pk])


def test_a_query_whose_sql_follows_an_id_some_other_way_is_read_through_the_orm(alice, bob):
    # The id is changed before it reaches the SQL: no parameter is the id itself.
    def neighbours(person_id):
        return Person.objects.filter(pk__gte=person_id + 1).order_by("pk")

    kept = KeptQuery(Person, neighbours, ids=("person_id",))
    assert not kept.kept(person_id=alice.pk)
    assert [p.pk for p in kept(person_id=alice.pk)] == [
        p.pk for p in Person.objects.filter(pk__gt=alice.pk).order_by("pk")
    ]


def test_a_queryset_that_reads_the_database_while_built_is_not_kept(alice, riverside):
    def mine(person_id):
        banks = list(Membership.objects.filter(person_id=person_id).values_list("timebank_id"))
        return TimeBank.objects.filter(pk__in=[b for (b,) in banks])

    kept = KeptQuery(TimeBank, mine, ids=("person_id",))
    assert not kept.kept(person_id=alice.pk)
    assert [t.pk for t in kept(person_id=alice.pk)] == [riverside.pk]


def _by_public_id(public_id, timebank_id):
    return Membership.objects.filter(
        timebank_id=timebank_id, person__public_id=public_id
    ).select_related("person")


def test_a_public_id_is_the_calls_own_as_a_uuid_or_its_text(
    riverside, alice, bob, django_assert_num_queries
):
    kept = KeptQuery(Membership, _by_public_id, ids=("timebank_id",), uuids=("public_id",))
    assert kept.kept(public_id=alice.public_id, timebank_id=riverside.pk)

    for person in (alice, bob, alice):
        for public_id in (person.public_id, str(person.public_id), person.public_id.hex):
            with django_assert_num_queries(1):
                rows = kept(public_id=public_id, timebank_id=riverside.pk)
            assert [m.person.username for m in rows] == [person.username]
    assert kept(public_id=uuid4(), timebank_id=riverside.pk) == []


def test_text_that_is_no_uuid_is_refused_by_the_orm_as_before(riverside):
    kept = KeptQuery(Membership, _by_public_id, ids=("timebank_id",), uuids=("public_id",))
    with pytest.raises(ValidationError):
        list(_by_public_id("not-a-uuid", riverside.pk))
    with pytest.raises(ValidationError):
        kept(public_id="not-a-uuid", timebank_id=riverside.pk)


def test_a_date_moves_with_the_moments_local_date(riverside, alice, carol):
    # Alice's checks expire on these days; "expiring" is from today to today + 30 days, today
    # being the moment's date in the time bank's zone (Europe/London), not UTC's.
    for day in (date(2027, 6, 30), date(2027, 7, 30), date(2027, 7, 31), date(2027, 8, 1)):
        SafeguardingCheck.objects.create(
            timebank=riverside,
            person=alice,
            kind="reference",
            checked_on=date(2026, 1, 1),
            expires_on=day,
            recorded_by=carol,
        )

    def expiring(timebank_id, now):
        today = timezone.localdate(now)
        return SafeguardingCheck.objects.filter(
            timebank_id=timebank_id,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=30),
        ).order_by("expires_on")

    kept = KeptQuery(SafeguardingCheck, expiring, ids=("timebank_id",), moment="now")
    assert kept.kept(timebank_id=riverside.pk, now=timezone.now())
    noon = datetime(2027, 6, 30, 12, 0, tzinfo=UTC)
    late = datetime(2027, 6, 30, 23, 30, tzinfo=UTC)  # already 1 July in London
    expected = {
        noon: [date(2027, 6, 30), date(2027, 7, 30)],
        late: [date(2027, 7, 30), date(2027, 7, 31)],
    }
    for moment, days in expected.items():
        rows = kept(timebank_id=riverside.pk, now=moment)
        assert [c.expires_on for c in rows] == days
        assert [_fields(c) for c in rows] == [_fields(c) for c in expiring(riverside.pk, moment)]


def test_a_parameter_that_follows_the_moment_some_other_way_is_read_through_the_orm(
    riverside, alice, bob
):
    # The moment's hour is neither a constant, an id nor a fixed distance from the moment.
    def by_hour(timebank_id, now):
        return (
            Membership.objects.filter(timebank_id=timebank_id)
            .annotate(hour=Value(now.hour))
            .order_by("id")
        )

    kept = KeptQuery(Membership, by_hour, ids=("timebank_id",), moment="now")
    now = timezone.now()
    assert not kept.kept(timebank_id=riverside.pk, now=now)
    rows = kept(timebank_id=riverside.pk, now=now)
    assert rows and [_fields(m) for m in rows] == [_fields(m) for m in by_hour(riverside.pk, now)]


def _made(instance, depth=0):
    """An instance's fields, and those of the objects cached on it and prefetched for it (an
    object's way back to the row it was read for, by class and id)."""
    if depth > 1:
        return (type(instance), instance.pk)
    prefetched = getattr(instance, "_prefetched_objects_cache", {})
    return (
        _fields(instance),
        {k: _made(v, depth + 1) for k, v in instance._state.fields_cache.items() if v},
        {k: [_made(o, depth + 1) for o in v] for k, v in prefetched.items()},
    )


def _members_with_people(timebank_id):
    return Membership.objects.filter(timebank_id=timebank_id).prefetch_related("person")


def test_kept_prefetches_of_a_foreign_key_are_djangos_read_by_kept_sql(
    riverside, alice, bob, carol, django_assert_num_queries, monkeypatch
):
    def not_django(*args):
        raise AssertionError("read by Django's prefetch, not by kept SQL")

    monkeypatch.setattr("coproduce.core.kept_query.prefetch_related_objects", not_django)
    kept = KeptQuery(Membership, _members_with_people, ids=("timebank_id",), kept_prefetches=True)
    kept(timebank_id=riverside.pk)  # kept, its prefetch's SQL too
    with django_assert_num_queries(2):
        rows = kept(timebank_id=riverside.pk)
    assert {m.person.username for m in rows} == {"alice", "bob", "carol"}
    assert [_made(m) for m in rows] == [_made(m) for m in _members_with_people(riverside.pk)]


def _exchanges_with_participants(timebank_id):
    participants = Participant.objects.select_related("person").order_by("id")
    return (
        Exchange.objects.filter(timebank_id=timebank_id)
        .prefetch_related(Prefetch("participants", queryset=participants))
        .order_by("id")
    )


def test_kept_prefetches_of_a_reverse_relation_are_djangos_as_a_list(riverside, alice, bob, carol):
    make_exchange(riverside, provider=alice, receiver=bob)
    make_exchange(riverside, provider=carol, receiver=alice, status="done")
    kept = KeptQuery(
        Exchange, _exchanges_with_participants, ids=("timebank_id",), kept_prefetches=True
    )
    rows = kept(timebank_id=riverside.pk)
    orm = list(_exchanges_with_participants(riverside.pk))
    assert [_made(e) for e in rows] == [_made(e) for e in orm]
    assert [[p.person.username for p in e.participants.all()] for e in rows] == [
        ["alice", "bob"],
        ["carol", "alice"],
    ]
    # Each participant's exchange is the row it was read for, as Django's prefetch leaves it;
    # the participants are held as a list (no queryset made per exchange).
    assert all(p.exchange is e for e in rows for p in e.participants.all())
    assert all(type(e._prefetched_objects_cache["participants"]) is list for e in rows)


def test_prefetches_left_to_the_caller_are_named_alike_for_queries_alike(
    riverside, hillside, alice, bob, harry, django_assert_num_queries
):
    make_exchange(riverside, provider=alice, receiver=bob)
    kept = KeptQuery(
        Exchange, _exchanges_with_participants, ids=("timebank_id",), kept_prefetches=True
    )
    also = KeptQuery(
        Exchange,
        lambda timebank_id: _exchanges_with_participants(timebank_id).filter(status="confirmed"),
        ids=("timebank_id",),
        kept_prefetches=True,
    )
    people = KeptQuery(Membership, _members_with_people, ids=("timebank_id",))
    left = kept.prefetches_left(timebank_id=riverside.pk)
    assert left is not None and left == also.prefetches_left(timebank_id=hillside.pk)
    assert left[0] != people.prefetches_left(timebank_id=riverside.pk)[0]
    alias = router.db_for_read(Exchange)
    with django_assert_num_queries(1):
        rows = kept.rows(alias, {"timebank_id": riverside.pk}, prefetch=False)
    assert rows and not hasattr(rows[0], "_prefetched_objects_cache")
    assert (
        KeptQuery(Membership, _memberships, ids=("person_id",)).prefetches_left(
            person_id=alice.pk, role="member"
        )
        is None
    )


def test_a_lookup_other_than_one_foreign_key_is_prefetched_by_django(riverside, alice, bob):
    make_exchange(riverside, provider=alice, receiver=bob)

    def exchanges(timebank_id):
        return Exchange.objects.filter(timebank_id=timebank_id).prefetch_related(
            "participants__person",
            Prefetch("participants", Participant.objects.order_by("id"), to_attr="taking_part"),
        )

    kept = KeptQuery(Exchange, exchanges, ids=("timebank_id",), kept_prefetches=True)
    rows = kept(timebank_id=riverside.pk)
    orm = list(exchanges(riverside.pk))
    assert [_made(e) for e in rows] == [_made(e) for e in orm]
    assert [p.person.username for p in rows[0].taking_part] == ["alice", "bob"]
