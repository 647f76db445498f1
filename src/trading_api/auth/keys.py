"""API keys: 32 random bytes behind a ``tapi_`` prefix, kept only as their SHA-256.

Keys are high-entropy, so a fast hash is enough (a slow password hash protects guessable
secrets); the prefix lets secret scanners recognise a leaked key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_PREFIX = "tapi_"
KEY_BYTES = 32
SHOWN_PREFIX = len(KEY_PREFIX) + 4
"""Characters of a key kept in clear for listings (``tapi_AbC1``), with its last four."""


def generate_key() -> str:
    """A new key: ``tapi_`` and 43 URL-safe characters (32 random bytes)."""
    return KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)


def hash_key(key: str) -> str:
    """Hex SHA-256 of `key`: what the database stores and looks up."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(key: str, stored_sha256: str) -> bool:
    """Whether `key` hashes to `stored_sha256`, compared in constant time."""
    return hmac.compare_digest(hash_key(key), stored_sha256)


def looks_like_key(text: str) -> bool:
    """A cheap shape check before any database work (prefix and a sane length)."""
    return text.startswith(KEY_PREFIX) and len(text) <= 200
