"""Where redrawn photos are kept: through Django's storage API (files under MEDIA_ROOT by
default; any storage backend, S3-style included, in production), each under a fresh random name,
so a photo's address says nothing about whose it is and cannot be guessed. A replaced or removed
photo's file goes once the transaction that replaced it commits, so a rolled-back change never
loses the photo still in use."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

PHOTO_MAX_BYTES = 5 * 1024 * 1024


def photo_store(folder: str, data: bytes) -> str:
    """Keep `data` (a JPEG) under `folder`; returns the stored name."""
    return default_storage.save(f"{folder}/{uuid.uuid4().hex}.jpg", ContentFile(data))


def photo_forget_on_commit(name: str) -> None:
    """Delete a stored photo once the current transaction commits (nothing if there is none)."""
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
