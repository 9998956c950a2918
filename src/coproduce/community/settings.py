"""A time bank's settings, kept by its coordinators (issue 12, "Time bank settings").

`timebank_settings_update` is the one write: it checks every change first and refuses the whole
lot with a clear message when one is wrong (nothing changes), then saves them with one audit row
holding the old and new value of each field that changed. Its logo is checked and redrawn by
`logo_prepare` (Pillow: a real image of at most 2 MB, redrawn as a square PNG of LOGO_SIZE
pixels, which drops EXIF and anything else hidden in the file) and kept through Django's
default storage under MEDIA_ROOT.

The kinds of help: the defaults (core.categories), less those a bank turned off
(`TimeBank.categories_off`), plus its own (`TimeBankCategory`, with a safeguarding level kept
beside the defaults' in `TimeBank.checks_needed`). `category_choices` is what listing forms offer.
"""

from __future__ import annotations

import secrets
import zoneinfo
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coproduce.community.models import CheckKind, Person, TimeBank, TimeBankCategory
from coproduce.community.permissions import require_coordinator
from coproduce.core.audit import audit_record
from coproduce.core.categories import Category
from coproduce.core.errors import ApplicationError
from coproduce.core.images import Refusals, picture_open, png_square
from coproduce.core.kept_query import KeptQuery
from coproduce.core.money import CURRENCIES

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_SIZE = 256
MAX_AREAS = 200
MAX_REFERENCES = 5

TEXT_FIELDS = {
    "name": 120,
    "description": 2000,
    "contact_phone": 40,
    "contact_details": 1000,
    "welcome_text": 2000,
}
FIELDS = (
    *TEXT_FIELDS,
    "contact_email",
    "areas",
    "categories_off",
    "default_min_balance",
    "default_max_balance",
    "max_exchange_minutes",
    "induction_required",
    "references_needed",
    "hourly_value_pence",
    "currency",
    "language",
    "time_zone",
    "require_two_factor",
)


def _refuse(message: str, code: str) -> NoReturn:
    raise ApplicationError(message, code)


# --- Checking each change ---------------------------------------------------------------------
def _field_label(name: str) -> str:
    return str(getattr(TimeBank._meta.get_field(name), "verbose_name", name)).capitalize()


def _text(name: str, value: Any) -> str:
    text = str(value or "").strip()
    if name == "name" and not text:
        _refuse(_("Give the time bank's name."), "name_required")
    if len(text) > TEXT_FIELDS[name]:
        _refuse(
            _("%(field)s can be at most %(max)s characters.")
            % {"field": _field_label(name), "max": TEXT_FIELDS[name]},
            "too_long",
        )
    return text


def _areas(value: Any) -> list[str]:
    areas: list[str] = []
    for area in value or []:
        area = str(area).strip()
        if not area:
            continue
        if len(area) > 80:
            _refuse(_("An area's name can be at most 80 characters."), "area_too_long")
        if area.casefold() not in {a.casefold() for a in areas}:
            areas.append(area)
    if len(areas) > MAX_AREAS:
        _refuse(_("A time bank can list at most %(max)s areas.") % {"max": MAX_AREAS}, "areas")
    return areas


