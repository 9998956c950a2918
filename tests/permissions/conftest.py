"""The permission matrix's world, built once per module inside a transaction that is rolled
back when the module is done, so the rest of the suite never sees it."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction
from django.test import override_settings

from tests.permissions.matrix import Asker
from tests.permissions.world import World, build


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ):
            built = build()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def asker(world: World, tmp_path_factory):
    # Thousands of expected 404s and 405s would each be logged as a warning and captured.
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    # The API's photo uploads store a picture before the savepoint is rolled back.
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield Asker(world)
    quiet.setLevel(level)
