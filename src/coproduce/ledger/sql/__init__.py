"""The SQL that matters, kept whole: each version of PostgreSQL's one-round-trip posting function
(`ledger_transfer_post`) in its own file, so the ledger's hot path reads in one place. The
migration that installs a version reads its file, and its reverse reads the version before."""

from __future__ import annotations

from importlib.resources import files


def read(name: str) -> str:
    """The text of one file beside this module, e.g. `read("transfer_post_v3.sql")`."""
    return files(__package__).joinpath(name).read_text(encoding="utf-8")
