"""The areas a list page offers to filter by, read by skipping along an index (issue 17): the
derived table `exchanges.selectors.search` joins into its count of the listings found."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Expression, QuerySet, Value
from django.db.models.sql.constants import INNER

from coproduce.community.models import SafeguardingPause, TimeBank
from coproduce.exchanges.models import ListingStatus, Offer, Request

# The areas a bank's active listings name, each named by at least one listing of someone not
# under a safeguarding pause (to anyone: a paused member's area is not offered even to them):
# the area filter's choices. Read by skipping along the (time bank, status, area, …) index from
# one area to the next, a look-up per area (13 for the offers at 10,000 members), where
# grouping the listings by area read every one of them (12,790: 2.8 ms of the search's count
# on PostgreSQL, which does not skip on its own). When the bank has a pause, each area is then
# checked for a listing of someone not paused.
_LISTED_AREAS_SQL = """
WITH RECURSIVE areas(area) AS (
    SELECT MIN(area) FROM {listing} WHERE timebank_id = %s AND status = %s
    UNION ALL
    SELECT (
        SELECT MIN(next.area) FROM {listing} next
        WHERE next.timebank_id = %s AND next.status = %s AND next.area > areas.area
    )
    FROM areas WHERE areas.area IS NOT NULL
)
SELECT areas.area FROM areas
WHERE areas.area IS NOT NULL AND (
    NOT EXISTS (SELECT 1 FROM {pause} pause WHERE pause.timebank_id = %s AND pause.ended_at IS NULL)
    OR EXISTS (
        SELECT 1 FROM {listing} listed
        WHERE listed.timebank_id = %s AND listed.status = %s AND listed.area = areas.area
        AND (listed.person_id IS NULL OR listed.person_id NOT IN (
            SELECT pause.person_id FROM {pause} pause
            WHERE pause.timebank_id = %s AND pause.ended_at IS NULL
        ))
    )
)"""


class _ListedAreas:
    """The bank's listed areas (`_LISTED_AREAS_SQL`) as a derived table joined to the bank's
    row: `INNER JOIN (…) listed_areas ON TRUE`, an entry of the outer query's `alias_map` as
    `search._PageOfIds` is."""

    table_name = "listed_areas"
    join_type = INNER
    nullable = False
    filtered_relation = None

    def __init__(self, model: type[Offer] | type[Request], timebank_id: int, parent: str) -> None:
        self.model = model
        self.timebank_id = timebank_id
        self.parent_alias = parent
        self.table_alias: str | None = None

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql = _LISTED_AREAS_SQL.format(
            listing=connection.ops.quote_name(self.model._meta.db_table),
            pause=connection.ops.quote_name(SafeguardingPause._meta.db_table),
        )
        bank, active = self.timebank_id, ListingStatus.ACTIVE.value
        params = [bank, active, bank, active, bank, bank, active, bank]
        alias = compiler.quote_name_unless_alias(self.table_alias)
        return f"INNER JOIN ({sql}) {alias} ON TRUE", params

    def relabeled_clone(self, change_map: dict[str, str]) -> _ListedAreas:
        clone = _ListedAreas(
            self.model, self.timebank_id, change_map.get(self.parent_alias, self.parent_alias)
        )
        if self.table_alias is not None:
            clone.table_alias = change_map.get(self.table_alias, self.table_alias)
        return clone


class _AreaOf(Expression):
    """The area column of the listed areas' derived table (`_ListedAreas`)."""

    def __init__(self, alias: str) -> None:
        super().__init__(output_field=CharField())
        self.alias = alias

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        return f'{compiler.quote_name_unless_alias(self.alias)}."area"', []


def listed_areas(model: type[Offer] | type[Request], timebank_id: int) -> QuerySet[Any]:
    """One row per listed area (`_LISTED_AREAS_SQL`): the area, listed 1, found 0."""
    banks = TimeBank.objects.filter(pk=timebank_id).order_by()
    query = banks.query
    alias = query.join(_ListedAreas(model, timebank_id, query.get_initial_alias()))  # type: ignore[arg-type]
    return banks.values(area=_AreaOf(alias), listed=Value(1), found=Value(0))
