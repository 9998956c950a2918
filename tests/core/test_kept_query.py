"""`core.kept_query.KeptQuery`: a queryset's SQL kept per shape and run with each call's ids,
lists and moment, giving the rows the ORM gives; what it cannot keep is read through the ORM."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from coproduce.community.models import Membership, Person, TimeBank
from coproduce.core.kept_query import KeptQuery
from coproduce.exchanges.models import Offer


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
