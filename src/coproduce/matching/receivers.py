"""Keeps the matching index in step: when an offer, a person's profile, a membership or an
exchange changes, the people concerned get their MatchProfile and terms rebuilt, in the same
transaction as the change. Bulk writes bypass these; `matching_reindex` catches up."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from coproduce.community.models import Membership, Person
from coproduce.exchanges.models import Exchange, ExchangeStatus, Offer, Side
from coproduce.matching.index import profile_refresh, profiles_refresh_for_person

# Saving only these fields changes nothing matching reads (every sign-in saves last_login).
_IGNORED_PERSON_FIELDS = frozenset({"last_login", "password"})


def offer_changed(sender: type, instance: Offer, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance.person_id is None:
        return
    profile_refresh(timebank_id=instance.timebank_id, person_id=instance.person_id)


def person_changed(sender: type, instance: Person, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if kwargs.get("raw") or kwargs.get("created"):
        return
    if fields is not None and set(fields) <= _IGNORED_PERSON_FIELDS:
        return
    profiles_refresh_for_person(person_id=instance.pk)


def membership_changed(sender: type, instance: Membership, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    profile_refresh(timebank_id=instance.timebank_id, person_id=instance.person_id)


def exchange_changed(sender: type, instance: Exchange, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance.status != ExchangeStatus.CONFIRMED:
        return
    for person_id in instance.participants.filter(
        side=Side.PROVIDER, person__isnull=False
    ).values_list("person_id", flat=True):
        profile_refresh(timebank_id=instance.timebank_id, person_id=person_id)


def connect() -> None:
    post_save.connect(offer_changed, sender=Offer, dispatch_uid="matching.offer_saved")
    post_delete.connect(offer_changed, sender=Offer, dispatch_uid="matching.offer_deleted")
    post_save.connect(person_changed, sender=Person, dispatch_uid="matching.person_saved")
    post_save.connect(
        membership_changed, sender=Membership, dispatch_uid="matching.membership_saved"
    )
    post_save.connect(exchange_changed, sender=Exchange, dispatch_uid="matching.exchange_saved")
