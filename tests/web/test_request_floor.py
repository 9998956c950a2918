"""The per-request floor of a signed-in page (issue 17): the session and the memberships are read
with SQL kept once per process, and read exactly what the ORM's querysets read."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Case, When
from django.utils import timezone

from coproduce.community.models import Membership, MembershipStatus, TimeBank
from coproduce.core.sessions import SessionStore
from coproduce.web import middleware
from coproduce.web.middleware import memberships_held


def _orm_memberships(person):
    """The queryset the middleware ran before issue 17."""
    return list(
        Membership.objects.filter(person=person)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("timebank")
        .order_by(Case(When(status=MembershipStatus.ACTIVE, then=0), default=1), "timebank__name")
    )


def _fields(instance):
    return {k: v for k, v in vars(instance).items() if not k.startswith("_")}


def test_memberships_held_reads_what_the_queryset_read_active_first_then_by_name(
    alice, riverside, hillside, django_assert_num_queries
):
    aardvark = TimeBank.objects.create(slug="aardvark", name="Aardvark Time Bank")
    gone = TimeBank.objects.create(slug="gone", name="Gone Time Bank")
    Membership.objects.create(timebank=aardvark, person=alice, status=MembershipStatus.PAUSED)
    Membership.objects.create(
        timebank=hillside, person=alice, role="coordinator", status=MembershipStatus.ACTIVE
    )
    Membership.objects.create(timebank=gone, person=alice, status=MembershipStatus.LEFT)

    with django_assert_num_queries(1):
        held = memberships_held(alice.pk)

    expected = _orm_memberships(alice)
    assert [m.timebank.slug for m in held] == ["hillside", "riverside", "aardvark"]
    assert [_fields(m) for m in held] == [_fields(m) for m in expected]
    assert [_fields(m.timebank) for m in held] == [_fields(m.timebank) for m in expected]
    # Dates come back as the ORM gives them (aware datetimes on SQLite too).
    assert held[0].timebank.created_at == expected[0].timebank.created_at
    assert not held[0]._state.adding and held[0]._state.db == "default"
    # Read by its kept SQL, not rebuilt through the ORM on each request.
    assert middleware._memberships_held.kept(person_id=alice.pk)


def test_memberships_held_of_someone_in_no_time_bank_is_empty(rosa):
    assert memberships_held(rosa.pk) == []


def test_a_membership_change_shows_on_the_next_request(login, alice, riverside):
    client = login(alice)
    assert client.get("/offers/").status_code == 200
    Membership.objects.filter(person=alice).update(status=MembershipStatus.LEFT)
    # No time bank any more: the page says so instead of showing Riverside's offers.
    assert client.get("/offers/").status_code == 404


def test_the_session_is_read_and_an_expired_one_is_not(login, alice):
    client = login(alice)
    assert client.get("/healthz").wsgi_request.user == alice
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    assert client.get("/offers/").wsgi_request.user.is_anonymous


def test_a_session_key_the_browser_made_up_is_not_adopted(db):
    store = SessionStore("madeupmadeupmadeupmadeupmadeup12")
    assert store.load() == {}
    assert store.session_key is None
    store["x"] = 1
    store.save()
    assert store.session_key != "madeupmadeupmadeupmadeupmadeup12"


def test_a_signed_in_request_costs_three_queries_before_its_view(
    login, alice, django_assert_num_queries
):
    client = login(alice)
    client.get("/healthz")
    # The session, the person, the memberships, then the health check's own SELECT 1.
    with django_assert_num_queries(4):
        assert client.get("/healthz").status_code == 200
