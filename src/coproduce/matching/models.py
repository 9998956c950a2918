"""Matching's own tables: a time bank's matching settings, each person's "don't match me for"
list, and the prepared index the ranking reads (one profile row per member and their terms, and
each request's terms for the other direction, `matching.suggestions`).

The index is derived data: `matching.index` rebuilds a person's rows whenever their offers,
profile, membership or given exchanges change (receivers.py), and `coproduce manage
matching_reindex` rebuilds a whole time bank after bulk loads. Nothing else writes here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coproduce.community.models import default_checks_needed


def default_safeguarding() -> dict[str, str]:
    # Named by migration 0001, which made the column the rule lived in before 0003 moved it.
    return default_checks_needed()


class MatchingSettings(models.Model):
    """How one time bank weighs the signals (0 to 10 each) and who may see the suggestions.
    Which kinds of help need a recorded safeguarding check is the time bank's own rule
    (`TimeBank.checks_needed`), kept by community and enforced on every exchange; this page
    edits it, and `safeguarding` reads it."""

    timebank = models.OneToOneField(
        "community.TimeBank", on_delete=models.PROTECT, related_name="matching_settings"
    )
    weight_skill = models.PositiveSmallIntegerField(_("what they can do"), default=5)
    weight_place = models.PositiveSmallIntegerField(_("how near they live"), default=3)
    weight_time = models.PositiveSmallIntegerField(_("when they are free"), default=2)
    weight_fairness = models.PositiveSmallIntegerField(
        _("giving everyone a chance to give"), default=3
    )
    weight_new_ties = models.PositiveSmallIntegerField(_("new connections"), default=2)
    requester_sees_candidates = models.BooleanField(
        _("people asking for help may see who could help them"), default=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")

    def __str__(self) -> str:
        return f"Matching settings of {self.timebank}"

    @property
    def safeguarding(self) -> dict[str, str]:
        """{category: check kind}: the time bank's rule (`TimeBank.checks_needed`)."""
        return dict(self.timebank.checks_needed or {})


class MatchingPreference(models.Model):
    """A person's own "please don't suggest me for" list in one time bank."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="matching_preferences"
    )
    excluded_categories = models.JSONField(_("don't suggest me for"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timebank", "person"], name="one_preference_per_bank")
        ]

    def __str__(self) -> str:
        return f"Matching preferences of {self.person}"


class MatchProfile(models.Model):
    """One member of one time bank as the ranking sees them, kept in step by matching.index."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="match_profiles"
    )
    # An active membership; applied, paused and left members are never suggested.
    active = models.BooleanField(default=False)
    # Membership.area, lower-cased and trimmed, so "Northbank " and "northbank" are one place.
    area = models.CharField(max_length=80, blank=True)
    # Person.availability as bits (community.availability.SLOTS order); 0 means any time.
    availability_mask = models.IntegerField(default=0)
    # Categories the person asked not to be suggested for, as bits (core.categories order).
    excluded_mask = models.IntegerField(default=0)
    # Confirmed exchanges in which they gave help, over the last year.
    given_recently = models.IntegerField(default=0)
    # Optional coordinates (degrees) for distance, when a coordinator has recorded them.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timebank", "person"], name="one_match_profile")
        ]
        indexes = [models.Index(fields=["timebank", "active", "area"])]

    def __str__(self) -> str:
        return f"Match profile of {self.person_id} in {self.timebank_id}"


class MatchTerm(models.Model):
    """One term (matching.text) an active member can help with: from an active offer's
    category, title, tags or description, or from what they wrote they can give.

    `weight` 3 for the kind of help of an offer, 2 for words of a title or tags, 1 for words of
    a description or profile. `expires_at` is the latest expiry of the offers that gave it (null
    when one never expires or it came from the profile), so an offer that expires by a bulk
    update stops counting without any signal.

    Each row also carries copies of what the first cut of the ranking reads from the profile
    (person, area, the two masks and `prior`, the "given little" score), so a request's best
    few per term come straight off one index, already in order, without a join or a sort over
    everyone who offers that kind of help. Only active members have terms."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    profile = models.ForeignKey(MatchProfile, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=42)
    weight = models.PositiveSmallIntegerField()
    expires_at = models.DateTimeField(null=True, blank=True)
    # Copies of the profile, rewritten with it (matching.index); never read for display.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    area = models.CharField(max_length=80, blank=True, default="")
    availability_mask = models.IntegerField(default=0)
    excluded_mask = models.IntegerField(default=0)
    prior = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "term"], name="one_row_per_term")]
        indexes = [
            models.Index(
                fields=["timebank", "term", "area", "-weight", "-prior", "person"],
                name="matchterm_by_area",
            ),
            models.Index(
                fields=["timebank", "term", "-weight", "-prior", "person"],
                name="matchterm_by_rank",
            ),
        ]

    def __str__(self) -> str:
        return self.term


class RequestTerm(models.Model):
    """One term (matching.text) of a request's title, tags or description: what the home page's
    "requests you could help with" box matches a member's terms against, by equality on an
    index, the very terms `matching.selectors.needs_of` ranks the request's candidates by.

    Every request has its rows whatever its status (they depend on its words alone); the box
    reads them only for the requests it may show. Written by `matching.index` when a request
    is saved (receivers.py) and by `timebank_reindex`; a person's erasure removes theirs."""

    # Both keys are led by the two indexes below, so neither needs one of its own.
    timebank = models.ForeignKey(
        "community.TimeBank", on_delete=models.PROTECT, db_index=False, related_name="+"
    )
    request = models.ForeignKey(
        "exchanges.Request", on_delete=models.CASCADE, db_index=False, related_name="match_terms"
    )
    term = models.CharField(max_length=42)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "term"], name="one_row_per_request_term")
        ]
        indexes = [models.Index(fields=["timebank", "term", "request"], name="requestterm_by_term")]

    def __str__(self) -> str:
        return self.term
