"""Blocks as matching sees them: no one is suggested to a person they blocked or who blocked
them, in either direction, and such a person cannot be asked to help (issue 13).

`need_without_blocked` is the one place matching filters blocked pairs: every path that ranks
people for a request (the candidates page, the "Who could help?" section of a request's own
page, the invitation's eligibility check) passes its `Need` through it, and the people blocked
with the requester join `Need.excluded_people`, a hard filter that no score can beat.

Blocks themselves are the conversations work's (`community.Block`, with `community.blocks`:
`is_blocked_between(a, b)`, `blocked_ids_of(person)`), which is not in this branch yet: until it
lands, `blocked_people` knows of no block and returns an empty set. Wiring it is its body
becoming `return frozenset(blocked_ids_of(person_id))` (one query; a block holds in every time
bank); nothing else in matching changes, and tests/matching/test_asking.py already proves the
filter with a stand-in for it.
"""

from __future__ import annotations

from dataclasses import replace

from coproduce.matching.scores import Need


def blocked_people(*, timebank_id: int, person_id: int) -> frozenset[int]:
    """The ids of the people `person_id` blocked, or who blocked them, in this time bank. No
    block exists yet (see the module's docstring), so nobody, without a query."""
    del timebank_id, person_id  # read by the one query this becomes when community.Block lands
    return frozenset()


def need_without_blocked(need: Need) -> Need:
    """The need with everyone blocked with its requester left out of the people it may find.
    A request posted by an organisation has no requester to block anyone."""
    if need.requester_id is None:
        return need
    blocked = blocked_people(timebank_id=need.timebank_id, person_id=need.requester_id)
    if not blocked:
        return need
    return replace(need, excluded_people=tuple(sorted({*need.excluded_people, *blocked})))
