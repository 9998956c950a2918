"""My notices, as on /notifications/: newest first (not those of new messages, which are read
by opening their conversation), and marking them all read. Only the token's person's, in the
token's time bank (and those of no time bank)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from ninja import Field as F
from ninja import Query, Router, Schema

from coproduce.api.auth import caller
from coproduce.api.idempotency import write_operation
from coproduce.api.pagination import CursorPage, CursorParams, newest_first, page_of
from coproduce.api.schemas import responses
from coproduce.core.models import Notification
from coproduce.members.notices import notifications_for, notifications_mark_all_read

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    kind: str
    message: str
    url: str = F(description="A path on this site it is about; blank if none.")
    created_at: datetime
    read_at: datetime | None


class NotificationPage(CursorPage):
    items: list[NotificationOut]
    unread: int = F(description="How many of all my notices are unread.")


class MarkedOut(Schema):
    marked: int = F(description="How many were unread and are now read.")


def _out(notice: Notification) -> NotificationOut:
    # Links are written by our own services; only a path on this site is given.
    url = notice.url if url_has_allowed_host_and_scheme(notice.url, allowed_hosts=set()) else ""
    return NotificationOut(
        kind=notice.kind,
        message=notice.message,
        url=url,
        created_at=notice.created_at,
        read_at=notice.read_at,
    )


@router.get(
    "/notifications",
    response=responses({200: NotificationPage}, 400, 422),
    summary="My notices, newest first",
)
def notification_list(request: HttpRequest, params: Query[CursorParams]) -> NotificationPage:
    who = caller(request)
    mine = notifications_for(person=who.person, timebank=who.timebank)
    rows, next_cursor = page_of(mine, newest_first(), params)
    unread = mine.filter(read_at__isnull=True).count()
    return NotificationPage(
        items=[_out(row) for row in rows],
        limit=params.limit,
        next_cursor=next_cursor,
        unread=unread,
    )


@write_operation(
    router,
    "/notifications/read",
    response={200: MarkedOut},
    summary="Mark all my notices read",
)
def notifications_read(request: HttpRequest) -> MarkedOut:
    who = caller(request)
    return MarkedOut(marked=notifications_mark_all_read(person=who.person, timebank=who.timebank))
