"""The permission matrix's world: two time banks with one person in every role, and in each bank
at least one of every object a URL names, all made through the services.

Riverside has two partner organisations: A (Riverside Surgery, a GP practice: dr_patel is a
professional there, olive its organisation admin) and B (Riverside Council's community services:
sam is a professional there). Riverside's objects belong to alice (the member) and eve (a plain
member who is no column of the matrix: she is the other side of alice's exchanges), so bob, the
other member, has no part in any of them. Hillside mirrors it: henry is its member, hilda the
other side of his exchanges, harry its coordinator, and one charity (hugo works there) refers
people and runs a project. root administers the site: staff and superuser, member of nothing.

`objects[kind][variant]` is what a URL's parameter is filled with: the variant says whose object
it is (`riverside` / `hillside`; `A` / `B` / `hillside` for organisations and their referrals;
`hours` / `money` / `hillside` for pools).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

# The matrix's columns, in the table's order: role name -> the username behind it.
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "applicant": "ann",
    "member": "alice",
    "other_member": "bob",
    "hillside_member": "henry",
    "professional_a": "dr_patel",
    "professional_b": "sam",
    "org_admin_a": "olive",
    "coordinator": "carol",
    "hillside_coordinator": "harry",
    "site_admin": "root",
}

PASSWORD = "a-long-test-password-1"


@dataclass
class World:
    people: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # role -> plaintext API token
    sessions: dict[str, str] = field(default_factory=dict)  # role -> session key

    def put(self, kind: str, variant: str, value: Any) -> None:
        self.objects.setdefault(kind, {})[variant] = value


def _person(username: str, first: str, last: str, **extra: Any):
    from coproduce.community.models import Person

    return Person.objects.create_user(
        username=username,
        first_name=first,
        last_name=last,
        password=PASSWORD,
        email=f"{username}@example.org",
        **extra,
    )


def _member(timebank, username: str, first: str, last: str, role: str = "member"):
    """Applies through the service and is inducted by the bank's coordinator (or, for the first
    coordinator, made one directly: someone has to induct the others)."""
    from coproduce.community.models import Membership
    from coproduce.community.services import membership_apply, membership_induct
    from coproduce.ledger.accounts import member_account_get_or_open

    person = _person(username, first, last)
    coordinator = (
        Membership.objects.filter(timebank=timebank, role="coordinator", status="active")
        .select_related("person")
        .first()
    )
    if coordinator is None:
        Membership.objects.create(timebank=timebank, person=person, role=role, status="active")
    else:
        membership = membership_apply(
            timebank=timebank, person=person, first_name=first, email=person.email, area="Northbank"
        )
        membership_induct(
            membership=membership,
            acting=coordinator.person,
            inducted_on=timezone.localdate(),
            inducted_by=coordinator.person,
        )
        if role != "member":
            Membership.objects.filter(pk=membership.pk).update(role=role)
    member_account_get_or_open(timebank=timebank, person=person)
    return person


def _applicant(timebank, username: str, first: str):
    from coproduce.community.services import membership_apply

    person = _person(username, first, "Applicant")
    membership_apply(timebank=timebank, person=person, first_name=first, email=person.email)
    return person


def _organisation(timebank, coordinator, name: str, kind: str, staff: list[tuple[Any, str]]):
    from coproduce.ledger.accounts import organisation_account_get_or_open
    from coproduce.partners.services.organisations import (
        organisation_create,
        organisation_staff_add,
    )

    organisation = organisation_create(timebank=timebank, acting=coordinator, name=name, kind=kind)
    organisation_account_get_or_open(organisation=organisation)
    for person, role in staff:
        organisation_staff_add(
            organisation=organisation, acting=coordinator, person=person, role=role
        )
    return organisation


def _referral(timebank, organisation, acting, first_name: str):
    from coproduce.partners.services.referrals import referral_create

    return referral_create(
        timebank=timebank,
        acting=acting,
        organisation=organisation,
        first_name=first_name,
        last_name="Wright",
        phone="07700 900123",
        contact_preference="phone",
        what_matters="Her garden, and talking to people again.",
        goals=["less_isolated"],
        support_notes="Hard of hearing.",
        consent=True,
        consent_given_by=first_name,
        consent_given_on=timezone.localdate(),
        consent_how="verbal",
    )


def _exchanges(world: World, variant: str, timebank, coordinator, owner, other) -> None:
    """One exchange of `owner`'s in each status a page acts on: `other` helps `owner`."""
    from coproduce.exchanges.services.disputes import exchange_dispute
    from coproduce.exchanges.services.exchanges import (
        exchange_agree,
        exchange_confirm,
        exchange_mark_done,
        exchange_propose,
    )

    def propose(title: str):
        return exchange_propose(
            timebank=timebank,
            acting=other,
            providers=[other],
            receivers=[owner],
            title=title,
            category="gardening",
            expected_minutes=60,
        )

    def agreed(title: str):
        return exchange_agree(exchange=propose(title), acting=owner)

    def done(title: str):
        return exchange_mark_done(exchange=agreed(title), acting=other, actual_minutes=60)

    confirmed = exchange_confirm(exchange=done("Confirmed"), acting=owner)
    disputed = exchange_dispute(
        exchange=done("Disputed"), acting=owner, reason="It did not happen."
    )
    world.put("exchange:proposed", variant, propose("Proposed"))
    world.put("exchange:agreed", variant, agreed("Agreed"))
    world.put("exchange:done", variant, done("Done"))
    world.put("exchange:confirmed", variant, confirmed)
    world.put("exchange:disputed", variant, disputed)


