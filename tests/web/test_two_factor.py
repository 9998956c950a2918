"""Two-step sign-in: carol sets it up with a real code computed from her device's secret, then
signing in needs the code; a wrong code is refused, a recovery code works once; when Riverside
requires it, its coordinators, admins and organisation admins can reach only the set-up page
until they have it, and members are never asked."""

from __future__ import annotations

import re
import time
from base64 import b32encode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coproduce.community.models import OrganisationStaff
from coproduce.core.models import AuditEvent
from coproduce.core.throttle import SECOND_STEP_PER_PERSON

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_otp_backoff(settings):
    # django-otp also slows down each device after a wrong code (1 s, 2 s, 4 s …); the stories
    # below type a right code straight after a wrong one.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the phone shows now (or `steps_ahead` 30-second steps later: django-otp refuses
    a code twice, so a second sign-in in the same test uses the next one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def set_up(client, person) -> tuple[TOTPDevice, list[str]]:
    """`person`, signed in on `client`, turns two-step sign-in on; returns device and codes."""
    page = client.get("/two-step/set-up/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    done = client.post("/two-step/set-up/", {"code": code_for(device)})
    assert done.status_code == 200, done.content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    device.refresh_from_db()
    return device, codes


def sign_in(client, username: str, password: str, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data, REMOTE_ADDR="192.0.2.1")


def signed_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


# --- setting it up --------------------------------------------------------------------------------


def test_carol_sets_up_two_step_sign_in_with_a_code_from_her_app(client, login, carol):
    login(carol)
    page = client.get("/two-step/set-up/").content.decode()
    device = TOTPDevice.objects.get(user=carol, confirmed=False)
    assert "<svg" in page  # the QR code, drawn on the server
    secret = b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page

    device, codes = set_up(client, carol)
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=carol).count() == 10
    assert AuditEvent.objects.filter(action="person.two_factor_set_up", actor=carol).exists()
    assert "Two-step sign-in is on" in client.get("/two-step/").content.decode()


def test_the_setup_page_shows_the_same_secret_until_it_is_confirmed(client, login, carol):
    login(carol)
    first = client.get("/two-step/set-up/").content.decode()
    second = client.get("/two-step/set-up/").content.decode()
    secret = re.search(r'<code id="secret">([^<]+)</code>', first).group(1)
    assert secret in second
    assert TOTPDevice.objects.filter(user=carol).count() == 1


def test_a_wrong_first_code_turns_nothing_on(client, login, carol):
    login(carol)
    client.get("/two-step/set-up/")
    device = TOTPDevice.objects.get(user=carol)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post("/two-step/set-up/", {"code": wrong})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.exists()


def test_the_secret_page_needs_no_javascript_and_loads_nothing_from_elsewhere(client, login, carol):
    login(carol)
    page = client.get("/two-step/set-up/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org", "")
    assert " on" not in re.sub(r"\s+", " ", svg).lower().replace(" one", "")


# --- signing in with it ---------------------------------------------------------------------------


def test_with_two_step_on_the_password_alone_does_not_sign_carol_in(client, login, carol):
    login(carol)
    device, _ = set_up(client, carol)
    client.logout()

    response = sign_in(client, "carol", "pw-carol", next_url="/coordinator/")
    assert response.status_code == 302 and response["Location"] == "/login/code/"
    assert signed_in_as(client) is None
    assert client.get("/coordinator/").status_code == 302  # still not signed in

    done = client.post("/login/code/", {"code": code_for(device, 1)})
    assert done.status_code == 302 and done["Location"] == "/coordinator/"
    assert signed_in_as(client) == str(carol.pk)


def test_a_wrong_code_is_refused_and_counted(client, login, carol):
    login(carol)
    device, _ = set_up(client, carol)
    client.logout()
    sign_in(client, "carol", "pw-carol")
    wrong = f"{(int(code_for(device, 1)) + 1) % 1_000_000:06d}"
    response = client.post("/login/code/", {"code": wrong})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert signed_in_as(client) is None


def test_ten_wrong_codes_pause_the_second_step(client, login, carol):
    login(carol)
    device, _ = set_up(client, carol)
    client.logout()
    sign_in(client, "carol", "pw-carol")
    for _ in range(SECOND_STEP_PER_PERSON.attempts):
        client.post("/login/code/", {"code": "000000"})
    paused = client.post("/login/code/", {"code": code_for(device, 1)})
    assert paused.status_code == 429
    assert signed_in_as(client) is None


def test_a_recovery_code_works_once(client, login, carol):
    login(carol)
    _, codes = set_up(client, carol)
    client.logout()

    sign_in(client, "carol", "pw-carol")
    assert client.post("/login/code/", {"code": codes[0].upper()}).status_code == 302
    assert signed_in_as(client) == str(carol.pk)
    used = AuditEvent.objects.get(action="person.recovery_code_used")
    assert used.data == {"left": 9}

    client.logout()
    sign_in(client, "carol", "pw-carol")
    again = client.post("/login/code/", {"code": codes[0]})
    assert again.status_code == 200
    assert signed_in_as(client) is None


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client, carol):
    assert client.get("/login/code/")["Location"] == "/login/"
    assert client.post("/login/code/", {"code": "123456"})["Location"] == "/login/"
    assert signed_in_as(client) is None


