"""Tokens for one-time links (community.PasswordLink): made from the operating system's
randomness, stored only as a SHA-256 hash, and easy to type from a printed letter.

A token is 28 characters from an alphabet without look-alikes (no 0/o, 1/l/i), shown in groups
of four: 28 * log2(31) ≈ 138.7 bits, more than the 128 a guesser would need to beat. Capitals,
spaces and dashes are ignored when it is read back, so a person copying it by hand can get
those wrong and still get in.
"""

from __future__ import annotations

import hashlib
import math
import secrets

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 28
GROUP = 4
BITS = LENGTH * math.log2(len(ALPHABET))


def token_new() -> str:
    """A new token as it is shown: `k3f9-ab2c-…`."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def token_normalised(text: str) -> str | None:
    """The token's characters without the dashes, spaces or capitals a person may add; None for
    text that cannot be a token (so it is never looked up)."""
    raw = "".join(text.split()).replace("-", "").lower()
    if len(raw) != LENGTH or any(char not in ALPHABET for char in raw):
        return None
    return raw


def token_hash(text: str) -> str | None:
    """The SHA-256 hash (hex) a token is stored as; None for text that cannot be a token."""
    raw = token_normalised(text)
    return hashlib.sha256(raw.encode()).hexdigest() if raw is not None else None
