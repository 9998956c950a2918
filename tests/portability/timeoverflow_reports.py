"""Reports shaped exactly as TimeOverflow writes them, for the import's tests and benchmark.

Follows coopdevs/timeoverflow's writers: `Report::Csv::Base` (Ruby's CSV: nil written as nothing,
an empty string as `""`, a cell quoted only when it holds a comma, a quote or a line break), and
the decorators' columns (`app/decorators/report/*.rb`). The bank is described in plain Python
(members, posts, transfers with the organisation, deleted and inactive members), and the Members
report's balances are what TimeOverflow would show: every movement, including those with people
the report no longer lists.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# (members' name column, header row) per report language, as TimeOverflow's locales have them.
HEADERS = {
    "en": {
        "members": [
            "N",
            "Name",
            "Email",
            "Phone",
            "Alternative Phone",
            "Created",
            "Last login",
            "Locale",
            "Balance",
        ],
        "offers": ["", "Offer", "Tags", "User", "Created"],
        "inquiries": ["", "Request", "Tags", "User", "Created"],
        "transfers": ["Date", "From", "To", "Post", "Quantity"],
        "deleted": "The user no longer exists",
        "inactive": "The user isn't active",
    },
    "es": {
        "members": [
            "N",
            "Nombre",
            "Correo",
            "Teléfono",
            "Teléfono alternativo",
            "Creado",
            "Fecha último login",
            "Locale",
            "Balance",
        ],
        "offers": ["", "Oferta", "Etiquetas", "Usuario", "Creado"],
        "inquiries": ["", "Demanda", "Etiquetas", "Usuario", "Creado"],
        "transfers": ["Fecha", "Origen", "Destino", "Anuncio", "Cantidad"],
        "deleted": "El usuario ya no existe",
        "inactive": "El usuario no está activo",
    },
    "ca": {
        "members": [
            "N",
            "Nom",
            "Correu",
            "Telèfon",
            "Telèfon alternatiu",
            "Creat",
            "Data darrera connexió",
            "Locale",
            "Balanç",
        ],
        "offers": ["", "Oferta", "Etiquetes", "Usuari", "Creat"],
        "inquiries": ["", "Demanda", "Etiquetes", "Usuari", "Creat"],
        "transfers": ["Data", "Origen", "Destí", "Anunci", "Quantitat"],
        "deleted": "L'usuari ja no existeix",
        "inactive": "L'usuari no està actiu",
    },
}


def ruby_cell(value: object) -> str:
    """One cell as Ruby's CSV writes it."""
    if value is None:
        return ""
    text = str(value)
    if text == "" or any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def ruby_csv(rows: list[list[object]]) -> str:
    return "".join(",".join(ruby_cell(cell) for cell in row) + "\n" for row in rows)


def ruby_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def hm(seconds: int) -> str:
    """`seconds_to_hm(seconds, 0)`."""
    if seconds == 0:
        return "0"
    minutes = abs(seconds) // 60
    return f"{'-' if seconds < 0 else ''}{minutes // 60}:{minutes % 60:02d}"


@dataclass
class Member:
    uid: int
    name: str
    email: str = ""  # "" writes TimeOverflow's dummy address, then "" in the report
    phone: str | None = None
    alt_phone: str | None = None
    created: datetime = datetime(2020, 1, 6, 10, 0, tzinfo=UTC)
    locale: str = "es"
    active: bool = True  # inactive members are not in the Members report
    deleted: bool = False
    has_account: bool = True


@dataclass
class Post:
    id: int
    kind: str  # "offers" or "inquiries"
    uid: int
    title: str
    category: str | None
    tags: str = ""
    created: datetime = datetime(2021, 3, 1, 9, 30, tzinfo=UTC)


@dataclass
class Transfer:
    at: datetime
    payer: int | None  # a member's uid, or None for the organisation's own account
    payee: int | None
    seconds: int
    post: str | None = None


