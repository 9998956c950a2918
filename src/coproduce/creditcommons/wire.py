"""The Credit Commons wire format: the hash chain, hours on the wire, and parsing a relayed
transaction. Pure functions, no database, so they are tested against fixed vectors.

The hash of a link between two nodes advances with every transaction relayed over it: md5 (hex) of
the previous hash, the uuid, the state, each entry's `quant|description`, and the version, all
joined with `|` (as komunitin's and cc-php-lib's nodes compute it). A quant is written as
JavaScript prints a number (`14`, `1.5`, `0.05`), and a missing version as nothing, so a chain
kept by a JavaScript or PHP node and by Coproduce gives the same hashes.

Amounts are hours on the wire (decimals allowed) and whole minutes in the ledger. An amount that is
not a whole number of minutes is refused, never rounded: 0.01 h is 0.6 min, so it is refused. The
other way, minutes become hours exactly only when they are a multiple of 3 (0.05 h); a payment of
1:31 (1.51666… h) cannot be written exactly in decimal hours, so it is refused too.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from coproduce.core.errors import ApplicationError

MINUTES_PER_HOUR = 60
# The largest amount one entry may carry: far beyond any time bank's limits, small enough that
# a Decimal never turns into an exponent in the hash.
MAX_QUANT = Decimal(1_000_000)
# A node path: segments of letters, digits, `-`, `_` and `.`, joined by `/`.
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}"
PATH_RE = re.compile(rf"^{_SEGMENT}(/{_SEGMENT}){{0,15}}$")
# What Coproduce sends: completed at once (see docs/DESIGN.md, "Credit Commons").
SENT_STATE = "C"
SENT_WORKFLOW = "_C-"
SENT_VERSION = 1
# States a relayed transaction may arrive in: validated or completed; both are booked at once.
BOOKABLE_STATES = frozenset({"V", "C"})


class WireError(ApplicationError):
    """A request that does not follow the protocol; answered 400 with the protocol's errors."""


def quant_text(quant: Decimal) -> str:
    """A quant as JavaScript prints the number: `14`, `1.5`, `0.05`, never `1.50` or `1E+1`."""
    text = format(quant.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def chain_hash(
    *, previous: str, uuid: str, state: str, entries: list[tuple[Decimal, str]], version: Any
) -> str:
    """The next hash of a link after a transaction: md5 over the previous hash, the uuid, the
    state, each entry's quant and description, and the version, joined with `|`."""
    parts = [previous, uuid, state]
    parts.append("|".join(f"{quant_text(q)}|{description}" for q, description in entries))
    parts.append("" if version is None else str(version))
    return hashlib.md5("|".join(parts).encode(), usedforsecurity=False).hexdigest()


def quant_to_minutes(quant: Decimal) -> int:
    """Hours on the wire to whole minutes; anything else is refused, never rounded."""
    if not quant.is_finite() or quant <= 0 or quant > MAX_QUANT:
        raise WireError(
            _("Each quant must be a number of hours above 0 and at most %(max)s.")
            % {"max": MAX_QUANT},
            "bad_quant",
        )
    minutes = quant * MINUTES_PER_HOUR
    if minutes != minutes.to_integral_value():
        raise WireError(
            _(
                "%(quant)s hours is %(minutes)s minutes; this node counts whole minutes and does "
                "not round, so send a whole number of minutes."
            )
            % {"quant": quant_text(quant), "minutes": quant_text(minutes)},
            "not_whole_minutes",
        )
    return int(minutes)


def minutes_to_quant(minutes: int) -> Decimal:
    """Whole minutes to hours on the wire, only when the hours are exact."""
    if minutes <= 0:
        raise WireError(_("Send at least 3 minutes."), "bad_amount")
    if minutes % 3:
        raise WireError(
            _(
                "Hours sent to another network must be exact in decimal hours: a multiple of 3 "
                "minutes (0.05 hours), such as 1:30 or 0:45. Nothing is rounded."
            ),
            "not_exact_hours",
        )
    return (Decimal(minutes) / MINUTES_PER_HOUR).normalize()


def quant_json(quant: Decimal) -> int | float:
    """A quant as a JSON number. Every exact quant Coproduce sends has at most two decimals, whose
    shortest float form prints the same digits."""
    return int(quant) if quant == quant.to_integral_value() else float(quant_text(quant))


@dataclass(frozen=True)
class Entry:
    payer: str
    payee: str
    quant: Decimal
    description: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "payee": self.payee,
            "quant": quant_json(self.quant),
            "description": self.description,
            "metadata": self.metadata,
        }


