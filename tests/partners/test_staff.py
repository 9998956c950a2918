"""An organisation's staff, managed by its own admin: carol adds Riverside Surgery and invites
dr_patel as its admin; dr_patel invites nurse_jones, who may refer; then removes her, and she can
refer no more, though she stays a member of the time bank."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.community.invitations import Newcomer, invitation_accept, invitation_create
from coproduce.community.models import (
    Invitation,
    Membership,
    Organisation,
    OrganisationStaff,
    Person,
)
from coproduce.core.errors import Conflict, NotFound, PermissionDenied
from coproduce.core.models import AuditEvent
from coproduce.partners.models import Referral
from coproduce.partners.services.organisations import (
    organisation_staff_add,
    organisation_staff_may_refer_set,
    organisation_staff_remove,
)
from coproduce.partners.services.referrals import referral_notes_view
from tests.partners.conftest import REFERRAL

PASSWORD = "a long and private passphrase"


def _token_of(response) -> str:
    """The one-time link's token, from the page that shows it once."""
    assert response.status_code == 200, response.content.decode()[:500]
    return response.context["url"].rstrip("/").rsplit("/", 1)[-1]


def _accept(token: str, username: str, first_name: str) -> Person:
    return invitation_accept(
        token=token,
        newcomer=Newcomer(username=username, password=PASSWORD, first_name=first_name),
    )


def _refer(client, organisation):
    return client.post(
        reverse("partners:referral_new"),
        {
            **{k: v for k, v in REFERRAL.items() if k not in ("consent", "goals")},
            "goals": REFERRAL["goals"],
            "consent": "on",
            "consent_given_on": timezone.localdate().isoformat(),
            "organisation": organisation.public_id,
        },
    )


def test_the_surgery_story_from_carol_to_nurse_jones_leaving(riverside, carol, client, login):
    # carol adds Riverside Surgery, and invites dr_patel as its admin with a printed letter.
    login(carol)
    response = client.post(
        reverse("partners:organisation_new"), {"name": "Riverside Surgery", "kind": "gp_practice"}
    )
    surgery = Organisation.objects.get(name="Riverside Surgery")
    assert response.url == reverse("partners:organisation", args=[surgery.public_id])
    invite_url = reverse("partners:organisation_invite", args=[surgery.public_id])
    response = client.post(
        invite_url, {"role": "organisation_admin", "name": "Priya Patel", "email": ""}
    )
    assert "Print the letter" in response.content.decode()
    dr_patel = _accept(_token_of(response), "dr_patel", "Priya")
    staff = OrganisationStaff.objects.get(organisation=surgery, person=dr_patel)
    assert staff.role == "admin"

    # dr_patel, its admin, sees the surgery's staff and invites nurse_jones, who may refer.
    client.logout()
    login(dr_patel)
    page = client.get(reverse("partners:organisation", args=[surgery.public_id]))
    assert "Its staff" in page.content.decode()
    response = client.post(
        invite_url, {"name": "Nora Jones", "email": "nora@example.org", "may_refer": "on"}
    )
    token = _token_of(response)
    invitation = Invitation.objects.get(email="nora@example.org")
    assert invitation.kind == "organisation_staff" and invitation.may_refer
    page = client.get(reverse("partners:organisation", args=[surgery.public_id])).content.decode()
    assert "Nora Jones" in page and "Invitations waiting" in page
    nurse_jones = _accept(token, "nurse_jones", "Nora")
    assert OrganisationStaff.objects.get(organisation=surgery, person=nurse_jones).may_refer

    # nurse_jones refers Edna.
    client.logout()
    login(nurse_jones)
    assert _refer(client, surgery).status_code == 302
    edna = Referral.objects.get()
    assert client.get(reverse("partners:referral", args=[edna.public_id])).status_code == 200

    # dr_patel removes her from the staff.
    client.logout()
    login(dr_patel)
    response = client.post(
        reverse(
            "partners:organisation_staff_remove", args=[surgery.public_id, nurse_jones.public_id]
        )
    )
    assert response.status_code == 302
    assert not OrganisationStaff.objects.filter(person=nurse_jones).exists()

    # She can no longer refer, nor see the surgery's referrals; she is still a member.
    client.logout()
    login(nurse_jones)
    assert client.get(reverse("partners:referral_new")).status_code == 404
    assert _refer(client, surgery).status_code == 404
    assert client.get(reverse("partners:referral", args=[edna.public_id])).status_code == 404
    assert client.get(reverse("partners:referrals")).status_code == 404
    assert Referral.objects.count() == 1
    membership = Membership.objects.get(person=nurse_jones, timebank=riverside)
    assert (membership.status, membership.role) == ("active", "member")
    removed = AuditEvent.objects.get(action="organisation.staff_removed")
    assert removed.actor_id == dr_patel.pk


