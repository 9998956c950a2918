"""TimeOverflow's four manager reports, parsed row by row into what they say, with a problem
named by file, line and column for every cell that cannot be what TimeOverflow writes.

The columns, from TimeOverflow's `app/decorators/report/`:
- Members (`member_decorator.rb`): N (member_uid), Name, Email (empty when TimeOverflow's dummy
  `example.com` address stands in), Phone, Alternative Phone, Created, Last login, Locale,
  Balance (integer seconds; `""` for a member without an account). Active members only, by N.
- Offers and Inquiries (`post_decorator.rb`): a row `"", category name (or "-"), "", "", ""`
  opens each category; then id, title, tags ("a, b"), "Name (member_uid)", created.
- Transfers (`transfer_decorator.rb`): created, from, to, post title (`""` for none), quantity
  as `H:MM` (`0` for none). From and to are "Name (member_uid)" for an active member, the
  organisation's name for its own account, or a phrase in the report's language for a deleted
  or inactive member (`users.show.deleted_user` / `inactive_user`). Newest first.
The headers are in the language of whoever downloaded them, so columns are read by position.
Times are Rails' `to_s`: `2024-03-05 18:02:11 UTC` or with an offset, `+0100`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

from django.utils.translation import gettext as _

from coproduce.portability.files import Problem
from coproduce.portability.timeoverflow.rubycsv import CsvSyntaxError, Record, records

# TimeOverflow's "deleted user" and "inactive user" phrases in every language it ships
# (config/locales/*.yml: users.show.deleted_user and users.show.inactive_user).
GONE_LABELS = frozenset(
    {
        "The user no longer exists",
        "The user isn't active",
        "El usuario ya no existe",
        "El usuario no está activo",
        "L'usuari ja no existeix",
        "L'usuari no està actiu",
        "Erabiltzaile hau jada ez dago.",
        "Erabiltzailea ez dago erabilgarri",
        "Cet·te utilisateur·rice n'existe plus",
        "L'utilisateur·rice n'est pas actif·ive",
        "A persoa usuaria xa non existe",
        "A persoa usuaria non está activa",
        "ユーザーは存在しません",
        "ユーザーはアクティブではありません",
        "De gebruiker bestaat niet meer",
        "De gebruiker is niet actief",
        "O usuário não existe mais",
        "O usuário não está ativo",
    }
)
# The Offers report's second header ("Offer") in each language, to tell it from Inquiries when
# the file's name does not say.
OFFER_HEADERS = frozenset(
    {"Offer", "Oferta", "Eskaintza", "Eskaintza ", "Offre", "オファー", "Aanbieding"}
)
INQUIRY_HEADERS = frozenset({"Request", "Demanda", "Eskaera", "Demande", "リクエスト", "Verzoek"})

ReportKind = Literal["members", "offers", "inquiries", "transfers"]

_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?"
    r"\s*(UTC|Z|[+-]\d{2}:?\d{2})?$"
)
_HOURS = re.compile(r"^(\d{1,7}):([0-5]\d)$")
_SECONDS = re.compile(r"^-?\d{1,12}$")
_NAMED = re.compile(r"^(?P<name>.*) \((?P<uid>\d{1,9})\)$", re.DOTALL)


@dataclass(frozen=True)
class ReportProblem(Problem):
    """A problem in one cell (or line) of one report file."""

    file: str = ""
    column: str = ""

    def __str__(self) -> str:
        where = _("%(file)s, line %(line)d") % {"file": self.file, "line": self.line}
        if self.column:
            where += _(", column %(column)s") % {"column": self.column}
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Member:
    line: int
    uid: int
    name: str
    email: str
    phone: str
    alt_phone: str
    created: datetime | None
    locale: str
    balance_seconds: int


@dataclass(frozen=True)
class Post:
    file: str
    line: int
    kind: Literal["offers", "inquiries"]
    id: int
    title: str
    tags: str
    category: str  # TimeOverflow's category name, "" for none
    uid: int
    created: datetime | None


@dataclass(frozen=True)
class Party:
    """One side of a transfer: a member by uid, the organisation's own account, or someone the
    report no longer names (deleted or inactive)."""

    kind: Literal["member", "organisation", "gone"]
    uid: int = 0
    name: str = ""


@dataclass(frozen=True)
class Transfer:
    line: int
    at: datetime
    payer: Party  # "from": the account the time left
    payee: Party  # "to": the account that earned it
    post: str
    seconds: int
    text: str  # the row as written, to key it


@dataclass
class Reports:
    members: list[Member]
    posts: list[Post]
    transfers: list[Transfer]
    problems: list[Problem]
    files: dict[ReportKind, str]  # which file each report came from


def kind_of(name: str, header: list[str | None]) -> ReportKind | None:
    """Which report a file is: by TimeOverflow's file name (`Members_2024-03-05.csv`…), or
    else by its header's shape."""
    base = name.rsplit("/", 1)[-1].lower()
    for prefix, kind in (
        ("members", "members"),
        ("offers", "offers"),
        ("inquiries", "inquiries"),
        ("transfers", "transfers"),
    ):
        if base.startswith(prefix):
            return kind  # type: ignore[return-value]
    cells = [(cell or "") for cell in header]
    if len(cells) == 9 and cells[0] == "N":
        return "members"
    if len(cells) == 5 and cells[0] == "":
        if cells[1] in OFFER_HEADERS:
            return "offers"
        if cells[1] in INQUIRY_HEADERS:
            return "inquiries"
    if len(cells) == 5 and cells[0]:
        return "transfers"
    return None


