"""The permission matrix's machinery: what to ask (every URL pattern of the production URL conf
and every operation of the API's OpenAPI document, filled with the world's objects), how to ask
it as each role, how to tell whether the database changed, and the table in `matrix.md`.

A cell of the table says what a role gets:
  ok        a page or answer (2xx), or the request reached the action's own checks and was
            turned down for its content or the object's state (400, 409, 422); nothing changed
  redirect  sent elsewhere than the sign-in page (3xx); nothing changed
  done      the request wrote to the database (beyond the audit log): the role did it
  no-bank   a page saying they belong to no time bank (the site administrator)
  login     sent to the sign-in page
  401 403 404 405   refused; a refused POST must change nothing (checked, whatever the table says)
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.permissions.world import ROLES, World

TABLE = Path(__file__).with_name("matrix.md")
# Reading something audited (contact details, referral notes, an export) writes an audit row:
# that alone is not doing anything, so it does not make a cell `done`. A refused POST still
# must not write one.
AUDIT_ONLY = {"core_auditevent"}
REFUSED = {"login", "401", "403", "404", "405"}
API_PREFIX = "/api/v1"
API_NAMESPACE = "api-v1"
NO_OBJECT = "-"

# What fills each URL parameter: URL name (or API operation) -> {parameter: kind of object}.
# The kinds are the world's (world.py); a URL is asked once per variant of its first parameter.
FILL: dict[str, dict[str, str]] = {
    "community:join": {"slug": "timebank"},
    "community:join_thanks": {"slug": "timebank"},
    "community:profile": {"public_id": "person"},
    **{
        f"exchanges:{kind}{suffix}": {"public_id": kind}
        for kind in ("offer", "request")
        for suffix in ("", "_edit", "_photo", "_pause", "_resume", "_close", "_renew")
    },
    "federation:offer": {"public_id": "offer"},
    "federation:request": {"public_id": "request"},
    "federation:partnership": {"public_id": "partnership"},
    **{
        f"federation:partnership_{step}": {"public_id": "partnership"}
        for step in ("accept", "decline", "pause", "resume", "stop", "limit")
    },
    "exchanges:exchange": {"public_id": "exchange:confirmed"},
    "exchanges:exchange_agree": {"public_id": "exchange:proposed"},
    "exchanges:exchange_done": {"public_id": "exchange:agreed"},
    "exchanges:exchange_confirm": {"public_id": "exchange:done"},
    "exchanges:exchange_cancel": {"public_id": "exchange:proposed"},
    "exchanges:exchange_dispute": {"public_id": "exchange:done"},
    "exchanges:exchange_resolve": {"public_id": "exchange:disputed"},
    "exchanges:exchange_reverse": {"public_id": "exchange:confirmed"},
    "exchanges:exchange_feedback": {"public_id": "exchange:confirmed"},
    "account:member_statement": {"person_id": "person"},
    "account:member_statement_csv": {"person_id": "person"},
    "account:member_statement_print": {"person_id": "person"},
    "coordinator:section": {"key": "section"},
    "portability:download": {"what": "export", "fmt": "export_format"},
    "media": {"path": "media_file"},
    "members:induct": {"public_id": "applicant"},
    "members:check_new": {"public_id": "person"},
    "community:safeguarding": {"public_id": "person"},
    "community:incident_new": {"public_id": "person"},
    "community:incident": {"public_id": "incident"},
    "members:edit": {"public_id": "person"},
    "members:sign_in_link": {"public_id": "person"},
    "privacy:member_erase": {"public_id": "person"},
    "community:password_link": {"token": "password_link"},
    "community:invitation_accept": {"token": "invitation"},
    "coordinator:invitation_resend": {"public_id": "invitation_record"},
    "coordinator:invitation_revoke": {"public_id": "invitation_record"},
    "web:sign_in_unlock": {"token": "unlock_link"},
    "site_admin:timebank": {"slug": "timebank"},
    **{
        f"cc:{name}": {"slug": "timebank"}
        for name in ("welcome", "relay", "account", "account_history")
    },
    "cc:transaction": {"slug": "timebank", "uuid": "cc_uuid"},
    "cc:transaction_state": {"slug": "timebank", "uuid": "cc_uuid", "state": "cc_state"},
    "creditcommons:pause": {"public_id": "cc_link"},
    "site_admin:coordinator_invite": {"slug": "timebank"},
    "site_admin:invitation_resend": {"public_id": "coordinator_invitation"},
    "site_admin:invitation_revoke": {"public_id": "coordinator_invitation"},
    "community:email_verify": {"token": "verify_link"},
    "community:email_change": {"token": "change_link"},
    "community:unsubscribe": {"token": "unsubscribe_link"},
    "community:password_reset": {"uidb64": "reset_uid", "token": "reset_token"},
    **{
        f"partners:{name}": {"public_id": "organisation"}
        for name in ("organisation", "organisation_edit", "organisation_staff")
    },
    "partners:organisation_limits": {"public_id": "organisation"},
    "partners:organisation_invite": {"public_id": "organisation"},
    **{
        f"partners:organisation_invitation_{action}": {
            "public_id": "organisation",
            "invitation_id": "org_invitation",
        }
        for action in ("resend", "revoke")
    },
    **{
        f"partners:organisation_staff_{action}": {"public_id": "organisation", "person_id": "staff"}
        for action in ("refer", "remove")
    },
    **{
        f"partners:{name}": {"public_id": "referral"}
        for name in (
            "referral",
            "referral_notes",
            "referral_move",
            "referral_induct",
            "referral_suggest",
            "outcome_new",
        )
    },
    **{
        f"partners:{name}": {"public_id": "pool"}
        for name in ("pool", "pool_contribute", "pool_spend_new")
    },
    "partners:pool_spend_approve": {"public_id": "spend"},
    "partners:pool_spend_refuse": {"public_id": "spend"},
    **{
        f"codesign:{name}": {"public_id": "project"}
        for name in (
            "project",
            "project_join",
            "participant_add",
            "phase_add",
            "meeting_new",
            "proposal_new",
        )
    },
    **{
        f"codesign:{name}": {"public_id": "meeting"}
        for name in ("meeting", "meeting_minutes", "meeting_attendance")
    },
    **{
        f"codesign:{name}": {"public_id": "proposal"}
        for name in (
            "proposal",
            "proposal_comment",
            "proposal_status",
            "proposal_progress",
            "proposal_dissent",
        )
    },
    "codesign:milestone_done": {"public_id": "milestone"},
    "conversations:offer": {"public_id": "offer"},
    "conversations:request": {"public_id": "request"},
    "conversations:exchange": {"public_id": "exchange:agreed"},
    "conversations:conversation": {"public_id": "conversation"},
    "conversations:report": {"public_id": "conversation", "message_id": "message"},
    "conversations:block": {"public_id": "person"},
    "conversations:unblock": {"public_id": "person"},
    "matching:candidates": {"public_id": "request"},
    "matching:invite": {"public_id": "request", "person_id": "member_of_bank"},
    "insights:csv": {"audience": "audience"},
    "insights:json": {"audience": "audience"},
    "insights:table_csv": {"audience": "audience", "key": "table"},
    # API operations, as "METHOD /path" of the OpenAPI document.
    "GET /offers/{public_id}": {"public_id": "offer"},
    "GET /requests/{public_id}": {"public_id": "request"},
    "GET /exchanges/{public_id}": {"public_id": "exchange:confirmed"},
    "POST /exchanges/{public_id}/agree": {"public_id": "exchange:proposed"},
    "POST /exchanges/{public_id}/done": {"public_id": "exchange:agreed"},
    "POST /exchanges/{public_id}/confirm": {"public_id": "exchange:done"},
    "POST /exchanges/{public_id}/cancel": {"public_id": "exchange:proposed"},
    "POST /exchanges/{public_id}/dispute": {"public_id": "exchange:done"},
    **{
        f"{method} /{kind}s/{{public_id}}{suffix}": {"public_id": kind}
        for kind in ("offer", "request")
        for method, suffix in (
            ("PUT", ""),
            ("POST", "/photo"),
            ("DELETE", "/photo"),
            ("POST", "/pause"),
            ("POST", "/resume"),
            ("POST", "/close"),
            ("POST", "/renew"),
        )
    },
    "GET /conversations/{public_id}/messages": {"public_id": "conversation"},
    "POST /conversations/{public_id}/messages": {"public_id": "conversation"},
    "POST /conversations/{public_id}/messages/{message_id}/report": {
        "public_id": "conversation",
        "message_id": "message",
    },
    "POST /exchanges/{public_id}/messages": {"public_id": "exchange:agreed"},
    "GET /people/{public_id}": {"public_id": "person"},
    "POST /people/{public_id}/block": {"public_id": "person"},
    "POST /people/{public_id}/unblock": {"public_id": "person"},
    "GET /referrals/{public_id}": {"public_id": "referral"},
    "POST /referrals/{public_id}/move": {"public_id": "referral"},
    "POST /referrals/{public_id}/induct": {"public_id": "referral"},
    "GET /pools/{public_id}": {"public_id": "pool"},
    "GET /pools/{public_id}/spends": {"public_id": "pool"},
    "POST /pools/{public_id}/spends": {"public_id": "pool"},
    "POST /pools/{public_id}/contribute": {"public_id": "pool"},
    "POST /pool-spends/{public_id}/approve": {"public_id": "spend"},
    "POST /pool-spends/{public_id}/refuse": {"public_id": "spend"},
    "GET /projects/{public_id}": {"public_id": "project"},
    "GET /meetings/{public_id}": {"public_id": "meeting"},
    "POST /meetings/{public_id}/attendance": {"public_id": "meeting"},
    "GET /proposals/{public_id}": {"public_id": "proposal"},
    "GET /reports/{audience}": {"audience": "audience"},
    "POST /coordinator/applications/{public_id}/induct": {"public_id": "applicant"},
    "POST /coordinator/applications/{public_id}/decline": {"public_id": "applicant"},
    "POST /exchanges/{public_id}/feedback": {"public_id": "exchange:confirmed"},
    "POST /exchanges/{public_id}/resolve": {"public_id": "exchange:disputed"},
    "POST /exchanges/{public_id}/reverse": {"public_id": "exchange:confirmed"},
    "GET /matching/requests/{public_id}/candidates": {"public_id": "request"},
    "GET /organisations/{public_id}": {"public_id": "organisation"},
    "POST /projects/{public_id}/join": {"public_id": "project"},
    "POST /projects/{public_id}/meetings": {"public_id": "project"},
    "POST /projects/{public_id}/proposals": {"public_id": "project"},
    "POST /proposals/{public_id}/comments": {"public_id": "proposal"},
    "POST /projects/{public_id}/phases": {"public_id": "project"},
    "POST /projects/{public_id}/participants": {"public_id": "project"},
    "PUT /meetings/{public_id}/minutes": {"public_id": "meeting"},
    "POST /proposals/{public_id}/status": {"public_id": "proposal"},
    "POST /proposals/{public_id}/progress": {"public_id": "proposal"},
    "POST /proposals/{public_id}/dissent": {"public_id": "proposal"},
    "POST /progress/{public_id}/done": {"public_id": "milestone"},
    "GET /referrals/{public_id}/notes": {"public_id": "referral"},
    "POST /referrals/{public_id}/outcomes": {"public_id": "referral"},
    "POST /referrals/{public_id}/suggestion": {"public_id": "referral"},
    "GET /coordinator/members/{public_id}": {"public_id": "person"},
    "PATCH /coordinator/members/{public_id}": {"public_id": "person"},
    "GET /coordinator/members/{public_id}/statement": {"public_id": "person"},
    "GET /coordinator/members/{public_id}/sign-in-link": {"public_id": "person"},
    "POST /coordinator/members/{public_id}/sign-in-link": {"public_id": "person"},
    "GET /organisations/{public_id}/staff": {"public_id": "organisation"},
    "POST /organisations/{public_id}/invitations": {"public_id": "organisation"},
    "DELETE /organisations/{public_id}/staff/{person_id}": {
        "public_id": "organisation",
        "person_id": "staff",
    },
    "PUT /organisations/{public_id}/staff/{person_id}/may-refer": {
        "public_id": "organisation",
        "person_id": "staff",
    },
    "POST /coordinator/invitations/{public_id}/resend": {"public_id": "invitation_record"},
    "POST /coordinator/invitations/{public_id}/revoke": {"public_id": "invitation_record"},
    "PATCH /organisations/{public_id}": {"public_id": "organisation"},
    "POST /organisations/{public_id}/staff": {"public_id": "organisation"},
    "GET /organisations/{public_id}/invitations": {"public_id": "organisation"},
    **{
        f"POST /organisations/{{public_id}}/invitations/{{invitation_id}}/{action}": {
            "public_id": "organisation",
            "invitation_id": "org_invitation",
        }
        for action in ("resend", "revoke")
    },
    "POST /matching/requests/{public_id}/invite/{person_id}": {
        "public_id": "request",
        "person_id": "member_of_bank",
    },
}

# The smallest body that gets an API operation past its schema to its permission check.
BODIES: dict[str, dict[str, Any]] = {
    "POST /exchanges/{public_id}/done": {"minutes": 60},
    "POST /exchanges/{public_id}/dispute": {"reason": "It did not happen."},
    "PUT /offers/{public_id}": {"title": "Changed", "category": "gardening"},
    "PUT /requests/{public_id}": {"title": "Changed", "category": "gardening"},
    "POST /conversations/{public_id}/messages": {"body": "Hello"},
    "POST /conversations/{public_id}/messages/{message_id}/report": {"reason": "Not kind"},
    "POST /exchanges/{public_id}/messages": {"body": "Hello"},
    "POST /referrals/{public_id}/move": {"to_status": "contacted", "on": "2026-01-05"},
    "POST /referrals/{public_id}/induct": {"inducted_on": "2026-01-05"},
    "POST /pools/{public_id}/spends": {"amount": 30, "purpose": "Seeds", "member": "alice"},
    "POST /pools/{public_id}/contribute": {"amount": 30},
    "POST /meetings/{public_id}/attendance": {"attendees": [{"person": "{alice}", "minutes": 60}]},
    "POST /coordinator/applications/{public_id}/induct": {"inducted_on": "2026-01-05"},
    "POST /coordinator/applications/{public_id}/decline": {"reason": "Outside our area"},
    "POST /coordinator/grants": {"member": "bob", "minutes": 30, "reason": "Welcome"},
    "POST /coordinator/invitations": {"kind": "member"},
    "POST /pools": {"name": "Allotment"},
    "POST /projects": {"organisation": "{organisation:A}", "title": "Mine", "question": "Why?"},
    "POST /projects/{public_id}/meetings": {
        "starts_at": "2026-01-05T10:00:00",
        "minutes": 60,
        "place": "The hall",
    },
    "POST /projects/{public_id}/proposals": {"title": "Chairs", "text": "More chairs."},
    "POST /proposals/{public_id}/comments": {"text": "Yes"},
    "POST /projects/{public_id}/phases": {
        "name": "Spring",
        "starts_on": "2026-03-01",
        "ends_on": "2026-04-30",
    },
    "POST /projects/{public_id}/participants": {"person": "bob"},
    "PUT /meetings/{public_id}/minutes": {"text": "We met."},
    "POST /proposals/{public_id}/status": {"status": "under_consideration"},
    "POST /proposals/{public_id}/progress": {"text": "Begun"},
    "POST /proposals/{public_id}/dissent": {"text": "I disagree."},
    "POST /referrals/{public_id}/outcomes": {
        "stage": "start",
        "measured_on": "2026-01-05",
        "items": [3, 3, 3, 3, 3, 3, 3],
    },
    "POST /referrals/{public_id}/suggestion": {"offer": "{offer}"},
    "PATCH /coordinator/members/{public_id}": {"status": "paused"},
    "POST /organisations/{public_id}/invitations": {"name": "Someone"},
    "POST /organisations": {"name": "Food bank", "kind": "charity"},
    "PATCH /organisations/{public_id}": {"description": "Changed"},
    "POST /organisations/{public_id}/staff": {"member": "bob", "role": "professional"},
    "PUT /organisations/{public_id}/staff/{person_id}/may-refer": {"may_refer": False},
    "PATCH /coordinator/settings": {"welcome_text": "Welcome"},
    "PATCH /matching/settings": {"weight_place": 4},
    "POST /exchanges/{public_id}/feedback": {"about": "{alice}", "message": "Thank you"},
    "POST /exchanges/{public_id}/resolve": {"outcome": "confirm", "note": "As marked."},
    "POST /exchanges/{public_id}/reverse": {"reason": "Logged twice"},
    "POST /exchanges/log": {
        "provider": "alice",
        "receiver": "bob",
        "title": "Shelf",
        "category": "household",
        "minutes": 30,
        "done_on": "2026-01-05",
    },
    "POST /conversations": {"offer": "{offer}", "body": "Hello"},
    "POST /referrals": {
        "organisation": "{organisation:A}",
        "first_name": "Enid",
        "consent": True,
        "consent_given_by": "Enid",
        "consent_given_on": "2026-01-05",
        "consent_how": "verbal",
    },
}
# Operations whose body is a form with a picture (multipart), not JSON.
MULTIPART = {
    "POST /offers/{public_id}/photo",
    "POST /requests/{public_id}/photo",
    "POST /profile/photo",
    "POST /coordinator/settings/logo",
}
# The picture's field where it is not `photo`.
PICTURE_FIELD = {"POST /coordinator/settings/logo": "logo"}

# Plain words a URL takes (not objects): the same in both time banks.
WORDS: dict[str, dict[str, str]] = {
    "section": {"applications": "applications"},
    "audience": {"coordinator": "coordinator", "funder": "funder"},
    "table": {"coordinator": "monthly", "funder": "monthly"},
    "export": {"members": "members", "valueflows": "valueflows", "timebank": "timebank"},
    "media_file": {"missing": "photos/people/none.jpg"},
    "export_format": {"members": "csv", "valueflows": "jsonld", "timebank": "zip"},
    "cc_uuid": {
        "riverside": "00000000-0000-4000-8000-00000000cc01",
        "hillside": "00000000-0000-4000-8000-00000000cc02",
    },
    "cc_state": {"riverside": "C", "hillside": "C"},
}


@dataclass(frozen=True)
class Target:
    """One URL pattern or API operation; `key` is its name in the table."""

    key: str
    route: str
    params: tuple[str, ...]
    api_method: str | None = None  # set for API operations: the only method asked

    @property
    def methods(self) -> tuple[str, ...]:
        return (self.api_method,) if self.api_method else ("GET", "POST")


@dataclass(frozen=True)
class Row:
    key: str
    variant: str
    method: str

    @property
    def id(self) -> tuple[str, str, str]:
        return (self.key, self.variant, self.method)


# Finding every URL and operation --------------------------------------------------------------


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = "", outer: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    # `outer`: the parameters of the includes above (such as /cc/<slug>/ for Credit Commons).
    for p in patterns:
        route = prefix + str(p.pattern)
        converters = tuple(getattr(p.pattern, "converters", {}))
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            yield from _walk(
                p.url_patterns,
                route,
                f"{namespace}:{ns}".strip(":") if ns else namespace,
                outer + converters,
            )
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
            yield name, route, outer + converters


def url_targets() -> list[Target]:
    """Every pattern of the production URL conf; the API's own patterns are asked as operations,
    except its OpenAPI document."""
    found = {}
    for name, route, params in _walk(get_resolver("coproduce.config.urls").url_patterns):
        if name.startswith(API_NAMESPACE + ":") and not name.endswith("openapi-json"):
            continue
        found[name] = Target(name, route, params)
    return sorted(found.values(), key=lambda t: t.key)


def api_targets() -> list[Target]:
    """Every operation of the API's OpenAPI document, read through the real URL conf."""
    response = Client().get(reverse(f"{API_NAMESPACE}:openapi-json"))
    assert response.status_code == 200, response.status_code
    document = response.json()
    base = document.get("servers", [{}])[0].get("url", "") if document.get("servers") else ""
    targets = []
    for path, operations in document["paths"].items():
        path = path.removeprefix(base).removeprefix(API_PREFIX)
        for method in operations:
            params = tuple(re.findall(r"{(\w+)}", path))
            key = f"{method.upper()} {path}"
            targets.append(Target(key, path, params, api_method=method.upper()))
    return sorted(targets, key=lambda t: t.key)


