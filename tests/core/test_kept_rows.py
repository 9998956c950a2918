"""`core.kept_rows.results_from_rows`: a kept query's rows become the very instances Django's
ORM makes (every attribute, the state, the `select_related` objects, deferred columns left
deferred), and a model with `pre_init`/`post_init` receivers is still made by Django."""

from __future__ import annotations

from datetime import timedelta

from django.db.models.signals import post_init
from django.utils import timezone

from coproduce.community.models import Membership, Organisation
from coproduce.core.kept_query import KeptQuery
from coproduce.exchanges.models import Offer


def _made(instance):
    """Everything an instance holds: its attributes, its state, and its cached related objects."""
    if instance is None:
        return None
    state = instance._state
    return (
        type(instance),
        {k: v for k, v in vars(instance).items() if k != "_state"},
        state.adding,
        state.db,
        {name: _made(related) for name, related in state.fields_cache.items()},
    )


def _memberships(person_id):
    return Membership.objects.filter(person_id=person_id).select_related("timebank", "person")


def _offers(timebank_id):
    # An offer of a person and one of an organisation: one of the two related objects is None.
    return (
        Offer.objects.filter(timebank_id=timebank_id)
        .select_related("person", "organisation")
        .only("title", "created_at", "person__username", "organisation__name")
        .order_by("id")
    )


def test_kept_rows_are_the_instances_the_orm_makes(riverside, alice, bob):
    kept = KeptQuery(Membership, _memberships, ids=("person_id",))
    for person in (alice, bob):
        rows = kept(person_id=person.pk)
        assert kept.kept(person_id=person.pk)
        assert [_made(m) for m in rows] == [_made(m) for m in _memberships(person.pk)]
        assert rows[0].person.username == person.username
        assert rows[0].timebank.slug == "riverside"


def test_deferred_columns_and_a_missing_related_object_are_as_the_orm_leaves_them(riverside, alice):
    food_bank = Organisation.objects.create(
        timebank=riverside, slug="food-bank", name="Food bank", kind="charity"
    )
    now = timezone.now()
    later = now + timedelta(days=9)
    Offer.objects.create(
        timebank=riverside, person=alice, title="Gardening", created_at=now, expires_at=later
    )
    Offer.objects.create(
        timebank=riverside, organisation=food_bank, title="Lifts", created_at=now, expires_at=later
    )
    kept = KeptQuery(Offer, _offers, ids=("timebank_id",))

    rows = kept(timebank_id=riverside.pk)

    assert kept.kept(timebank_id=riverside.pk)
    assert [_made(o) for o in rows] == [_made(o) for o in _offers(riverside.pk)]
    assert (rows[0].person.username, rows[0].organisation) == ("alice", None)
    assert (rows[1].person, rows[1].organisation.name) == (None, "Food bank")
    assert "description" not in vars(rows[0])  # deferred, read on first use
    assert rows[0].get_deferred_fields() >= {"description"}


def test_a_model_with_a_post_init_receiver_is_still_made_by_django(riverside, alice):
    made = []

    def receiver(sender, instance, **kwargs):
        made.append(instance.pk)

    kept = KeptQuery(Membership, _memberships, ids=("person_id",))
    post_init.connect(receiver, sender=Membership)
    try:
        rows = kept(person_id=alice.pk)
    finally:
        post_init.disconnect(receiver, sender=Membership)

    assert made == [m.pk for m in rows]
