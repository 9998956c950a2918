"""What every page needs to know: the time bank the person is working in."""

from __future__ import annotations

from django.http import HttpRequest


def current_timebank(request: HttpRequest) -> dict[str, object]:
    return {"current_timebank": getattr(request, "timebank", None)}