@dataclass(frozen=True)
class Transaction:
    uuid: str
    state: str
    workflow: str
    version: int | None
    entries: tuple[Entry, ...]

    def next_hash(self, previous: str) -> str:
        return chain_hash(
            previous=previous,
            uuid=self.uuid,
            state=self.state,
            entries=[(e.quant, e.description) for e in self.entries],
            version=self.version,
        )

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "uuid": self.uuid,
            "state": self.state,
            "workflow": self.workflow,
            "entries": [entry.as_json() for entry in self.entries],
        }
        if self.version is not None:
            body["version"] = self.version
        return body


def _text(value: Any, name: str, *, limit: int = 255, blank: bool = False) -> str:
    if not isinstance(value, str) or (not blank and not value.strip()) or len(value) > limit:
        raise WireError(
            _("%(name)s must be text of at most %(limit)s characters.")
            % {"name": name, "limit": limit},
            "bad_field",
        )
    if "\x00" in value:
        raise WireError(_("%(name)s must not hold a NUL character.") % {"name": name}, "bad_field")
    return value


def _quant(value: Any) -> Decimal:
    # A JSON number read as Decimal (parse_float), or an int; a bool or text is not a quant.
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise WireError(_("Each quant must be a number of hours."), "bad_quant")
    return Decimal(value)


def parse_path(text: Any, name: str) -> str:
    value = _text(text, name, limit=1000)
    if not PATH_RE.match(value):
        raise WireError(
            _("%(name)s %(value)r is not a node path such as trunk/branch/account.")
            % {"name": name, "value": value[:80]},
            "bad_path",
        )
    return value


def parse_transaction(raw: bytes) -> Transaction:
    """A relayed transaction from a request body, or a WireError naming what is wrong."""
    try:
        body = json.loads(raw, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        raise WireError(_("The body must be a JSON object."), "bad_json") from None
    if not isinstance(body, dict):
        raise WireError(_("The body must be a JSON object."), "bad_json")
    try:
        tx_uuid = str(uuid.UUID(_text(body.get("uuid"), "uuid", limit=36)))
    except ValueError:
        raise WireError(_("uuid must be a UUID."), "bad_uuid") from None
    version = body.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise WireError(_("version must be a whole number."), "bad_version")
    raw_entries = body.get("entries")
    if not isinstance(raw_entries, list) or not 1 <= len(raw_entries) <= 50:
        raise WireError(_("entries must be a list of 1 to 50 entries."), "bad_entries")
    entries = []
    for item in raw_entries:
        if not isinstance(item, dict):
            raise WireError(_("Each entry must be a JSON object."), "bad_entries")
        metadata = item.get("metadata", {})
        if metadata is None:
            metadata = {}
        if not isinstance(metadata, dict):
            raise WireError(_("An entry's metadata must be a JSON object."), "bad_entries")
        quant = _quant(item.get("quant"))
        quant_to_minutes(quant)
        entries.append(
            Entry(
                payer=parse_path(item.get("payer"), "payer"),
                payee=parse_path(item.get("payee"), "payee"),
                quant=quant,
                description=_text(item.get("description", ""), "description", blank=True),
                metadata=metadata,
            )
        )
    return Transaction(
        uuid=tx_uuid,
        state=_text(body.get("state"), "state", limit=8),
        workflow=_text(body.get("workflow", ""), "workflow", limit=64, blank=True),
        version=version,
        entries=tuple(entries),
    )


def dumps(body: Any) -> bytes:
    """JSON for the wire; Decimal quants are written as numbers."""

    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return quant_json(value)
        raise TypeError(type(value).__name__)

    return json.dumps(body, default=default, separators=(",", ":")).encode()


def error_body(message: str) -> dict[str, list[str]]:
    """The protocol's error answer (as komunitin's node gives it)."""
    return {"errors": [message]}


def is_path_under(path: str, base: str) -> bool:
    return path.startswith(base + "/")