def _listings(world: World, variant: str, timebank, owner) -> None:
    from coproduce.exchanges.services.listings import listing_create

    for kind in ("offer", "request"):
        listing = listing_create(
            kind=kind, timebank=timebank, acting=owner, title=f"A {kind}", category="gardening"
        )
        world.put(kind, variant, listing)


def _pools(world: World, variant: str, timebank, coordinator, owner, other, organisation):
    from coproduce.partners.services.pools import pool_contribute, pool_create, pool_spend_propose

    hours = pool_create(
        timebank=timebank,
        acting=owner,
        name="Community garden",
        unit="hour",
        holders=[owner, other],
        approvals_required=2,
    )
    pool_contribute(pool=hours, acting=owner, amount=120)
    spend = pool_spend_propose(
        pool=hours, acting=other, payee=other, amount=60, purpose="Hedge trimming"
    )
    money = pool_create(
        timebank=timebank,
        acting=coordinator,
        name="Walking group budget",
        unit="GBP",
        holders=[owner],
        organisation=organisation,
    )
    pool_contribute(pool=money, acting=owner, amount=2500)
    world.put("pool", "hours" if variant == "riverside" else variant, hours)
    if variant == "riverside":
        world.put("pool", "money", money)
    world.put("spend", variant, spend)


def _codesign(world: World, variant: str, timebank, coordinator, owner, organisation) -> None:
    from coproduce.codesign import services

    project = services.project_create(
        acting=coordinator,
        timebank=timebank,
        organisation=organisation,
        title="Our waiting room",
        question="How should the waiting room work?",
    )
    services.project_join(acting=owner, project=project)
    meeting = services.meeting_schedule(
        acting=coordinator,
        project=project,
        starts_at=timezone.now() - timedelta(days=7),
        place="Community room",
        agenda="Welcome",
        planned_minutes=60,
    )
    proposal = services.proposal_submit(
        acting=owner, project=project, title="A quiet corner", text="Could there be one?"
    )
    accepted = services.proposal_submit(
        acting=owner, project=project, title="Plants", text="Some plants, please."
    )
    for status in ("under_consideration", "accepted"):
        services.proposal_status_change(
            acting=coordinator, proposal=accepted, to_status=status, response="Yes."
        )
    milestone = services.progress_add(
        acting=coordinator,
        proposal=accepted,
        text="Plants bought",
        is_milestone=True,
        milestone_on=timezone.localdate(),
    )
    world.put("project", variant, project)
    world.put("meeting", variant, meeting)
    world.put("proposal", variant, proposal)
    world.put("milestone", variant, milestone)


