"""Personal links: one unguessable token per contact, and the response key derived from it.

The token is `HMAC(secret, link_key)` (160 bits, Crockford base32): the contact row keeps the
random `link_key` (so a reminder can carry the same link) and the SHA-256 of the token (to find
the contact when the link is opened); it never keeps the token. The response opened through the
link gets the token `HMAC(secret, "response" | token)` as its own, stored only hashed like any
respondent token. Reopening the link therefore finds the same response (one response per
contact, resumable from the mail), while neither table holds anything the other holds: the
database alone, or an export, cannot join a contact to a response.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from surveyapp.services.responses import TOKEN_BYTES, code_from_bytes, normalise_code, secret_hash


def new_link_key() -> str:
    """A random per-contact key (stored)."""
    return secrets.token_hex(32)


def link_token(link_key: str, secret: bytes) -> str:
    """The token of a contact's personal link (never stored)."""
    digest = hmac.new(secret, b"invite\x1f" + link_key.encode("ascii"), hashlib.sha256).digest()
    return code_from_bytes(digest[:TOKEN_BYTES])


def response_token(token: str, secret: bytes) -> str:
    """The respondent token of the response a personal link opens."""
    digest = hmac.new(secret, b"response\x1f" + token.encode("ascii"), hashlib.sha256).digest()
    return code_from_bytes(digest[:TOKEN_BYTES])


def token_hash(token: str) -> str:
    """What the contact row keeps of its token."""
    return secret_hash(token)


def parse_token(raw: str | None) -> str | None:
    """A token from a URL (case and dashes forgiven), or None."""
    return normalise_code(raw)