def parse_time(text: str) -> datetime | None:
    match = _TIME.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        naive = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError:
        return None
    if zone in (None, "UTC", "Z"):
        offset = timedelta(0)
    else:
        digits = zone.replace(":", "")
        offset = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
        if digits[0] == "-":
            offset = -offset
    return naive.replace(tzinfo=timezone(offset)).astimezone(UTC)


def _cell(cells: list[str | None], index: int) -> str:
    return (cells[index] or "").strip() if index < len(cells) else ""


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, line: int, column: str, message: str) -> None:
        self.problems.append(ReportProblem(line, message, file=self.file, column=column))

    def records(self, text: str, width: int) -> list[Record]:
        """The data records (after the header), each checked for its number of cells."""
        found = []
        try:
            for record in records(text):
                if record.line == 1 or not any((cell or "").strip() for cell in record.cells):
                    continue
                if len(record.cells) != width:
                    self.problem(
                        record.line,
                        "",
                        _("%(found)d cells where TimeOverflow writes %(width)d")
                        % {"found": len(record.cells), "width": width},
                    )
                    continue
                found.append(record)
        except CsvSyntaxError as exc:
            self.problem(
                exc.line, "", _("this line cannot be read as CSV (%(e)s)") % {"e": exc.message}
            )
        return found


MEMBER_COLUMNS = (
    "N",
    "Name",
    "Email",
    "Phone",
    "Alternative Phone",
    "Created",
    "Last login",
    "Locale",
    "Balance",
)


def members_read(file: str, text: str) -> tuple[list[Member], list[Problem]]:
    reader = _Reader(file)
    members = []
    for record in reader.records(text, len(MEMBER_COLUMNS)):
        cells, line = record.cells, record.line
        uid_text, name = _cell(cells, 0), _cell(cells, 1)
        bad = False
        if not uid_text.isdigit():
            reader.problem(line, "N", _("“%(text)s” is not a member number") % {"text": uid_text})
            bad = True
        if not name:
            reader.problem(line, "Name", _("the member has no name"))
            bad = True
        created_text = _cell(cells, 5)
        created = parse_time(created_text) if created_text else None
        if created_text and created is None:
            reader.problem(line, "Created", _("“%(text)s” is not a time") % {"text": created_text})
            bad = True
        balance_cell = cells[8]
        if balance_cell is None:
            reader.problem(line, "Balance", _("the balance is missing"))
            bad = True
            seconds = 0
        elif balance_cell.strip() == "":
            seconds = 0  # `nil.to_s`: the member has no account yet
        elif _SECONDS.match(balance_cell.strip()):
            seconds = int(balance_cell.strip())
            if seconds % 60:
                reader.problem(
                    line,
                    "Balance",
                    _("%(seconds)s seconds is not a whole number of minutes")
                    % {"seconds": seconds},
                )
                bad = True
        else:
            reader.problem(
                line,
                "Balance",
                _("“%(text)s” is not a balance in seconds") % {"text": balance_cell},
            )
            bad = True
            seconds = 0
        email = _cell(cells, 2)
        if email.lower().endswith("example.com"):
            email = ""  # a dummy address TimeOverflow made for someone without one
        if not bad:
            members.append(
                Member(
                    line=line,
                    uid=int(uid_text),
                    name=name,
                    email=email,
                    phone=_cell(cells, 3),
                    alt_phone=_cell(cells, 4),
                    created=created,
                    locale=_cell(cells, 7),
                    balance_seconds=seconds,
                )
            )
    seen: dict[int, int] = {}
    for member in members:
        if member.uid in seen:
            reader.problem(
                member.line,
                "N",
                _("member %(uid)d is listed twice (first on line %(first)d)")
                % {"uid": member.uid, "first": seen[member.uid]},
            )
        seen.setdefault(member.uid, member.line)
    return members, reader.problems