def variants_of(target: Target, world: World) -> dict[str, dict[str, Any]]:
    """variant -> the URL's keyword arguments, or {} when a parameter has no filler."""
    if not target.params:
        return {NO_OBJECT: {}}
    fill = FILL.get(target.key)
    if fill is None or set(fill) != set(target.params):
        return {}
    kinds = [fill[p] for p in target.params]
    first = world.objects.get(kinds[0]) or WORDS.get(kinds[0], {})
    variants = {}
    for variant in first:
        kwargs = {}
        for param, kind in zip(target.params, kinds, strict=True):
            value = (world.objects.get(kind) or WORDS.get(kind, {}))[variant]
            kwargs[param] = _as_url_value(value)
        variants[variant] = kwargs
    return variants


def _as_url_value(value: Any) -> str:
    from coproduce.community.models import TimeBank

    if isinstance(value, str):
        return value
    if isinstance(value, TimeBank):
        return value.slug
    if hasattr(value, "public_id"):
        return str(value.public_id)
    return str(value.slug)


def rows_of(target: Target, world: World) -> list[Row]:
    return [
        Row(target.key, variant, method)
        for variant in variants_of(target, world) or {"?": {}}
        for method in target.methods
    ]


# Asking ---------------------------------------------------------------------------------------


class Writes:
    """Counts the rows written since a mark, leaving out the tables in IGNORED. PostgreSQL
    counts every row a statement or a function wrote in this transaction
    (`pg_stat_xact_user_tables`); SQLite has no such view, so every INSERT, and every UPDATE or
    DELETE that touched a row, that Django runs is counted."""

    # Sessions (signing out, switching time bank) are no one's data; an API idempotency record
    # keeps a response, refusals included, to replay it to a retry (docs/DESIGN.md).
    IGNORED = ("django_session", "api_idempotencyrecord")
    _WRITE = re.compile(
        r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.I
    )

    def __init__(self) -> None:
        self.sqlite_writes: dict[str, int] = {}
        self._tables: dict[int, str] | None = None  # PostgreSQL: oid -> name

    def _wrapper(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        result = execute(sql, params, many, context)
        match = self._WRITE.match(sql)
        if match and match.group(1) not in self.IGNORED:
            # An INSERT … RETURNING has no row count until its rows are read: count it as written.
            written = sql.lstrip()[:6].upper() == "INSERT" or context["cursor"].rowcount != 0
            if written:
                table = match.group(1)
                self.sqlite_writes[table] = self.sqlite_writes.get(table, 0) + 1
        return result

    def watching(self):  # type: ignore[no-untyped-def]
        if connection.vendor == "postgresql":
            return contextlib.nullcontext()
        return connection.execute_wrapper(self._wrapper)

    def mark(self) -> dict[str, int]:
        if connection.vendor != "postgresql":
            return dict(self.sqlite_writes)
        with connection.cursor() as cursor:
            if self._tables is None:
                cursor.execute(
                    "SELECT relid, relname FROM pg_stat_user_tables WHERE NOT relname = ANY(%s)",
                    [list(self.IGNORED)],
                )
                self._tables = dict(cursor.fetchall())
            # The functions behind pg_stat_xact_user_tables, asked for our tables only: a tenth
            # of the view's cost, and this runs twice a request.
            cursor.execute(
                "SELECT t, pg_stat_get_xact_tuples_inserted(t) + pg_stat_get_xact_tuples_updated(t)"
                " + pg_stat_get_xact_tuples_deleted(t) FROM unnest(%s::oid[]) AS t",
                [list(self._tables)],
            )
            return {self._tables[oid]: n for oid, n in cursor.fetchall() if n}

    @staticmethod
    def tables_changed(before: dict[str, int], after: dict[str, int]) -> list[str]:
        return sorted(t for t, n in after.items() if n != before.get(t, 0))


def row_counts() -> dict[str, tuple[int, Any]]:
    """Rows and the highest key of every table: the database as a refused POST must leave it."""
    tables = [
        t
        for t in connection.introspection.django_table_names(only_existing=True)
        if t not in Writes.IGNORED
    ]
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{t}', COUNT(*), MAX({quote(_pk(t))}) FROM {quote(t)}" for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {name: (count, str(top)) for name, count, top in cursor.fetchall()}


_PKS: dict[str, str] = {}


def _pk(table: str) -> str:
    if not _PKS:
        from django.apps import apps

        for model in apps.get_models(include_auto_created=True):
            _PKS[model._meta.db_table] = model._meta.pk.column
    return _PKS.get(table, "rowid")


@dataclass
class Outcome:
    code: str
    detail: str = ""


def _picture() -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (40, 140, 60)).save(out, "JPEG")
    return SimpleUploadedFile("garden.jpg", out.getvalue(), content_type="image/jpeg")


