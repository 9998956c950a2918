"""Who the session says is signed in, read by SQL kept once per process (issue 17).

Django's `ModelBackend.get_user` builds and compiles `Person.objects.get(pk=…)` on every signed-in
request: 5% of the load mix's CPU, a tenth of it the query itself (benchmarks/BENCHMARKS.md,
"Round 19"). `PersonBackend` is Django's `ModelBackend` with that one read kept
(`core.kept_query`): the same columns, the same `user_can_authenticate` check, and Django's own
`auth.get_user` around it, which still checks the session's password hash. It is first in
`AUTHENTICATION_BACKENDS` and every sign-in names it (`PERSON_BACKEND`); Django's `ModelBackend`
stays second, so sessions that name it (signed in before it came) stay signed in.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from coproduce.community.models import Person
from coproduce.core.kept_query import KeptQuery

PERSON_BACKEND = "coproduce.community.authentication.PersonBackend"


def _person_by_id(person_id: int) -> QuerySet[Person]:
    # What `ModelBackend.get_user` asks: every column of the person with that key.
    return Person._default_manager.filter(pk=person_id)


_person: KeptQuery[Person] = KeptQuery(Person, _person_by_id, ids=("person_id",))


class PersonBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Person | None:
        person = super().authenticate(request, username=username, password=password, **kwargs)
        if person is None:
            # No one with that username and password: refused outright (Django's protocol for
            # "stop here"), or Django's ModelBackend, next in the list, would check the same
            # password again and hash it a second time.
            raise PermissionDenied
        return person

    def get_user(self, user_id: Any) -> Person | None:
        found = _person(person_id=user_id)
        if not found:
            return None
        person = found[0]
        return person if self.user_can_authenticate(person) else None
