"""The static files' storage: whitenoise's hashed, compressed copies, each address looked up once.

`{% static %}` asks the storage for a file's address on every page (eight files in the base
template). The manifest storage answers each by parsing the name and looking it up in the
manifest, about 20 µs (issue 17, benchmarks/BENCHMARKS.md "Round 19"); the answer is the same
until the manifest changes, so it is kept in a table per process. The table is emptied whenever
the manifest is rewritten (`collectstatic` in the same process); a new manifest on disk is
read, as before, by a new process.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class KeptStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str | None, bool, bool], str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        # DEBUG gives the unhashed address: part of the key, as a test may turn it on.
        key = (name, force, settings.DEBUG)
        url = self._urls.get(key)
        if url is None:
            url = self._urls[key] = super().url(name, force)
        return url

    def post_process(self, *args: Any, **kwargs: Any) -> Any:
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()  # the manifest was rewritten
