"""What the application's PostgreSQL role may do to each table, and the SQL that grants it.

In production one role owns the tables and runs the migrations; the application connects as
another that may only read and write rows, and only in the ways the code needs: the ledger and the
audit log are append-only (their triggers refuse UPDATE and DELETE anyway; the grants do not even
offer them), and DELETE is given only on the tables the running application prunes. Every table a
migration creates needs a decision here: `tests/core/test_db_grants.py` fails on one that has none,
and `coproduce manage db_grants ROLE` prints the SQL (docs/OPERATIONS.md). The PostgreSQL suite
runs as a role with exactly these grants, so a missing one fails there and not in production.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class Grant(Enum):
    """How much of a table the application's role may touch."""

    READ = ("SELECT",)
    APPEND = ("SELECT", "INSERT")
    WRITE = ("SELECT", "INSERT", "UPDATE")
    PRUNE = ("SELECT", "INSERT", "UPDATE", "DELETE")

    @property
    def privileges(self) -> tuple[str, ...]:
        return self.value


# Why a table gets DELETE or is append-only is said beside it; the rest are plain WRITE tables.
TABLES: dict[str, Grant] = {
    # Django's bookkeeping: `coproduce serve` runs `migrate`, which only reads these when there is
    # nothing to apply; the owner role applies migrations and creates content types.
    "django_migrations": Grant.READ,
    "django_content_type": Grant.READ,
    "auth_permission": Grant.READ,
    "auth_group": Grant.READ,
    "auth_group_permissions": Grant.READ,
    "community_person_groups": Grant.READ,
    "community_person_user_permissions": Grant.READ,
    # Signing in replaces the session row (a new key), signing out deletes it, and
    # `clearsessions` removes expired ones.
    "django_session": Grant.PRUNE,
    # The limits on trying forget attempts older than a day, and a username's wrong passwords
    # when it signs in.
    "core_attempt": Grant.PRUNE,
    # The audit log is append-only (the ledger's PostgreSQL function writes to it too).
    "core_auditevent": Grant.APPEND,
    # Privacy (issue 10): erasing a person deletes their notifications, and
    # `prune_personal_data` deletes notifications read long ago.
    "core_notification": Grant.PRUNE,
    # Outgoing email (core.mail): each row moves queued -> sending -> sent or failed; erasure
    # deletes a person's, and `prune_personal_data` those older than 30 days.
    "core_outgoingemail": Grant.PRUNE,
    "community_timebank": Grant.WRITE,
    "community_person": Grant.WRITE,
    # `prune_personal_data` deletes applications that never became memberships (issue 10).
    # Its `last_exchange_at` is a summary the confirming transaction writes (issue 17): the
    # UPDATE it needs is granted already, and no new table was made for it.
    "community_membership": Grant.PRUNE,
    "community_organisation": Grant.WRITE,
    # An organisation's admin removes someone from its staff by deleting their row (the audit
    # log keeps who and when): every check that reads the table then simply finds them gone.
    "community_organisationstaff": Grant.PRUNE,
    "community_safeguardingcheck": Grant.WRITE,
    # Safeguarding: a pause is ended and an incident closed by an update, never deleted, so
    # their history stays; follow-ups and the reminders sent about checks are only added.
    "community_safeguardingpause": Grant.WRITE,
    "community_incident": Grant.WRITE,
    "community_incidentfollowup": Grant.APPEND,
    "community_checkreminder": Grant.APPEND,
    # One-time links are marked used or revoked, never deleted, so their history stays.
    "community_passwordlink": Grant.WRITE,
    # Invitations likewise: accepted, resent (a new token) or revoked, never deleted.
    "community_invitation": Grant.WRITE,
    # What an import remembers of the system it came from: only ever added.
    "portability_externalrecord": Grant.APPEND,
    # A time bank's own kinds of help are turned off (an update), never deleted: listings and
    # exchanges keep their kind.
    "community_timebankcategory": Grant.WRITE,
    # Two-step sign-in (django-otp): turning it off deletes the person's devices, making new
    # recovery codes replaces the old ones, and django-otp deletes a recovery code when it is used.
    "otp_totp_totpdevice": Grant.PRUNE,
    "otp_static_staticdevice": Grant.PRUNE,
    "otp_static_statictoken": Grant.PRUNE,
    # The ledger: accounts' cached balances and limits are updated, never deleted; transfers
    # and entries are append-only (a mistake is corrected by a reversal).
    "ledger_account": Grant.WRITE,
    "ledger_transfer": Grant.APPEND,
    "ledger_entry": Grant.APPEND,
    "exchanges_offer": Grant.WRITE,
    "exchanges_request": Grant.WRITE,
    "exchanges_exchange": Grant.WRITE,
    "exchanges_participant": Grant.WRITE,
    # Erasing a person deletes the thanks they wrote and the thanks written about them.
    "exchanges_feedback": Grant.PRUNE,
    # One row per giver and receiver of a confirmed exchange, written with its transfer.
    "exchanges_pairing": Grant.APPEND,
    # When each person last gave and received (services.tallies): recomputed, never deleted.
    "exchanges_personactivity": Grant.WRITE,
    # The insights report's kept summaries of the ledger and the pairings (derived data):
    # `coproduce insights refresh` adds to them; a rebuild (asked for, or a new time zone)
    # deletes and refills them.
    "insights_summarystate": Grant.WRITE,
    "insights_accountmonth": Grant.PRUNE,
    "insights_accountquarter": Grant.PRUNE,
    "insights_helpmonth": Grant.PRUNE,
    "insights_tiespan": Grant.PRUNE,
    "insights_lasthelp": Grant.PRUNE,
    "partners_referral": Grant.WRITE,
    "partners_referralevent": Grant.WRITE,
    "partners_outcome": Grant.WRITE,
    "partners_pool": Grant.WRITE,
    "partners_poolholder": Grant.WRITE,
    "partners_poolspend": Grant.WRITE,
    "codesign_project": Grant.WRITE,
    "codesign_phase": Grant.WRITE,
    "codesign_projectparticipant": Grant.WRITE,
    "codesign_meeting": Grant.WRITE,
    "codesign_meetingattendance": Grant.WRITE,
    "codesign_proposal": Grant.WRITE,
    "codesign_statuschange": Grant.WRITE,
    "codesign_progressupdate": Grant.WRITE,
    "codesign_comment": Grant.WRITE,
    "codesign_dissent": Grant.WRITE,
    # The matching index is derived data: a profile's terms are replaced when it changes, a
    # profile is removed when its member leaves, and `matching_reindex` rebuilds a time bank's.
    # A request's terms are replaced when it is saved, and go with its words on an erasure.
    "matching_matchprofile": Grant.PRUNE,
    "matching_matchterm": Grant.PRUNE,
    "matching_requestterm": Grant.PRUNE,
    "matching_matchingpreference": Grant.WRITE,
    "matching_matchingsettings": Grant.WRITE,
    # Conversations (issue 13): erasing a person blanks their messages' words (an update);
    # read markers move; reports keep their history. Unblocking deletes the block.
    "conversations_conversation": Grant.WRITE,
    "conversations_conversationmember": Grant.WRITE,
    "conversations_message": Grant.WRITE,
    "conversations_messagereport": Grant.WRITE,
    "community_block": Grant.PRUNE,
    # Partnerships between banks (issue 15): their status moves on; a stopped one stays.
    "federation_partnership": Grant.WRITE,
    "api_personalaccesstoken": Grant.WRITE,
    "api_idempotencyrecord": Grant.WRITE,
    # Credit Commons (issue 15): a link's hash, pause and in-flight mark move; a transaction's
    # status moves pending -> completed or failed. Nothing is deleted: they are the record of
    # what crossed to another installation.
    "creditcommons_node": Grant.WRITE,
    "creditcommons_peer": Grant.WRITE,
    "creditcommons_remotetransaction": Grant.WRITE,
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grants_sql(role: str, tables: Iterable[str] | None = None) -> str:
    """The SQL that leaves `role` with exactly the privileges above on the public schema's
    tables: everything it had is revoked first, so running it again after an upgrade is safe.
    Run it as the tables' owner, after the migrations. `tables` narrows it to those that exist
    (a test database, or an installation part-way through an upgrade)."""
    who = _quote(role)
    wanted = TABLES if tables is None else {t: TABLES[t] for t in tables if t in TABLES}
    lines = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {who};",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {who};",
        f"GRANT USAGE ON SCHEMA public TO {who};",
    ]
    for table, grant in sorted(wanted.items()):
        lines.append(f"GRANT {', '.join(grant.privileges)} ON TABLE {_quote(table)} TO {who};")
    # Ids come from identity columns, whose sequences need no grant of their own; USAGE lets
    # anything that asks for a sequence's next value directly (a bulk import) do so too.
    lines.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who};")
    # The ledger's posting function runs with the caller's privileges (not SECURITY DEFINER).
    lines.append(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {who};")
    return "\n".join(lines) + "\n"