def posts_read(
    file: str, text: str, kind: Literal["offers", "inquiries"]
) -> tuple[list[Post], list[Problem]]:
    reader = _Reader(file)
    posts = []
    category = ""
    for record in reader.records(text, 5):
        cells, line = record.cells, record.line
        if _cell(cells, 0) == "":
            name = _cell(cells, 1)
            category = "" if name == "-" else name
            continue
        id_text, title, who = _cell(cells, 0), _cell(cells, 1), _cell(cells, 3)
        bad = False
        if not id_text.isdigit():
            reader.problem(line, "id", _("“%(text)s” is not a post number") % {"text": id_text})
            bad = True
        if not title:
            reader.problem(line, "title", _("the post has no title"))
            bad = True
        named = _NAMED.match(who)
        if named is None:
            reader.problem(
                line,
                "user",
                _("“%(text)s” does not name a member as “Name (number)”") % {"text": who},
            )
            bad = True
        created_text = _cell(cells, 4)
        created = parse_time(created_text) if created_text else None
        if created_text and created is None:
            reader.problem(line, "created", _("“%(text)s” is not a time") % {"text": created_text})
            bad = True
        if not bad and named is not None:
            posts.append(
                Post(
                    file=file,
                    line=line,
                    kind=kind,
                    id=int(id_text),
                    title=title,
                    tags=_cell(cells, 2),
                    category=category,
                    uid=int(named["uid"]),
                    created=created,
                )
            )
    return posts, reader.problems


def party_of(text: str) -> Party:
    named = _NAMED.match(text)
    if named is not None:
        return Party("member", uid=int(named["uid"]), name=named["name"])
    if text in GONE_LABELS:
        return Party("gone", name=text)
    return Party("organisation", name=text)


def seconds_of(text: str) -> int | None:
    """A transfer's quantity, `H:MM` (or `0`), in seconds."""
    if text == "0":
        return 0
    match = _HOURS.match(text)
    if match is None:
        return None
    return (int(match[1]) * 60 + int(match[2])) * 60


def transfers_read(file: str, text: str) -> tuple[list[Transfer], list[Problem]]:
    reader = _Reader(file)
    transfers = []
    for record in reader.records(text, 5):
        cells, line = record.cells, record.line
        at_text, payer, payee = _cell(cells, 0), _cell(cells, 1), _cell(cells, 2)
        quantity = _cell(cells, 4)
        bad = False
        at = parse_time(at_text)
        if at is None:
            reader.problem(line, "date", _("“%(text)s” is not a time") % {"text": at_text})
            bad = True
        for column, value in (("from", payer), ("to", payee)):
            if not value:
                reader.problem(line, column, _("the account is missing"))
                bad = True
        seconds = seconds_of(quantity)
        if seconds is None:
            reader.problem(
                line,
                "quantity",
                _("“%(text)s” is not a quantity written as hours:minutes") % {"text": quantity},
            )
            bad = True
        if not bad and at is not None and seconds is not None:
            transfers.append(
                Transfer(
                    line=line,
                    at=at,
                    payer=party_of(payer),
                    payee=party_of(payee),
                    post=_cell(cells, 3),
                    seconds=seconds,
                    text="\x1f".join(cell or "" for cell in cells),
                )
            )
    return transfers, reader.problems
