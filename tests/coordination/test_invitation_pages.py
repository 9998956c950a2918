"""The coordinator's invitations: carol invites a second coordinator with a printed letter, a
member she has met by email, and the admin of Riverside Surgery; she sees who is still to accept,
makes a new link, withdraws one, and sees the settled ones. Nobody else reaches these pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coproduce.community.invitations import (
    Newcomer,
    invitation_accept,
    invitation_by_token,
    invitation_create,
)
from coproduce.community.models import Invitation, Membership, Organisation, OrganisationStaff
from coproduce.core.errors import NotFound
from coproduce.ledger.accounts import organisation_account_get_or_open

PASSWORD = "a long and private passphrase"
LIST = "coordinator:invitations"
NEW = "coordinator:invitation_new"


def _token_of(response) -> str:
    assert response.status_code == 200, response.content.decode()[:500]
    return response.context["url"].rstrip("/").rsplit("/", 1)[-1]


def _accept(token: str, username: str, first_name: str):
    return invitation_accept(
        token=token,
        newcomer=Newcomer(username=username, password=PASSWORD, first_name=first_name),
    )


@pytest.fixture
def surgery(riverside):
    organisation = Organisation.objects.create(
        timebank=riverside, slug="riverside-surgery", name="Riverside Surgery", kind="gp_practice"
    )
    organisation_account_get_or_open(organisation=organisation)
    return organisation


def test_carol_invites_a_second_coordinator_with_a_printed_letter(riverside, carol, login):
    client = login(carol)
    assert client.get(reverse(NEW)).status_code == 200
    response = client.post(reverse(NEW), {"kind": "coordinator", "name": "Dev Shah", "email": ""})
    page = response.content.decode()
    assert "Print the letter" in page and "data-print" in page and "Dear Dev Shah" in page
    assert "Carol Jones invites you to join Riverside Time Bank" in page
    assert response.headers["Cache-Control"].startswith("max-age=0")
    dev = _accept(_token_of(response), "dev", "Dev")
    membership = Membership.objects.get(person=dev, timebank=riverside)
    assert (membership.role, membership.status) == ("coordinator", "active")
    assert mail.outbox == []


def test_carol_invites_a_member_by_email_and_sees_it_waiting(
    riverside, carol, login, django_capture_on_commit_callbacks
):
    client = login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(NEW), {"kind": "member", "name": "Maya", "email": "maya@example.org"}
        )
    token = _token_of(response)
    assert "The link is on its way to maya@example.org" in response.content.decode()
    assert len(mail.outbox) == 1 and token in mail.outbox[0].body
    page = client.get(reverse(LIST)).content.decode()
    assert "Maya" in page and "Invited by Carol Jones" in page and "a member" in page
    maya = _accept(token, "maya", "Maya")
    membership = Membership.objects.get(person=maya, timebank=riverside)
    assert (membership.role, membership.status) == ("member", "active")
    page = client.get(reverse(LIST)).content.decode()
    assert "accepted by Maya" in page


def test_an_organisations_admin_needs_the_organisation(riverside, carol, surgery, login):
    client = login(carol)
    response = client.post(reverse(NEW), {"kind": "organisation_admin", "name": "Priya"})
    assert response.status_code == 200
    assert "Choose the organisation they will manage" in response.content.decode()
    assert not Invitation.objects.exists()
    response = client.post(
        reverse(NEW),
        {
            "kind": "organisation_admin",
            "name": "Priya",
            "organisation": str(surgery.public_id),
            "may_refer": "on",
        },
    )
    dr_patel = _accept(_token_of(response), "dr_patel", "Priya")
    staff = OrganisationStaff.objects.get(organisation=surgery, person=dr_patel)
    assert (staff.role, staff.may_refer) == ("admin", True)


def test_a_member_invitation_names_no_organisation(riverside, carol, surgery, login):
    """The organisation chosen is ignored for anyone but an organisation's admin."""
    response = login(carol).post(
        reverse(NEW), {"kind": "member", "name": "Maya", "organisation": str(surgery.public_id)}
    )
    _token_of(response)
    assert Invitation.objects.get().organisation is None


