"""When carol loses her phone and her recovery codes, a site administrator (never another
coordinator) removes her second step after checking who she is; it is audited with the reason."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from coproduce.community.models import Membership
from coproduce.community.two_factor import two_factor_remove_by_site_admin
from coproduce.core.errors import PermissionDenied
from coproduce.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol_with_two_step(carol):
    TOTPDevice.objects.create(user=carol, name="authenticator app", confirmed=True)
    StaticDevice.objects.create(user=carol, name="recovery codes", confirmed=True)
    return carol


@pytest.fixture
def site_admin(db):
    from coproduce.community.models import Person

    return Person.objects.create_user(username="sam", password="pw-sam", is_staff=True)


def test_a_site_administrator_removes_carols_second_step(carol_with_two_step, site_admin):
    out = call_command(
        "two_factor_remove", "carol", "--acting", "sam", "--reason", "lost phone; called her"
    )
    assert "removed for carol" in out
    assert not TOTPDevice.objects.filter(user=carol_with_two_step).exists()
    assert not StaticDevice.objects.filter(user=carol_with_two_step).exists()
    event = AuditEvent.objects.get(action="person.two_factor_removed")
    assert event.actor == site_admin and event.on_behalf_of == carol_with_two_step
    assert event.data == {"reason": "lost phone; called her"}


def test_another_coordinator_cannot_remove_carols_second_step(carol_with_two_step, riverside):
    from tests.conftest import _join, _person

    dave = _join(riverside, _person("dave", "Dave", "Dunn"), role="coordinator")
    assert Membership.objects.get(person=dave).is_coordinator
    with pytest.raises(PermissionDenied):
        two_factor_remove_by_site_admin(person=carol_with_two_step, acting=dave, reason="asked me")
    with pytest.raises(CommandError):
        call_command("two_factor_remove", "carol", "--acting", "dave", "--reason", "asked me")
    assert TOTPDevice.objects.filter(user=carol_with_two_step).exists()
    assert not AuditEvent.objects.filter(action="person.two_factor_removed").exists()


def test_the_command_needs_a_reason_and_a_real_username(carol_with_two_step, site_admin):
    with pytest.raises(CommandError):
        call_command("two_factor_remove", "carol", "--acting", "sam", "--reason", "  ")
    with pytest.raises(CommandError):
        call_command("two_factor_remove", "nobody", "--acting", "sam", "--reason", "x")
    assert TOTPDevice.objects.filter(user=carol_with_two_step).exists()