# --- May refer ----------------------------------------------------------------------------------


def test_staff_who_may_not_refer_neither_refer_nor_see_referrals(
    surgery, dr_patel, carol, edna, make_referral
):
    organisation_staff_may_refer_set(
        organisation=surgery, acting=carol, person=dr_patel, may_refer=False
    )
    with pytest.raises(PermissionDenied):
        make_referral()
    with pytest.raises(NotFound):
        referral_notes_view(referral=edna, viewer=dr_patel)
    event = AuditEvent.objects.get(action="organisation.staff_may_refer_set")
    assert event.data["new"] == {"may_refer": False}
    organisation_staff_may_refer_set(
        organisation=surgery, acting=carol, person=dr_patel, may_refer=True
    )
    assert make_referral().referred_by == dr_patel


def test_the_admin_says_who_may_refer_from_the_page(surgery, dr_patel, alice, login):
    organisation_staff_add_admin(surgery, alice)
    response = login(alice).post(
        reverse("partners:organisation_staff_refer", args=[surgery.public_id, dr_patel.public_id]),
        {"may_refer": "no"},
    )
    assert response.status_code == 302
    assert not OrganisationStaff.objects.get(person=dr_patel).may_refer


def organisation_staff_add_admin(organisation, person):
    """`person` becomes the organisation's admin (by a coordinator of its time bank)."""
    OrganisationStaff.objects.create(
        timebank=organisation.timebank, organisation=organisation, person=person, role="admin"
    )


def test_a_referral_seen_by_staff_who_may_not_refer_is_a_404(surgery, dr_patel, edna, carol, login):
    organisation_staff_may_refer_set(
        organisation=surgery, acting=carol, person=dr_patel, may_refer=False
    )
    client = login(dr_patel)
    assert client.get(reverse("partners:referral", args=[edna.public_id])).status_code == 404
    assert client.get(reverse("partners:referral_report")).status_code == 404


# --- Removing staff -----------------------------------------------------------------------------


def test_the_last_admin_cannot_remove_themself_but_a_coordinator_can(surgery, alice, carol):
    organisation_staff_add_admin(surgery, alice)
    with pytest.raises(Conflict, match="only admin"):
        organisation_staff_remove(organisation=surgery, acting=alice, person=alice)
    assert OrganisationStaff.objects.filter(person=alice).exists()
    organisation_staff_remove(organisation=surgery, acting=carol, person=alice)
    assert not OrganisationStaff.objects.filter(person=alice).exists()


def test_a_member_cannot_remove_staff_and_nothing_changes(surgery, dr_patel, bob):
    with pytest.raises(PermissionDenied):
        organisation_staff_remove(organisation=surgery, acting=bob, person=dr_patel)
    with pytest.raises(PermissionDenied):
        organisation_staff_may_refer_set(
            organisation=surgery, acting=bob, person=dr_patel, may_refer=False
        )
    staff = OrganisationStaff.objects.get(person=dr_patel)
    assert staff.may_refer
    assert not AuditEvent.objects.filter(action__startswith="organisation.staff").exists()


