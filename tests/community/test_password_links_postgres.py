"""One-time links under real concurrent transactions on PostgreSQL: ezra's letter was copied, and
two people open the link and choose a password at the same moment. Only one of them gets in."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from coproduce.community import services
from coproduce.community.models import Membership, PasswordLink
from coproduce.core.errors import NotFound
from coproduce.core.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_people_using_one_link_at_once_cannot_both_choose_the_password(carol, ezra):
    membership = Membership.objects.get(person=ezra)
    _link, token = services.password_link_create(membership=membership, acting=carol)
    start = threading.Barrier(4)
    chosen: list[str] = []
    refused: list[NotFound] = []

    def use(n: int) -> None:
        password = f"river walk number {n}"
        try:
            start.wait()
            services.password_link_use(token=token, password=password)
            chosen.append(password)
        except NotFound as exc:
            refused.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=use, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request is stuck"
    assert len(chosen) == 1 and len(refused) == 3
    ezra.refresh_from_db()
    assert ezra.check_password(chosen[0])
    assert PasswordLink.objects.get().used_at is not None
    assert AuditEvent.objects.filter(action="person.password_link_used").count() == 1