class Asker:
    """Asks one row as one role, inside a savepoint rolled back afterwards, so every request
    meets the same world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.writes = Writes()
        self.baseline = row_counts()
        self.login_url = resolve_url(settings.LOGIN_URL)

    def client(self, role: str, *, api: bool) -> tuple[Client, dict[str, str]]:
        client = Client()
        headers: dict[str, str] = {}
        if api and role in self.world.tokens:
            headers["Authorization"] = f"Bearer {self.world.tokens[role]}"
        elif role in self.world.sessions and (not api or role == "site_admin"):
            # The site administrator holds no token; their session is offered to the API
            # instead, which must not take it.
            client.cookies[settings.SESSION_COOKIE_NAME] = self.world.sessions[role]
        return client, headers

    def ask(self, target: Target, row: Row, role: str) -> Outcome:
        kwargs = variants_of(target, self.world).get(row.variant)
        if kwargs is None:
            return Outcome("?", f"no object for variant {row.variant!r}")
        with self.writes.watching(), transaction.atomic():
            before = self.writes.mark()
            try:
                response = self._send(target, row, role, kwargs)
            except Exception as exc:  # a 500: the test client re-raises the view's error
                transaction.set_rollback(True)
                return Outcome("500", f"{type(exc).__name__}: {exc}")
            changed = Writes.tables_changed(before, self.writes.mark())
            code = self.classify(response, changed)
            detail = f"wrote {', '.join(changed)}" if changed else ""
            if code in REFUSED and row.method != "GET":
                counts = row_counts()
                moved = {t for t, c in counts.items() if c != self.baseline.get(t)}
                if changed or moved:
                    tables = ", ".join(sorted(moved | set(changed)))
                    detail = f"{response.status_code}, refused but wrote {tables}"
                    code += "!changed"
            transaction.set_rollback(True)
        return Outcome(code, detail)

    def _send(self, target: Target, row: Row, role: str, kwargs: dict[str, Any]) -> Any:
        api = target.api_method is not None
        client, headers = self.client(role, api=api)
        if api:
            path = API_PREFIX + target.route.format(**kwargs)
        else:
            path = reverse(target.key, kwargs=kwargs) if ":" in target.key else "/" + target.route
        if row.method == "GET":
            return client.get(path, headers=headers)
        if not api:
            return client.post(path, {}, headers=headers)
        if target.key in MULTIPART:
            field = PICTURE_FIELD.get(target.key, "photo")
            return client.post(path, {field: _picture(), "alt": "A garden"}, headers=headers)
        if row.method == "POST":
            headers["Idempotency-Key"] = f"matrix-{uuid.uuid4()}"
        body = json.dumps(self._filled(BODIES.get(target.key, {})))
        send = getattr(client, row.method.lower())
        return send(path, body, content_type="application/json", headers=headers)

    def _filled(self, body: Any) -> Any:
        """A body's "{kind}" strings as the Riverside object of that kind's public id."""
        if isinstance(body, dict):
            return {k: self._filled(v) for k, v in body.items()}
        if isinstance(body, list):
            return [self._filled(v) for v in body]
        if isinstance(body, str) and body.startswith("{") and body.endswith("}"):
            kind, _, variant = body[1:-1].partition(":")
            found = self.world.objects.get(kind, {}).get(variant or "riverside")
            if found is None:
                found = self.world.people[kind]
            return str(found.public_id)
        return body

    def classify(self, response: Any, changed: list[str]) -> str:
        status = response.status_code
        if status in (301, 302, 303) and response["Location"].startswith(self.login_url):
            code = "login"
        elif status in (401, 403, 404, 405):
            code = str(status)
        elif set(changed) - AUDIT_ONLY:
            return "done"
        elif "web/no_timebank.html" in {t.name for t in response.templates}:
            code = "no-bank"
        elif 200 <= status < 300 or status in (400, 409, 422):
            code = "ok"
        elif 300 <= status < 400:
            code = "redirect"
        else:
            code = str(status)
        return code


# The table ------------------------------------------------------------------------------------

HEADER = ("page or operation", "object", "method", *ROLES)


def format_rows(rows: list[tuple[str, ...]], *, header: bool = True) -> str:
    lines = [HEADER, tuple("---" for _ in HEADER)] if header else []
    lines += rows
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    widths = [max(w, len(h)) for w, h in zip(widths, HEADER, strict=True)]
    out = []
    for line in lines:
        if set(line) == {"---"}:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        else:
            cells = [c.ljust(w) for c, w in zip(line, widths, strict=True)]
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def read_table(path: Path = TABLE) -> dict[tuple[str, str, str], dict[str, str]]:
    table: dict[tuple[str, str, str], dict[str, str]] = {}
    in_table = False
    for line in path.read_text().splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if tuple(cells) == HEADER:
            in_table = True
            continue
        if not in_table or set("".join(cells)) <= set("-: "):
            continue
        if len(cells) != len(HEADER):
            raise AssertionError(f"{path.name}: this row has {len(cells)} cells: {line}")
        key, variant, method, *codes = cells
        table[(key, variant, method)] = dict(zip(ROLES, codes, strict=True))
    return table