def test_someone_on_two_staffs_stays_a_professional_when_removed_from_one(
    riverside, surgery, dr_patel, carol
):
    from coproduce.partners.services.organisations import organisation_create

    council = organisation_create(
        timebank=riverside, acting=carol, name="Riverside Council", kind="council"
    )
    organisation_staff_add(organisation=council, acting=carol, person=dr_patel, role="professional")
    organisation_staff_remove(organisation=surgery, acting=carol, person=dr_patel)
    assert Membership.objects.get(person=dr_patel).role == "professional"


@pytest.mark.parametrize("who", ["bob", "dr_patel"])
def test_refused_staff_posts_change_nothing(surgery, dr_patel, bob, alice, login, who, request):
    """bob is no one at the surgery; dr_patel is its professional, not its admin."""
    organisation_staff_add_admin(surgery, alice)
    client = login(request.getfixturevalue(who))
    before = list(OrganisationStaff.objects.values_list("person", "role", "may_refer"))
    invitations = Invitation.objects.count()
    for name, args, data in (
        ("organisation_staff_remove", [surgery.public_id, alice.public_id], {}),
        ("organisation_staff_refer", [surgery.public_id, alice.public_id], {"may_refer": "no"}),
        ("organisation_invite", [surgery.public_id], {"name": "Eve", "may_refer": "on"}),
    ):
        assert client.post(reverse(f"partners:{name}", args=args), data).status_code == 404
    assert list(OrganisationStaff.objects.values_list("person", "role", "may_refer")) == before
    assert Invitation.objects.count() == invitations


def test_an_admin_of_one_organisation_cannot_touch_anothers(
    riverside, surgery, dr_patel, carol, alice, login
):
    from coproduce.partners.services.organisations import organisation_create

    council = organisation_create(
        timebank=riverside, acting=carol, name="Riverside Council", kind="council"
    )
    organisation_staff_add_admin(council, alice)
    client = login(alice)
    url = reverse(
        "partners:organisation_staff_remove", args=[surgery.public_id, dr_patel.public_id]
    )
    assert client.post(url).status_code == 404
    assert OrganisationStaff.objects.filter(organisation=surgery, person=dr_patel).exists()
    page = client.get(reverse("partners:organisation", args=[surgery.public_id]))
    assert "Its staff" not in page.content.decode()


def test_an_admin_invites_staff_only_never_another_admin(surgery, alice, login):
    organisation_staff_add_admin(surgery, alice)
    client = login(alice)
    response = client.post(
        reverse("partners:organisation_invite", args=[surgery.public_id]),
        {"role": "organisation_admin", "name": "Mallory"},
    )
    _token_of(response)
    assert Invitation.objects.get().kind == "organisation_staff"


def test_the_admin_resends_and_withdraws_a_staff_invitation(surgery, alice, login):
    organisation_staff_add_admin(surgery, alice)
    invitation, old = invitation_create(
        timebank=surgery.timebank,
        kind="organisation_staff",
        acting=alice,
        name="Nora Jones",
        organisation=surgery,
        may_refer=True,
    )
    client = login(alice)
    response = client.post(
        reverse(
            "partners:organisation_invitation_resend",
            args=[surgery.public_id, invitation.public_id],
        )
    )
    new = _token_of(response)
    assert new != old
    response = client.post(
        reverse(
            "partners:organisation_invitation_revoke",
            args=[surgery.public_id, invitation.public_id],
        )
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    with pytest.raises(NotFound):
        _accept(new, "nora", "Nora")


def test_the_organisation_page_for_its_admin_needs_few_queries(
    surgery, dr_patel, alice, carol, login, django_assert_max_num_queries
):
    organisation_staff_add_admin(surgery, alice)
    for n in range(5):
        invitation_create(
            timebank=surgery.timebank,
            kind="organisation_staff",
            acting=alice,
            name=f"Nurse {n}",
            organisation=surgery,
        )
    client = login(alice)
    url = reverse("partners:organisation", args=[surgery.public_id])
    client.get(url)
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    assert page.count("Make a new link") == 5
