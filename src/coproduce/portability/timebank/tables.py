"""What a whole-bank export holds: one CSV file per kind of thing, in the order an import writes
them back (a file only points at files before it), and the columns of each, read from the models
themselves so that a field added to a model is carried without a second list to keep.

Every file has an `id` column: the row's number in the installation it came from, which other
files use to point at it (`person`, `exchange`, …) and which the import maps to the new rows'
numbers. Never carried: passwords, sign-in links, invitations' tokens, API tokens, two-step
devices, sessions; nor the things docs/DESIGN.md ("Moving a whole time bank") explains (private
conversations, incidents and safeguarding pauses, notices, the audit log, photos).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from coproduce.codesign import models as codesign
from coproduce.community import models as community
from coproduce.exchanges import models as exchanges
from coproduce.ledger import models as ledger
from coproduce.matching import models as matching
from coproduce.partners import models as partners
from coproduce.portability.models import ExternalRecord

FORMAT = "coproduce-timebank"
VERSION = 1
MANIFEST = "manifest.json"

# Columns of no use or no right to be elsewhere: the login's secrets and site-wide powers, the
# files that are not in the ZIP, and caches the import computes again.
_NEVER = {
    "password",
    "last_login",
    "is_superuser",
    "is_staff",
    "photo",
    "photo_alt",
    "logo",
}


@dataclass(frozen=True)
class Table:
    name: str  # the file, without ".csv"
    model: type[models.Model]
    # The rows of this time bank (given its id and the ids of the people exported).
    scope: Callable[[int], Q]
    leave_out: frozenset[str] = frozenset()
    # Columns exported only with --include-sensitive (blank otherwise).
    sensitive: frozenset[str] = frozenset()
    # Columns that are written by the ledger on import, not copied (checked against it instead).
    computed: frozenset[str] = field(default_factory=frozenset)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def fields(self) -> list[models.Field]:
        skip = _NEVER | self.leave_out
        # A column the database computes (ledger.Account.near_limit) is not data to carry.
        return [
            f for f in self.model._meta.concrete_fields if f.name not in skip and not f.generated
        ]

    def columns(self) -> list[str]:
        return [f.name for f in self.fields()]

    def references(self) -> dict[str, str]:
        """Each column pointing at another file: column -> that file's name."""
        pointing: dict[str, str] = {}
        for f in self.fields():
            if f.is_relation and f.name != "timebank":
                pointing[f.name] = table_of(f.related_model).name  # type: ignore[arg-type]
        return pointing


def _own(timebank_id: int) -> Q:
    return Q(timebank_id=timebank_id)


TABLES: list[Table] = [
    Table("timebank", community.TimeBank, lambda tb: Q(pk=tb)),
    Table("categories", community.TimeBankCategory, _own),
    # Everyone with a membership, and anyone else a row names (checked by the export).
    Table(
        "people",
        community.Person,
        lambda tb: Q(memberships__timebank_id=tb),
    ),
    Table(
        "memberships",
        community.Membership,
        _own,
        # A summary of the participations, rebuilt after the import.
        leave_out=frozenset(
            {"last_exchange_at", "last_gave_at", "last_received_at", "gave_count", "received_count"}
        ),
    ),
    Table("organisations", community.Organisation, _own),
    Table("organisation_staff", community.OrganisationStaff, _own),
    Table("safeguarding_checks", community.SafeguardingCheck, _own),
    Table("check_reminders", community.CheckReminder, lambda tb: Q(check_record__timebank_id=tb)),
    Table(
        "blocks",
        community.Block,
        lambda tb: Q(blocker__memberships__timebank_id=tb, blocked__memberships__timebank_id=tb),
    ),
    Table("accounts", ledger.Account, _own, computed=frozenset({"balance"})),
    Table("transfers", ledger.Transfer, _own, leave_out=frozenset({"public_id"})),
    Table(
        "entries",
        ledger.Entry,
        _own,
        leave_out=frozenset({"occurred_at", "kind"}),  # copies of the transfer's
    ),
    Table("offers", exchanges.Offer, _own),
    Table("requests", exchanges.Request, _own),
    Table("exchanges", exchanges.Exchange, _own),
    Table(
        "participants",
        exchanges.Participant,
        _own,
        leave_out=frozenset({"exchange_confirmed_at"}),  # a copy of the exchange's, rebuilt
    ),
    Table("pairings", exchanges.Pairing, _own),
    Table("thanks", exchanges.Feedback, _own),
    Table("referrals", partners.Referral, _own, sensitive=frozenset({"support_notes"})),
    Table("referral_events", partners.ReferralEvent, _own),
    Table("outcomes", partners.Outcome, _own),
    Table("pools", partners.Pool, _own),
    Table("pool_holders", partners.PoolHolder, _own),
    Table("pool_spends", partners.PoolSpend, _own),
    Table("projects", codesign.Project, _own),
    Table("phases", codesign.Phase, _own),
    Table("project_participants", codesign.ProjectParticipant, _own),
    Table("meetings", codesign.Meeting, _own),
    Table("meeting_attendance", codesign.MeetingAttendance, _own),
    Table("proposals", codesign.Proposal, _own),
    Table("status_changes", codesign.StatusChange, _own),
    Table("comments", codesign.Comment, _own),
    Table("progress_updates", codesign.ProgressUpdate, _own),
    Table("dissents", codesign.Dissent, _own),
    Table("matching_settings", matching.MatchingSettings, _own),
    Table("matching_preferences", matching.MatchingPreference, _own),
    Table("external_records", ExternalRecord, _own),
]

