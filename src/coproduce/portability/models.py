"""What an import remembers of the system it came from."""

from __future__ import annotations

from django.db import models


class ExternalRecord(models.Model):
    """One record of another system (a TimeOverflow member by their number, a post by its id)
    and what it became here, by public id. A second import of the same bank finds its people and
    listings through these instead of making them again."""

    timebank = models.ForeignKey("community.TimeBank", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=24)  # "timeoverflow"
    kind = models.CharField(max_length=16)  # "member", "offer", "request"
    external_id = models.CharField(max_length=64)
    public_id = models.UUIDField()  # of the Person, Offer or Request made from it
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["timebank", "source", "kind", "external_id"],
                name="one_record_per_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id}"
