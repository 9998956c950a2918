"""Blocks as matching sees them: no one is suggested to a person they blocked or who blocked
them, in either direction, and such a person cannot be asked to help (issue 13).

`need_without_blocked` is the one place matching filters blocked pairs: every path that ranks
people for a request (the candidates page, the "Who could help?" section of a request's own
page, the invitation's eligibility check) passes its `Need` through it, and the people blocked
with the requester join `Need.excluded_people`, a hard filter that no score can beat.

Blocks themselves are community's (`community.Block`, `community.blocks.blocked_ids_of`); a
block holds in every time bank. The broker queue and a person's suggested requests filter them
with `community.blocks.not_blocked_with` inside their own queries.
"""

from __future__ import annotations

from dataclasses import replace

from coproduce.community.blocks import blocked_ids_of
from coproduce.matching.scores import Need


def blocked_people(*, timebank_id: int, person_id: int) -> frozenset[int]:
    """The ids of the people `person_id` blocked, or who blocked them (one query; a block holds
    in every time bank, so `timebank_id` does not narrow it)."""
    del timebank_id
    return frozenset(blocked_ids_of(person_id))


def need_without_blocked(need: Need) -> Need:
    """The need with everyone blocked with its requester left out of the people it may find.
    A request posted by an organisation has no requester to block anyone."""
    if need.requester_id is None:
        return need
    blocked = blocked_people(timebank_id=need.timebank_id, person_id=need.requester_id)
    if not blocked:
        return need
    return replace(need, excluded_people=tuple(sorted({*need.excluded_people, *blocked})))