def test_a_new_link_stops_the_old_one_and_withdrawing_stops_it_all(riverside, carol, login):
    invitation, old = invitation_create(
        timebank=riverside, kind="member", acting=carol, name="Maya"
    )
    client = login(carol)
    response = client.post(reverse("coordinator:invitation_resend", args=[invitation.public_id]))
    new = _token_of(response)
    assert invitation_by_token(old) is None and invitation_by_token(new) is not None
    response = client.post(reverse("coordinator:invitation_revoke", args=[invitation.public_id]))
    assert response.url == reverse(LIST)
    assert invitation_by_token(new) is None
    with pytest.raises(NotFound):
        _accept(new, "maya", "Maya")
    assert "withdrawn by Carol Jones" in client.get(reverse(LIST)).content.decode()


def test_an_expired_invitation_is_listed_as_run_out_and_can_be_renewed(riverside, carol, login):
    invitation, _token = invitation_create(
        timebank=riverside, kind="member", acting=carol, name="Maya"
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    client = login(carol)
    page = client.get(reverse(LIST)).content.decode()
    assert "ran out on" in page and "No invitations are waiting." in page
    response = client.post(reverse("coordinator:invitation_resend", args=[invitation.public_id]))
    assert invitation_by_token(_token_of(response)) is not None


def test_withdrawing_an_accepted_invitation_says_so_and_changes_nothing(riverside, carol, login):
    invitation, token = invitation_create(
        timebank=riverside, kind="member", acting=carol, name="Maya"
    )
    _accept(token, "maya", "Maya")
    client = login(carol)
    response = client.post(
        reverse("coordinator:invitation_revoke", args=[invitation.public_id]), follow=True
    )
    assert "already been accepted" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


@pytest.mark.parametrize("who", ["alice", "dr_patel"])
def test_nobody_but_riversides_coordinators_reaches_the_pages(
    riverside, carol, alice, dr_patel, login, request, who
):
    invitation, _token = invitation_create(
        timebank=riverside, kind="member", acting=carol, name="Maya"
    )
    before = list(Invitation.objects.values())
    client = login(request.getfixturevalue(who))
    assert client.get(reverse(LIST)).status_code == 404
    assert client.get(reverse(NEW)).status_code == 404
    assert client.post(reverse(NEW), {"kind": "coordinator", "name": "Mallory"}).status_code == 404
    for name in ("coordinator:invitation_resend", "coordinator:invitation_revoke"):
        assert client.post(reverse(name, args=[invitation.public_id])).status_code == 404
    assert list(Invitation.objects.values()) == before


def test_harry_sees_and_touches_only_hillsides_invitations(riverside, carol, harry, login):
    invitation, _token = invitation_create(
        timebank=riverside, kind="member", acting=carol, name="Maya"
    )
    before = list(Invitation.objects.values())
    client = login(harry)
    assert "Maya" not in client.get(reverse(LIST)).content.decode()
    for name in ("coordinator:invitation_resend", "coordinator:invitation_revoke"):
        assert client.post(reverse(name, args=[invitation.public_id])).status_code == 404
    assert list(Invitation.objects.values()) == before


def test_the_invitations_page_needs_few_queries(
    riverside, carol, surgery, login, django_assert_max_num_queries
):
    for n in range(6):
        invitation_create(timebank=riverside, kind="member", acting=carol, name=f"Member {n}")
        invitation_create(
            timebank=riverside,
            kind="organisation_admin",
            acting=carol,
            name=f"Admin {n}",
            organisation=surgery,
        )
    for invitation in Invitation.objects.all()[:4]:
        invitation.revoked_at = timezone.now()
        invitation.revoked_by = carol
        invitation.save()
    client = login(carol)
    client.get(reverse(LIST))
    with django_assert_max_num_queries(9):
        page = client.get(reverse(LIST)).content.decode()
    assert page.count("Make a new link") == 8


def test_the_dashboard_and_the_members_list_link_to_the_invitations(riverside, carol, login):
    client = login(carol)
    url = reverse(LIST)
    assert url in client.get(reverse("coordinator:dashboard")).content.decode()
    assert url in client.get(reverse("members:list")).content.decode()