def test_a_wrong_password_never_reaches_the_second_step(client, login, carol):
    login(carol)
    set_up(client, carol)
    client.logout()
    assert sign_in(client, "carol", "wrong").status_code == 200
    assert client.get("/login/code/")["Location"] == "/login/"


def test_people_without_two_step_sign_in_are_never_asked_for_a_code(client, alice):
    response = sign_in(client, "alice", "pw-alice")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == str(alice.pk)


# --- turning it off and new recovery codes --------------------------------------------------------


def test_turning_it_off_needs_a_current_code(client, login, carol):
    login(carol)
    device, _ = set_up(client, carol)
    refused = client.post("/two-step/off/", {"off-code": "000000"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=carol, confirmed=True).exists()

    done = client.post("/two-step/off/", {"off-code": code_for(device, 1)})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=carol).exists()
    assert not StaticToken.objects.filter(device__user=carol).exists()
    assert AuditEvent.objects.filter(action="person.two_factor_removed", actor=carol).exists()


def test_a_recovery_code_can_turn_it_off(client, login, carol):
    login(carol)
    _, codes = set_up(client, carol)
    assert client.post("/two-step/off/", {"off-code": codes[3]}).status_code == 302
    assert not TOTPDevice.objects.filter(user=carol).exists()


def test_new_recovery_codes_replace_the_old_ones(client, login, carol):
    login(carol)
    device, old = set_up(client, carol)
    response = client.post("/two-step/recovery-codes/", {"codes-code": code_for(device, 1)})
    assert response.status_code == 200
    new = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    stored = set(StaticToken.objects.filter(device__user=carol).values_list("token", flat=True))
    assert stored == set(new)
    assert AuditEvent.objects.filter(action="person.recovery_codes_regenerated").exists()


def test_new_recovery_codes_need_a_current_code(client, login, carol):
    login(carol)
    _, old = set_up(client, carol)
    assert client.post("/two-step/recovery-codes/", {"codes-code": "000000"}).status_code == 400
    stored = set(StaticToken.objects.filter(device__user=carol).values_list("token", flat=True))
    assert stored == set(old)


# --- required by the time bank --------------------------------------------------------------------


@pytest.fixture
def riverside_requires_it(riverside):
    riverside.require_two_factor = True
    riverside.save(update_fields=["require_two_factor"])
    return riverside


def test_when_required_a_coordinator_without_it_can_reach_only_the_setup_pages(
    client, login, carol, riverside_requires_it
):
    login(carol)
    for page in ("/", "/coordinator/", "/members/", "/account/", "/profile/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == "/two-step/set-up/", page
    assert client.get("/two-step/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.post("/logout/").status_code == 302


def test_when_required_carol_sets_it_up_and_carries_on(client, login, carol, riverside_requires_it):
    login(carol)
    set_up(client, carol)
    assert client.get("/coordinator/").status_code == 200


def test_when_required_sign_in_after_the_password_leads_to_set_up(
    client, carol, riverside_requires_it
):
    sign_in(client, "carol", "pw-carol")
    assert signed_in_as(client) == str(carol.pk)
    assert client.get("/")["Location"] == "/two-step/set-up/"


def test_when_required_a_session_that_never_gave_a_code_must_sign_in_again(
    client, login, carol, riverside
):
    login(carol)
    set_up(client, carol)
    old_session = client.cookies["sessionid"].value
    other = Client()
    other.force_login(carol)  # another browser, signed in with the password only
    riverside.require_two_factor = True
    riverside.save(update_fields=["require_two_factor"])

    response = other.get("/coordinator/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in other.session
    assert client.cookies["sessionid"].value == old_session
    assert client.get("/coordinator/").status_code == 200  # this one gave a code


def test_members_without_the_role_are_never_asked(client, login, alice, riverside_requires_it):
    login(alice)
    assert client.get("/").status_code == 200
    assert client.get("/profile/").status_code == 200


def test_a_professional_who_is_not_an_organisation_admin_is_not_asked(
    client, login, dr_patel, riverside_requires_it
):
    login(dr_patel)
    assert client.get("/").status_code == 200


def test_an_organisation_admin_in_a_bank_that_requires_it_is_asked(
    client, login, dr_patel, riverside_requires_it
):
    OrganisationStaff.objects.filter(person=dr_patel).update(role="admin")
    login(dr_patel)
    assert client.get("/")["Location"] == "/two-step/set-up/"


def test_harry_is_not_asked_because_riverside_requires_it(
    client, login, harry, riverside_requires_it
):
    login(harry)
    assert client.get("/").status_code == 200


def test_a_site_administrator_always_needs_it(client, login, alice):
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    login(alice)
    assert client.get("/")["Location"] == "/two-step/set-up/"


def test_the_api_is_not_held_back_by_the_web_requirement(
    client, login, carol, riverside_requires_it
):
    login(carol)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200


def test_no_time_bank_requiring_it_costs_no_extra_query_per_page(
    client, login, alice, django_assert_num_queries
):
    from coproduce.community.models import Membership
    from coproduce.community.two_factor import two_factor_required

    memberships = list(Membership.objects.filter(person=alice).select_related("timebank"))
    with django_assert_num_queries(0):
        assert not two_factor_required(person=alice, memberships=memberships)
    login(alice)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert not any("otp_" in q["sql"] for q in queries.captured_queries)