def _links(world: World, timebank, coordinator, newcomer, member) -> None:
    """A one-time link for `newcomer` (who has never signed in) to choose a password, and the
    emailed link that lifts the pause on `member`'s sign-in, as the site makes them."""
    from django.core import signing

    from coproduce.community.invitations import invitation_create
    from coproduce.community.models import InvitationKind
    from coproduce.community.services import password_link_create
    from coproduce.web.sign_in import UNLOCK_SALT

    membership = newcomer.memberships.get(timebank=timebank)
    _link, token = password_link_create(membership=membership, acting=coordinator)
    world.put("password_link", timebank.slug, token)
    invitation, token = invitation_create(
        timebank=timebank, kind=InvitationKind.MEMBER, acting=coordinator, name="Ivy"
    )
    world.put("invitation", timebank.slug, token)
    world.put("invitation_record", timebank.slug, invitation)
    coordinator_invitation, _token = invitation_create(
        timebank=timebank, kind=InvitationKind.COORDINATOR, acting=coordinator, name="Cora"
    )
    world.put("coordinator_invitation", timebank.slug, coordinator_invitation)
    unlock = signing.dumps(
        {"u": member.username, "n": f"matrix-{timebank.slug}"}, salt=UNLOCK_SALT, compress=True
    )
    world.put("unlock_link", timebank.slug, unlock)
    if timebank.slug == "riverside":
        world.put("password_link", "dead", "abcd-efgh-jkmn-pqrs-tuvw-xyz2-3456")
        world.put("invitation", "dead", "abcd-efgh-jkmn-pqrs-tuvw-xyz2-3456")
        world.put("unlock_link", "forged", "not-a-signed-token")
    _email_links(world, timebank, member)


def _email_links(world: World, timebank, member) -> None:
    """The links emails carry (community.emails) for `member`: confirming their address,
    confirming a new one, the digest's one-click unsubscribe and a password reset; and forged
    ones."""
    from django.contrib.auth.tokens import default_token_generator
    from django.core import signing
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from coproduce.community import emails

    member.email = f"{member.username}@example.org"
    member.save(update_fields=["email"])
    slug, who = timebank.slug, str(member.public_id)
    world.put(
        "verify_link",
        slug,
        signing.dumps({"p": who, "e": member.email}, salt=emails.VERIFY_SALT),
    )
    world.put(
        "change_link",
        slug,
        signing.dumps(
            {"p": who, "o": member.email, "n": f"new-{slug}@example.org"}, salt=emails.CHANGE_SALT
        ),
    )
    world.put(
        "unsubscribe_link", slug, emails.unsubscribe_url(member).rstrip("/").rsplit("/", 1)[1]
    )
    world.put("reset_uid", slug, urlsafe_base64_encode(force_bytes(member.pk)))
    world.put("reset_token", slug, default_token_generator.make_token(member))
    if slug == "riverside":
        for kind in ("verify_link", "change_link", "unsubscribe_link", "reset_token"):
            world.put(kind, "forged", "not-a-signed-token")
        world.put("reset_uid", "forged", "MQ")


def _two_step(person):
    """Two-step sign-in turned on through the service, with the code the phone shows now."""
    from django_otp.oath import TOTP

    from coproduce.community.two_factor import app_device_start, two_factor_confirm

    device = app_device_start(person=person)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    app, _codes = two_factor_confirm(person=person, code=f"{totp.token():0{device.digits}d}")
    return app


def _token(world: World, role: str, person, timebank) -> None:
    from coproduce.api.models import PersonalAccessToken
    from coproduce.api.services import token_create

    _row, plaintext = token_create(
        person=person, timebank=timebank, name="matrix", scopes=["read", "write"]
    )
    # Used "now" in the future, so no request of the matrix writes `last_used_at`: a refused
    # POST must write nothing at all.
    PersonalAccessToken.objects.filter(pk=_row.pk).update(
        last_used_at=timezone.now() + timedelta(days=1)
    )
    world.tokens[role] = plaintext


