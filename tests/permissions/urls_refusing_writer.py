"""A page that writes a row and then answers 404: what the matrix must catch."""

from django.http import HttpResponseNotFound
from django.urls import path

from coproduce.core.audit import audit_record


def writes_then_refuses(request):
    audit_record(action="matrix.self_test", actor=None, target="nothing")
    return HttpResponseNotFound("No such page.")


urlpatterns = [path("writes-then-refuses/", writes_then_refuses)]