@dataclass
class Bank:
    name: str = "Banc de Temps del Barri"
    locale: str = "es"
    members: list[Member] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)

    def member(self, uid: int) -> Member:
        return next(m for m in self.members if m.uid == uid)

    def listed(self, uid: int) -> bool:
        """In the Members report: active, not deleted."""
        member = self.member(uid)
        return member.active and not member.deleted

    def balance(self, uid: int) -> int:
        total = 0
        for transfer in self.transfers:
            if transfer.payee == uid:
                total += transfer.seconds
            if transfer.payer == uid:
                total -= transfer.seconds
        return total

    def party(self, uid: int | None) -> str:
        labels = HEADERS[self.locale]
        if uid is None:
            return self.name
        member = self.member(uid)
        if member.deleted:
            return labels["deleted"]
        if not member.active:
            return labels["inactive"]
        return f"{member.name} ({member.uid})"

    def members_csv(self) -> str:
        rows: list[list[object]] = [HEADERS[self.locale]["members"]]
        for m in sorted(
            (m for m in self.members if m.active and not m.deleted), key=lambda m: m.uid
        ):
            rows.append(
                [
                    m.uid,
                    m.name,
                    m.email,  # email_if_real: "" for a dummy address
                    m.phone,
                    m.alt_phone,
                    ruby_time(m.created),
                    "",  # last_sign_in_at.to_s of nil
                    m.locale,
                    str(self.balance(m.uid)) if m.has_account else "",
                ]
            )
        return ruby_csv(rows)

    def posts_csv(self, kind: str) -> str:
        rows: list[list[object]] = [HEADERS[self.locale][kind]]
        mine = [p for p in self.posts if p.kind == kind and self.listed(p.uid)]
        by_category: dict[str | None, list[Post]] = {}
        for post in mine:
            by_category.setdefault(post.category, []).append(post)
        for category in sorted(by_category, key=lambda c: c or ""):
            rows.append(["", category or "-", "", "", ""])
            for post in by_category[category]:
                member = self.member(post.uid)
                rows.append(
                    [
                        post.id,
                        post.title,
                        post.tags,
                        f"{member.name} ({member.uid})",
                        ruby_time(post.created),
                    ]
                )
        return ruby_csv(rows)

    def transfers_csv(self) -> str:
        rows: list[list[object]] = [HEADERS[self.locale]["transfers"]]
        for t in sorted(self.transfers, key=lambda t: t.at, reverse=True):
            rows.append(
                [
                    ruby_time(t.at),
                    self.party(t.payer),
                    self.party(t.payee),
                    t.post or "",
                    hm(t.seconds),
                ]
            )
        return ruby_csv(rows)

    def download_all(self, day: str = "2026-11-30") -> bytes:
        """The "Download all" ZIP, with TimeOverflow's file names."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(f"Members_{day}.csv", self.members_csv())
            archive.writestr(f"Transfers_{day}.csv", self.transfers_csv())
            archive.writestr(f"Inquiries_{day}.csv", self.posts_csv("inquiries"))
            archive.writestr(f"Offers_{day}.csv", self.posts_csv("offers"))
        return buffer.getvalue()


NAMES = [
    "María García",
    "Jordi Puig",
    "Ana López",
    "Núria Vidal",
    "Pedro Sánchez",
    "Laia Ferrer",
    "Carmen Ruiz",
    "Pau Serra",
]
CATEGORIES = ["Acompañamiento", "Salud", "Tareas domésticas", "Clases", "Ocio", "Otros"]


def generated(members: int, transfers: int, *, seed: int = 7, locale: str = "es") -> Bank:
    """A bank of the given size, with a tenth of members inactive or deleted, a few organisation
    transfers, and posts in several categories."""
    rng = random.Random(seed)
    bank = Bank(locale=locale)
    start = datetime(2019, 1, 1, tzinfo=UTC)
    for uid in range(1, members + 1):
        name = f"{rng.choice(NAMES)} {uid}" if uid % 5 else rng.choice(NAMES)
        bank.members.append(
            Member(
                uid=uid,
                name=name,
                email=f"m{uid}@correo.test" if uid % 3 else "",
                phone=f"6{uid:08d}" if uid % 2 else None,
                created=start + timedelta(days=uid % 300),
                active=uid % 17 != 0,
                deleted=uid % 29 == 0,
                locale=locale,
            )
        )
    for pid in range(1, members // 2 + 1):
        bank.posts.append(
            Post(
                id=pid,
                kind="offers" if pid % 3 else "inquiries",
                uid=rng.randint(1, members),
                title=f"Ayuda número {pid}",
                category=rng.choice([*CATEGORIES, None]),
                tags="barrio, vecinos" if pid % 4 == 0 else "",
            )
        )
    for n in range(transfers):
        payer = rng.randint(1, members)
        payee = rng.randint(1, members)
        while payee == payer:
            payee = rng.randint(1, members)
        if n % 50 == 0:
            payer = None  # the organisation pays a member
        elif n % 73 == 0:
            payee = None  # a member pays the organisation
        bank.transfers.append(
            Transfer(
                at=start + timedelta(days=400) + timedelta(minutes=37 * n),
                payer=payer,
                payee=payee,
                seconds=rng.choice([30, 60, 90, 120, 150, 180]) * 60,
                post=f"Ayuda número {rng.randint(1, max(1, members // 2))}" if n % 4 else None,
            )
        )
    return bank
