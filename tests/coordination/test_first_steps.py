"""A new coordinator's first steps (issue 12): carol has just started Riverside alone. The
dashboard lists four steps, each ticks itself off from what really happened, and the box goes
away once all are done."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from coproduce.community.invitations import invitation_create, invitation_revoke
from coproduce.community.models import InvitationKind, Organisation
from coproduce.community.settings import timebank_settings_update
from coproduce.coordination.first_steps import first_steps_for
from tests.conftest import _join, _person


def _done(timebank) -> dict[str, bool]:
    steps = first_steps_for(timebank)
    assert steps is not None
    return {step.key: step.done for step in steps}


def _invitations_url() -> str:
    try:
        return reverse("coordinator:invitations")
    except NoReverseMatch:
        return reverse("members:list")


def test_a_new_bank_shows_four_steps_to_do_each_linked(login, carol, riverside):
    assert _done(riverside) == dict.fromkeys(
        ["settings", "coordinator", "members", "organisation"], False
    )
    page = login(carol).get("/coordinator/").content.decode()
    assert "First steps" in page
    assert 'href="/coordinator/settings/">Finish the time bank' in page
    assert f'href="{_invitations_url()}">Invite a second coordinator' in page
    assert f'href="{_invitations_url()}">Invite the first members' in page
    assert f'href="{reverse("partners:organisation_new")}">Add a partner organisation' in page


def test_saving_the_settings_ticks_the_first_step(carol, riverside):
    timebank_settings_update(timebank=riverside, acting=carol, welcome_text="Hello")
    riverside.refresh_from_db()
    assert _done(riverside)["settings"]


def test_a_live_coordinator_invitation_or_a_second_coordinator_ticks_its_step(carol, riverside):
    invitation, _token = invitation_create(
        timebank=riverside, kind=InvitationKind.COORDINATOR, acting=carol, name="Dev"
    )
    assert _done(riverside)["coordinator"]
    invitation_revoke(invitation=invitation, acting=carol)
    assert not _done(riverside)["coordinator"]
    _join(riverside, _person("dev", "Dev", "Das"), role="coordinator")
    assert _done(riverside)["coordinator"]


def test_a_member_or_a_member_invitation_ticks_the_members_step(carol, riverside):
    invitation_create(timebank=riverside, kind=InvitationKind.MEMBER, acting=carol, name="Nadia")
    assert _done(riverside)["members"]


def test_a_member_ticks_the_members_step(carol, alice, riverside):
    assert _done(riverside)["members"]


def test_when_all_is_done_the_box_goes_away(login, carol, alice, riverside):
    timebank_settings_update(timebank=riverside, acting=carol, welcome_text="Hello")
    _join(riverside, _person("dev", "Dev", "Das"), role="coordinator")
    Organisation.objects.create(
        timebank=riverside, slug="surgery", name="Surgery", kind="gp_practice"
    )
    riverside.refresh_from_db()
    assert first_steps_for(riverside) is None
    assert "First steps" not in login(carol).get("/coordinator/").content.decode()


def test_the_steps_cost_one_query(carol, riverside, django_assert_num_queries):
    with django_assert_num_queries(1):
        first_steps_for(riverside)
