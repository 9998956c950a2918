"""Invitations (issue 12): the way people come into a time bank in a role chosen for them.

The story: carol, Riverside's coordinator, invites nadia, whom she met at the library, as a
member, by email. Nadia opens the link, chooses a username and a password, and is an active
member at once. The link works once, for seven days, can be withdrawn or sent again with a new
token, and cannot be guessed or read back from the database.
"""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from coproduce.community import tokens
from coproduce.community.invitations import (
    Newcomer,
    invitation_accept,
    invitation_by_token,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    invitations_pending,
)
from coproduce.community.models import (
    Invitation,
    InvitationKind,
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationStaff,
    Person,
    Role,
    StaffRole,
)
from coproduce.core.errors import ApplicationError, NotFound, PermissionDenied
from coproduce.core.models import AuditEvent

PASSWORD = "willow by the lock"


def _state() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Membership.objects.count(),
        OrganisationStaff.objects.count(),
        Invitation.objects.filter(accepted_at__isnull=False).count(),
    )


def _accept_as_newcomer(client, token: str, username: str = "nadia"):
    return client.post(
        f"/invitation/{token}/",
        {"first_name": "Nadia", "email": "", "username": username, "password": PASSWORD},
    )


def test_a_member_carol_invites_by_email_accepts_and_is_active_at_once(
    client, riverside, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create(
            timebank=riverside,
            kind=InvitationKind.MEMBER,
            acting=carol,
            email="nadia@example.org",
            name="Nadia",
        )
    (message,) = mail.outbox
    assert message.to == ["nadia@example.org"]
    assert "Carol" in message.body and "Riverside Time Bank" in message.body
    link = re.search(r"https?://\S+/invitation/(\S+)/", message.body)
    assert link is not None and link.group(1) == token

    page = client.get(f"/invitation/{token}/")
    assert page.status_code == 200
    assert "Carol Jones invited you" in page.content.decode()

    answer = client.post(
        f"/invitation/{token}/",
        {
            "first_name": "Nadia",
            "email": "nadia@example.org",
            "username": "nadia",
            "password": PASSWORD,
        },
    )
    assert answer.status_code == 302
    nadia = Person.objects.get(username="nadia")
    assert nadia.check_password(PASSWORD) and nadia.email == "nadia@example.org"
    membership = Membership.objects.get(person=nadia, timebank=riverside)
    assert (membership.status, membership.role) == (MembershipStatus.ACTIVE, Role.MEMBER)
    assert membership.activated_at is not None
    assert client.get("/").wsgi_request.user == nadia
    invitation.refresh_from_db()
    assert invitation.accepted_by == nadia
    assert AuditEvent.objects.filter(action="invitation.accepted").count() == 1


def test_an_invitation_works_only_once(client, riverside, carol):
    _invitation, token = invitation_create(
        timebank=riverside, kind=InvitationKind.MEMBER, acting=carol
    )
    assert _accept_as_newcomer(client, token).status_code == 302
    client.logout()
    before = _state()
    again = _accept_as_newcomer(client, token, username="nadia2")
    assert again.status_code == 404
    assert "This invitation does not work" in again.content.decode()
    assert _state() == before


def test_the_token_has_enough_entropy_and_only_its_hash_is_stored(riverside, carol):
    invitation, token = invitation_create(
        timebank=riverside, kind=InvitationKind.MEMBER, acting=carol
    )
    assert tokens.BITS > 128
    raw = token.replace("-", "")
    assert invitation.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(list(Invitation.objects.values()))
    assert invitation_by_token("abcd-efgh-jkmn-pqrs-tuvw-xyz2-3456") is None


def test_an_expired_invitation_does_not_work_and_changes_nothing(client, riverside, carol):
    invitation, token = invitation_create(
        timebank=riverside, kind=InvitationKind.MEMBER, acting=carol
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    before = _state()
    assert client.get(f"/invitation/{token}/").status_code == 404
    assert _accept_as_newcomer(client, token).status_code == 404
    assert _state() == before


def test_a_revoked_invitation_does_not_work(client, riverside, carol):
    invitation, token = invitation_create(
        timebank=riverside, kind=InvitationKind.MEMBER, acting=carol
    )
    invitation_revoke(invitation=invitation, acting=carol)
    before = _state()
    assert _accept_as_newcomer(client, token).status_code == 404
    assert _state() == before
    with pytest.raises(ApplicationError):
        invitation_resend(invitation=invitation, acting=carol)


def test_resending_stops_the_old_link_and_the_new_one_works(client, riverside, carol):
    invitation, old = invitation_create(
        timebank=riverside, kind=InvitationKind.MEMBER, acting=carol
    )
    _same, new = invitation_resend(invitation=invitation, acting=carol)
    assert new != old
    assert _accept_as_newcomer(client, old).status_code == 404
    assert _accept_as_newcomer(client, new).status_code == 302


def test_members_and_other_banks_coordinators_cannot_invite(riverside, alice, harry):
    for person in (alice, harry):
        with pytest.raises(PermissionDenied):
            invitation_create(timebank=riverside, kind=InvitationKind.COORDINATOR, acting=person)
    assert not Invitation.objects.exists()
    with pytest.raises(NotFound):
        invitations_pending(timebank=riverside, acting=alice)


def test_bad_input_is_refused_clearly_and_makes_nothing(riverside, carol, hillside):
    with pytest.raises(ApplicationError, match="not an email address"):
        invitation_create(
            timebank=riverside, kind=InvitationKind.MEMBER, acting=carol, email="nadia@"
        )
    with pytest.raises(ApplicationError, match="organisation"):
        invitation_create(timebank=riverside, kind=InvitationKind.ORGANISATION_ADMIN, acting=carol)
    elsewhere = Organisation.objects.create(
        timebank=hillside, slug="hill-school", name="Hill School", kind="school"
    )
    with pytest.raises(ApplicationError, match="organisation"):
        invitation_create(
            timebank=riverside,
            kind=InvitationKind.ORGANISATION_ADMIN,
            acting=carol,
            organisation=elsewhere,
        )
    with pytest.raises(ApplicationError):
        invitation_create(timebank=riverside, kind="overlord", acting=carol)
    assert not Invitation.objects.exists()


def test_a_weak_password_or_taken_username_leaves_the_invitation_working(
    client, riverside, carol, alice
):
    _invitation, token = invitation_create(
        timebank=riverside, kind=InvitationKind.MEMBER, acting=carol
    )
    before = _state()
    taken = _accept_as_newcomer(client, token, username="alice")
    assert taken.status_code == 200 and "is taken" in taken.content.decode()
    weak = client.post(
        f"/invitation/{token}/",
        {"first_name": "Nadia", "username": "nadia", "password": "nadia"},
    )
    assert weak.status_code == 200
    assert _state() == before
    assert invitation_by_token(token) is not None


def test_bob_signed_in_accepts_a_coordinator_invitation_with_his_own_login(
    login, riverside, carol, bob
):
    _invitation, token = invitation_create(
        timebank=riverside, kind=InvitationKind.COORDINATOR, acting=carol, email="bob@example.org"
    )
    people = Person.objects.count()
    answer = login(bob).post(f"/invitation/{token}/")
    assert answer.status_code == 302
    assert Person.objects.count() == people
    assert Membership.objects.get(person=bob, timebank=riverside).role == Role.COORDINATOR


def test_an_organisations_first_admin_joins_its_staff(riverside, carol):
    school = Organisation.objects.create(
        timebank=riverside, slug="st-marys", name="St Mary's School", kind="school"
    )
    _invitation, token = invitation_create(
        timebank=riverside,
        kind=InvitationKind.ORGANISATION_ADMIN,
        acting=carol,
        organisation=school,
    )
    olive = invitation_accept(
        token=token,
        newcomer=Newcomer(username="olive", password=PASSWORD, first_name="Olive"),
    )
    staff = OrganisationStaff.objects.get(person=olive)
    assert (staff.organisation, staff.role) == (school, StaffRole.ADMIN)
    membership = Membership.objects.get(person=olive, timebank=riverside)
    assert (membership.status, membership.role) == (MembershipStatus.ACTIVE, Role.PROFESSIONAL)

    # Olive may now invite her own staff, but not a coordinator.
    _staff_invitation, _token = invitation_create(
        timebank=riverside,
        kind=InvitationKind.ORGANISATION_STAFF,
        acting=olive,
        organisation=school,
        may_refer=True,
    )
    assert [
        i.kind for i in invitations_pending(timebank=riverside, acting=olive, organisation=school)
    ] == [InvitationKind.ORGANISATION_STAFF]
    with pytest.raises(PermissionDenied):
        invitation_create(timebank=riverside, kind=InvitationKind.COORDINATOR, acting=olive)


def test_the_command_line_invites_a_new_banks_first_coordinator(riverside):
    _invitation, token = invitation_create(
        timebank=riverside, kind=InvitationKind.COORDINATOR, acting=None, email="c@example.org"
    )
    carol = invitation_accept(
        token=token,
        newcomer=Newcomer(username="carol", password=PASSWORD, first_name="Carol"),
    )
    assert Membership.objects.get(person=carol).role == Role.COORDINATOR


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_taking_up_one_invitation_at_once_only_one_gets_in(riverside, carol):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's row locks and concurrent connections")
    _invitation, token = invitation_create(
        timebank=riverside, kind=InvitationKind.MEMBER, acting=carol
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def take(n: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            invitation_accept(
                token=token,
                newcomer=Newcomer(username=f"racer{n}", password=PASSWORD, first_name="Racer"),
            )
            outcomes.append("in")
        except NotFound:
            outcomes.append("gone")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["gone", "gone", "gone", "in"]
    assert Person.objects.filter(username__startswith="racer").count() == 1