def _staff_invitation(organisation, coordinator):
    """A waiting invitation to an organisation's staff, for its admin to resend or withdraw."""
    from coproduce.community.invitations import invitation_create

    invitation, _token = invitation_create(
        timebank=organisation.timebank,
        kind="organisation_staff",
        acting=coordinator,
        name="Nora",
        organisation=organisation,
        may_refer=True,
    )
    return invitation


def _incident(world: World, variant: str, timebank, coordinator, owner) -> None:
    from django.utils import timezone

    from coproduce.community.incidents import incident_record

    incident = incident_record(
        timebank=timebank,
        acting=coordinator,
        person=owner,
        occurred_on=timezone.localdate(),
        what_happened="A confidential record",
    )
    world.put("incident", variant, incident)


def _conversations(world: World, variant: str, other) -> None:
    """The thread of `owner`'s disputed exchange, where `other` wrote (issue 13): its members
    read it, the coordinator only because it is disputed."""
    from coproduce.conversations.models import Conversation
    from coproduce.conversations.services import exchange_message_send

    exchange = world.objects["exchange:disputed"][variant]
    message = exchange_message_send(exchange=exchange, acting=other, body="It did not happen.")
    world.put("conversation", variant, Conversation.objects.get(exchange=exchange))
    world.put("message", variant, message)


def _partnership(riverside, hillside, carol, harry):
    from coproduce.federation.services import partnership_accept, partnership_propose

    proposed = partnership_propose(
        timebank=riverside, partner=hillside, acting=carol, limit_minutes=600
    )
    return partnership_accept(
        partnership=proposed, timebank=hillside, acting=harry, limit_minutes=600
    )


def _credit_commons(world: World, riverside, hillside) -> None:
    """Riverside grafted under Hillside over Credit Commons; each side's link is its object."""
    from coproduce.creditcommons.services import peer_graft

    for variant, bank, ours, theirs, direction in (
        ("riverside", riverside, "trunk/riverside", "trunk", "trunkward"),
        ("hillside", hillside, "trunk", "trunk/riverside", "leafward"),
    ):
        link = peer_graft(
            timebank=bank,
            acting=None,
            our_path=ours,
            peer_path=theirs,
            peer_url=f"http://{theirs.replace('/', '-')}.invalid/cc/x",
            last_hash="matrix",
            direction=direction,
            limit_minutes=600,
        )
        world.put("cc_link", variant, link)