BY_NAME = {table.name: table for table in TABLES}
_BY_MODEL = {table.model: table for table in TABLES}

# What has a time bank and is deliberately not in the ZIP, and why (a test holds every model to
# being in one list or the other).
LEFT_OUT = {
    "community.PasswordLink": "sign-in links are secrets of one installation",
    "community.Invitation": "invitations are one-time secrets; new ones are sent",
    "community.SafeguardingPause": "safeguarding records stay with the installation",
    "community.Incident": "safeguarding records stay with the installation",
    "community.IncidentFollowUp": "safeguarding records stay with the installation",
    "api.PersonalAccessToken": "tokens are secrets",
    "api.IdempotencyRecord": "belongs to tokens",
    "conversations.Conversation": "members' private conversations are theirs",
    "conversations.ConversationMember": "members' private conversations are theirs",
    "conversations.Message": "members' private conversations are theirs",
    "conversations.MessageReport": "about private messages",
    "core.AuditEvent": "the old installation's log; the import writes its own row",
    "core.Notification": "notices already delivered",
    "core.OutgoingEmail": "mail already sent",
    "core.Attempt": "rate limits",
    "matching.MatchProfile": "the matching index, built again after the import",
    "matching.MatchTerm": "the matching index, built again after the import",
    "matching.RequestTerm": "the matching index, built again after the import",
    "exchanges.OfferText": "the search index, kept by the database",
    "exchanges.RequestText": "the search index, kept by the database",
    "exchanges.PersonActivity": "a summary of the participations, rebuilt after the import",
    "insights.AccountMonth": "a summary of the ledger, folded again by `insights refresh`",
    "insights.AccountQuarter": "a summary of the ledger, folded again by `insights refresh`",
    "insights.HelpMonth": "a summary of the pairings, folded again by `insights refresh`",
    "insights.TieSpan": "a summary of the pairings, folded again by `insights refresh`",
    "insights.LastHelp": "a summary of the ledger, folded again by `insights refresh`",
    # Links to other banks name a bank that is not in the file: they are agreed again by the
    # coordinators (or operators) once moved. The clearing accounts and their history are
    # ledger accounts, so they move with the ledger.
    "federation.Partnership": "a partnership names another bank, not in the file",
    "creditcommons.Node": "a node's place in a network is agreed again by its operators",
    "creditcommons.Peer": "a link to another network is agreed again by its operators",
    "creditcommons.RemoteTransaction": "the protocol's record of one link, left with it",
}


def table_of(model: type[models.Model]) -> Table:
    if model is community.TimeBank:
        return BY_NAME["timebank"]
    return _BY_MODEL[model]