def _minutes(name: str, value: Any, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        _refuse(_("Give a length of time, such as 10 or 2:30."), "bad_minutes")
    return value


def _checked(timebank: TimeBank, changes: dict[str, Any]) -> dict[str, Any]:
    """The changes as they will be saved, or an ApplicationError for the first wrong one."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        _refuse(_("There is no setting called “%(name)s”.") % {"name": min(unknown)}, "unknown")
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name in TEXT_FIELDS:
            clean[name] = _text(name, value)
        elif name == "contact_email":
            clean[name] = str(value or "").strip()
            if clean[name]:
                try:
                    validate_email(clean[name])
                except ValidationError:
                    _refuse(_("Give a contact email address such as name@example.org."), "email")
        elif name == "areas":
            clean[name] = _areas(value)
        elif name == "categories_off":
            off = sorted(set(value or []))
            if any(c not in Category.values for c in off):
                _refuse(_("Choose kinds of help from the list."), "bad_category")
            clean[name] = off
        elif name in {"default_min_balance", "default_max_balance", "max_exchange_minutes"}:
            clean[name] = _minutes(name, value, allow_none=name == "default_max_balance")
        elif name in {"induction_required", "require_two_factor"}:
            clean[name] = bool(value)
        elif name in {"references_needed", "hourly_value_pence"}:
            top = MAX_REFERENCES if name == "references_needed" else 100_000
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
                _refuse(_("Give a whole number from 0 to %(max)s.") % {"max": top}, "bad_number")
            clean[name] = value
        elif name == "currency":
            if value not in CURRENCIES:
                _refuse(_("Choose a currency from the list."), "bad_currency")
            clean[name] = value
        elif name == "language":
            if value not in dict(settings.LANGUAGES):
                _refuse(_("Choose a language from the list."), "bad_language")
            clean[name] = value
        elif name == "time_zone":
            if value not in zoneinfo.available_timezones():
                _refuse(
                    _("“%(zone)s” is not a time zone. Use a name such as Europe/London.")
                    % {"zone": value},
                    "bad_time_zone",
                )
            clean[name] = value
    low = clean.get("default_min_balance", timebank.default_min_balance)
    high = clean.get("default_max_balance", timebank.default_max_balance)
    longest = clean.get("max_exchange_minutes", timebank.max_exchange_minutes)
    if low > 0:
        _refuse(_("The lowest balance must be zero or below."), "min_above_zero")
    if high is not None and high < max(low, 0):
        _refuse(_("The highest balance must be above zero and the lowest."), "max_below_min")
    if not 0 < longest <= 24 * 60:
        _refuse(_("The longest single exchange must be between 0:01 and 24 hours."), "longest")
    return clean


# --- The logo ---------------------------------------------------------------------------------
def logo_prepare(upload: Any) -> bytes:
    """The uploaded picture redrawn as a LOGO_SIZE square PNG (transparent around it), or an
    ApplicationError saying what is wrong with it."""
    picture = picture_open(
        upload,
        max_bytes=LOGO_MAX_BYTES,
        refusals=Refusals(
            too_big=_("The logo must be a picture of at most 2 MB."),
            not_a_picture=_("The logo must be a picture: a PNG, JPEG, GIF or WebP file."),
            too_many_pixels=_("That picture is too large; use a smaller one."),
        ),
    )
    return png_square(picture, LOGO_SIZE)


# --- Kinds of help ----------------------------------------------------------------------------
# A bank's own kinds of help in use, by name: every list page's filter reads them, so their SQL
# is kept (`core.kept_query`), run with the bank's id.
_own_categories: KeptQuery[TimeBankCategory] = KeptQuery(
    TimeBankCategory,
    lambda timebank_id: (
        TimeBankCategory.objects.filter(timebank_id=timebank_id)
        .filter(active=True)
        .order_by("name")
    ),
    ids=("timebank_id",),
)


def category_choices(timebank: TimeBank | None) -> list[tuple[str, str]]:
    """The kinds of help members of this time bank choose from, defaults first."""
    off = set(timebank.categories_off or []) if timebank is not None else set()
    own = _own_categories(timebank_id=timebank.pk) if timebank else []
    return [
        *((value, str(label)) for value, label in Category.choices if value not in off),
        *((c.value, c.name) for c in own),
    ]


def category_label(timebank: TimeBank | None, value: str) -> str:
    """The name of a kind of help, a default's or the time bank's own."""
    if value in Category.values:
        return str(Category(value).label)
    if timebank is not None:
        own = timebank.own_categories.filter(value=value).first()
        if own is not None:
            return own.name
    return value


def category_known(timebank: TimeBank, value: str) -> bool:
    """Whether `value` is a kind of help in this time bank: a default, or one of its own (even
    turned off, so what was arranged under it still goes through)."""
    return value in Category.values or timebank.own_categories.filter(value=value).exists()


def _category_add(timebank: TimeBank, name: str, check: str) -> TimeBankCategory:
    name = name.strip()
    if not name or len(name) > 60:
        _refuse(_("Give the new kind of help a name of at most 60 characters."), "category_name")
    if check and check not in CheckKind.values:
        _refuse(_("Choose a kind of check from the list."), "bad_check")
    labels = {str(label).casefold() for _v, label in Category.choices}
    if name.casefold() in labels or timebank.own_categories.filter(name__iexact=name).exists():
        _refuse(_("There is already a kind of help called %(name)s.") % {"name": name}, "taken")
    base = slugify(name)[:12].strip("-") or "kind"
    value, n = base, 1
    while value in Category.values or timebank.own_categories.filter(value=value).exists():
        n += 1
        value = f"{base}-{n}"
    category = TimeBankCategory.objects.create(timebank=timebank, value=value, name=name)
    if check:
        timebank.checks_needed = {**(timebank.checks_needed or {}), value: check}
    return category


# --- The write --------------------------------------------------------------------------------
def _audit_value(name: str, value: Any) -> Any:
    return value.name if name == "logo" else value


@transaction.atomic
def timebank_settings_update(*, timebank: TimeBank, acting: Person, **changes: Any) -> TimeBank:
    """A coordinator changes their time bank's settings. Besides the fields in FIELDS, `logo`
    (an uploaded file) replaces the logo, `logo_remove=True` removes it, `own_categories_on`
    (values) says which of the bank's own kinds of help are offered, and `category_new` (a name)
    with `category_new_check` (a CheckKind value or "") adds one."""
    require_coordinator(
        person=acting, timebank=timebank, message=_("Only a coordinator can change the settings.")
    )
    upload = changes.pop("logo", None)
    logo_remove = bool(changes.pop("logo_remove", False))
    own_on = changes.pop("own_categories_on", None)
    new_name = str(changes.pop("category_new", "") or "")
    new_check = str(changes.pop("category_new_check", "") or "")
    # Locked so two coordinators saving at once each audit the values they really replaced.
    timebank = TimeBank.objects.select_for_update().get(pk=timebank.pk)
    clean = _checked(timebank, changes)
    logo = logo_prepare(upload) if upload is not None else None
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name, value in clean.items():
        if getattr(timebank, name) != value:
            old[name], new[name] = getattr(timebank, name), value
            setattr(timebank, name, value)
    if own_on is not None:
        for category in timebank.own_categories.select_for_update().order_by("pk"):
            active = category.value in set(own_on)
            if category.active != active:
                category.active = active
                category.save(update_fields=["active"])
                old[f"category:{category.value}"] = not active
                new[f"category:{category.value}"] = active
    if new_name.strip():
        checks_before = dict(timebank.checks_needed or {})
        added = _category_add(timebank, new_name, new_check)
        old[f"category:{added.value}"], new[f"category:{added.value}"] = None, added.name
        if timebank.checks_needed != checks_before:
            old["checks_needed"], new["checks_needed"] = checks_before, timebank.checks_needed
    old_logo = timebank.logo.name
    if logo is not None or (logo_remove and old_logo):
        name = ""
        if logo is not None:
            name = default_storage.save(
                f"logos/{timebank.slug}-{secrets.token_hex(8)}.png", ContentFile(logo)
            )
        timebank.logo.name = name
        old["logo"], new["logo"] = old_logo, name
        if old_logo:
            transaction.on_commit(lambda: default_storage.delete(old_logo))
    first_time = timebank.settings_completed_at is None
    if first_time:
        timebank.settings_completed_at = timezone.now()
    if new or first_time:
        timebank.save()
        audit_record(
            action="timebank.settings_updated",
            actor=acting,
            timebank_id=timebank.pk,
            target=f"timebank:{timebank.slug}",
            data={"old": old, "new": new},
        )
    return timebank