def build() -> World:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from coproduce.api.models import PersonalAccessToken
    from coproduce.api.services import token_hash
    from coproduce.community.models import TimeBank
    from coproduce.ledger.accounts import chest_get_or_open
    from coproduce.matching.selectors import settings_for

    world = World()
    p = world.people
    riverside = TimeBank.objects.create(slug="riverside", name="Riverside Time Bank")
    hillside = TimeBank.objects.create(slug="hillside", name="Hillside Time Bank")
    for bank in (riverside, hillside):
        chest_get_or_open(timebank=bank)
        # Made on first read otherwise (matching.selectors.settings_for), which would count
        # as a write in whichever request came first.
        settings_for(bank)
        world.put("timebank", bank.slug, bank)

    p["carol"] = _member(riverside, "carol", "Carol", "Jones", role="coordinator")
    p["alice"] = _member(riverside, "alice", "Alice", "Ahmed")
    p["bob"] = _member(riverside, "bob", "Bob", "Brown")
    p["eve"] = _member(riverside, "eve", "Eve", "Evans")
    p["dr_patel"] = _member(riverside, "dr_patel", "Priya", "Patel", role="professional")
    p["olive"] = _member(riverside, "olive", "Olive", "Owen", role="professional")
    p["sam"] = _member(riverside, "sam", "Sam", "Hughes", role="professional")
    p["ann"] = _applicant(riverside, "ann", "Ann")
    p["harry"] = _member(hillside, "harry", "Harry", "Hill", role="coordinator")
    p["henry"] = _member(hillside, "henry", "Henry", "Hall")
    p["hilda"] = _member(hillside, "hilda", "Hilda", "Hart")
    p["hugo"] = _member(hillside, "hugo", "Hugo", "Heath", role="professional")
    p["hazel"] = _applicant(hillside, "hazel", "Hazel")
    p["root"] = _person("root", "Rosa", "Root", is_staff=True, is_superuser=True)

    org_a = _organisation(
        riverside,
        p["carol"],
        "Riverside Surgery",
        "gp_practice",
        [(p["dr_patel"], "professional"), (p["olive"], "admin")],
    )
    org_b = _organisation(
        riverside, p["carol"], "Riverside Council", "council", [(p["sam"], "professional")]
    )
    org_h = _organisation(
        hillside, p["harry"], "Hillside Charity", "charity", [(p["hugo"], "professional")]
    )
    world.put("organisation", "A", org_a)
    world.put("organisation", "B", org_b)
    world.put("organisation", "hillside", org_h)
    for variant, org, staff, coordinator in (
        ("A", org_a, p["dr_patel"], p["carol"]),
        ("B", org_b, p["sam"], p["carol"]),
        ("hillside", org_h, p["hugo"], p["harry"]),
    ):
        world.put("staff", variant, staff)
        world.put("org_invitation", variant, _staff_invitation(org, coordinator))
    world.put("referral", "A", _referral(riverside, org_a, p["dr_patel"], "Edna"))
    world.put("referral", "B", _referral(riverside, org_b, p["sam"], "Enid"))
    world.put("referral", "hillside", _referral(hillside, org_h, p["hugo"], "Hettie"))

    for person, variant in ((p["alice"], "riverside"), (p["henry"], "hillside")):
        world.put("person", variant, person)
    world.put("applicant", "riverside", p["ann"])
    world.put("applicant", "hillside", p["hazel"])
    world.put("member_of_bank", "riverside", p["eve"])
    world.put("member_of_bank", "hillside", p["hilda"])

    for variant, bank, coordinator, owner, other, organisation in (
        ("riverside", riverside, p["carol"], p["alice"], p["eve"], org_a),
        ("hillside", hillside, p["harry"], p["henry"], p["hilda"], org_h),
    ):
        _listings(world, variant, bank, owner)
        _exchanges(world, variant, bank, coordinator, owner, other)
        _pools(world, variant, bank, coordinator, owner, other, organisation)
        _codesign(world, variant, bank, coordinator, owner, organisation)
        _incident(world, variant, bank, coordinator, owner)
        _conversations(world, variant, other)

    _links(world, riverside, p["carol"], p["eve"], p["alice"])
    _links(world, hillside, p["harry"], p["hilda"], p["henry"])
    # Issue 15: Riverside and Hillside are partner banks, so each one's members see the other's
    # listings on the partner pages (and not their own bank's there).
    world.put("partnership", "riverside", _partnership(riverside, hillside, p["carol"], p["harry"]))
    _credit_commons(world, riverside, hillside)

    for role, username in ROLES.items():
        if username is None:
            continue
        person = p[username]
        session = SessionStore()
        session[SESSION_KEY] = str(person.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        if person.is_superuser:
            # Site administrators must use two-step sign-in: theirs is set up, and this session
            # gave its code, as django-otp records it.
            session[DEVICE_ID_SESSION_KEY] = _two_step(person).persistent_id
        session.create()
        world.sessions[role] = session.session_key
        membership = person.memberships.first()
        if membership is None:
            continue  # the site administrator belongs to no time bank, so holds no token
        if membership.status == "active":
            _token(world, role, person, membership.timebank)
        else:
            # An applicant cannot be given a token; one made by hand must still be refused.
            plaintext = "cpt_matrix-applicant-token"
            PersonalAccessToken.objects.create(
                person=person,
                timebank=membership.timebank,
                name="matrix",
                token_hash=token_hash(plaintext),
                prefix=plaintext[:12],
                scopes="read write",
                last_used_at=timezone.now() + timedelta(days=1),
            )
            world.tokens[role] = plaintext
    return world
