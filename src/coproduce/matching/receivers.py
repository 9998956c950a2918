"""Keeps the matching index in step: when an offer, a person's profile, a membership, a
safeguarding pause or an exchange changes, the people concerned get their MatchProfile and terms
rebuilt.

The rebuild waits for the change's transaction to commit and runs once per transaction: each
receiver only notes the (time bank, person) pairs it touched, and one `transaction.on_commit`
callback refreshes each pair once. So confirming a group exchange, or an import of a hundred
offers for one person, rebuilds each profile once rather than on every save, and a rolled-back
change rebuilds nothing. Outside a transaction (autocommit) the refresh runs at once. A read of
the index inside the same transaction first refreshes what is waiting (`pending_refresh`), so
a page that changes an offer and then ranks sees the change. Bulk writes bypass these receivers;
`matching_reindex` catches up.

A request's own terms (RequestTerm) are rewritten at once when it is saved, in the same
transaction: one or two small statements, and only when its words may have changed. An erasure
(privacy/signals.py) removes the erased person's requests' terms with their words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from coproduce.community.models import Membership, Person, SafeguardingPause
from coproduce.exchanges.models import Exchange, ExchangeStatus, Offer, Request, Side
from coproduce.matching.index import (
    profile_refresh,
    profiles_refresh_for_person,
    request_terms_refresh,
)
from coproduce.matching.models import RequestTerm
from coproduce.privacy.signals import person_erased

# Saving only these fields changes nothing matching reads (every sign-in saves last_login).
_IGNORED_PERSON_FIELDS = frozenset({"last_login", "password"})
# A request's terms come from these fields alone (a save naming none of them keeps its terms).
_REQUEST_TEXT_FIELDS = frozenset({"title", "tags", "description"})
_ATTRIBUTE = "coproduce_matching_pending"


@dataclass
class _Pending:
    """What one transaction touched: pairs, and people whose every profile needs a rebuild."""

    pairs: set[tuple[int, int]] = field(default_factory=set)
    people: set[int] = field(default_factory=set)

    def refresh(self) -> None:
        pairs, people = self.pairs, self.people
        self.pairs, self.people = set(), set()
        if not pairs and not people:
            return
        with transaction.atomic():
            for person_id in sorted(people):
                profiles_refresh_for_person(person_id=person_id)
            for timebank_id, person_id in sorted(pairs):
                if person_id not in people:
                    profile_refresh(timebank_id=timebank_id, person_id=person_id)


def _current(connection: Any) -> _Pending | None:
    """This transaction's list, if it has one: a list left by a transaction or savepoint that
    rolled back has lost its on_commit callback and does not count."""
    pending: _Pending | None = getattr(connection, _ATTRIBUTE, None)
    if pending is None or not any(
        callback == pending.refresh for _sids, callback, _robust in connection.run_on_commit
    ):
        return None
    return pending


def _pending() -> _Pending | None:
    """This transaction's list, registered with its on_commit callback; None in autocommit.
    A list whose callback was dropped (its transaction or savepoint rolled back) is replaced."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    pending = _current(connection)
    if pending is None:
        pending = _Pending()
        setattr(connection, _ATTRIBUTE, pending)
        transaction.on_commit(pending.refresh)
    return pending


def _touched(*, timebank_id: int, person_id: int) -> None:
    pending = _pending()
    if pending is None:
        profile_refresh(timebank_id=timebank_id, person_id=person_id)
    else:
        pending.pairs.add((timebank_id, person_id))


def pending_refresh() -> None:
    """Refresh now what this transaction has changed so far (before reading the index)."""
    connection = transaction.get_connection()
    pending = _current(connection) if connection.in_atomic_block else None
    if pending is not None:
        pending.refresh()


def offer_changed(sender: type, instance: Offer, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance.person_id is None:
        return
    _touched(timebank_id=instance.timebank_id, person_id=instance.person_id)


def person_changed(sender: type, instance: Person, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if kwargs.get("raw") or kwargs.get("created"):
        return
    if fields is not None and set(fields) <= _IGNORED_PERSON_FIELDS:
        return
    pending = _pending()
    if pending is None:
        profiles_refresh_for_person(person_id=instance.pk)
    else:
        pending.people.add(instance.pk)


def membership_changed(sender: type, instance: Membership, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    _touched(timebank_id=instance.timebank_id, person_id=instance.person_id)


def pause_changed(sender: type, instance: SafeguardingPause, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    _touched(timebank_id=instance.timebank_id, person_id=instance.person_id)


def exchange_changed(sender: type, instance: Exchange, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance.status != ExchangeStatus.CONFIRMED:
        return
    for person_id in instance.participants.filter(
        side=Side.PROVIDER, person__isnull=False
    ).values_list("person_id", flat=True):
        _touched(timebank_id=instance.timebank_id, person_id=person_id)


def request_changed(sender: type, instance: Request, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (fields is not None and not set(fields) & _REQUEST_TEXT_FIELDS):
        return
    request_terms_refresh(request=instance, created=bool(kwargs.get("created")))


def person_erased_terms_drop(
    sender: Any, *, person: Person, timebank_ids: list[int], **kwargs: Any
) -> None:
    """The erasure blanks the person's listings' words by a bulk update: their terms go too."""
    RequestTerm.objects.filter(timebank_id__in=timebank_ids, request__person=person).delete()


def connect() -> None:
    post_save.connect(offer_changed, sender=Offer, dispatch_uid="matching.offer_saved")
    post_delete.connect(offer_changed, sender=Offer, dispatch_uid="matching.offer_deleted")
    post_save.connect(person_changed, sender=Person, dispatch_uid="matching.person_saved")
    post_save.connect(
        membership_changed, sender=Membership, dispatch_uid="matching.membership_saved"
    )
    post_save.connect(pause_changed, sender=SafeguardingPause, dispatch_uid="matching.pause_saved")
    post_save.connect(exchange_changed, sender=Exchange, dispatch_uid="matching.exchange_saved")
    post_save.connect(request_changed, sender=Request, dispatch_uid="matching.request_saved")
    person_erased.connect(
        person_erased_terms_drop, dispatch_uid="matching.request_terms_drop_on_erasure"
    )
