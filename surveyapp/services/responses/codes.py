"""Respondent tokens, continue-later and withdrawal codes, and signed test-mode links.

Tokens and withdrawal codes are never stored, only their SHA-256 (`secret_hash`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from itsdangerous import BadData, URLSafeTimedSerializer

#: Crockford's base32: no I, L, O or U, so a code read aloud or retyped survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 160 random bits per token: 32 characters, shown in groups of four.
TOKEN_BYTES = 20


def new_token() -> str:
    """A fresh respondent token (cookie value and continue-later code): 160 random bits."""
    return code_from_bytes(secrets.token_bytes(TOKEN_BYTES))


def code_from_bytes(data: bytes) -> str:
    """Bytes as a typeable code in Crockford's base32 (tokens, codes, personal links)."""
    standard = base64.b32encode(data).decode("ascii").rstrip("=")
    return standard.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CODE_ALPHABET))


def normalise_code(raw: str | None) -> str | None:
    """A typed or pasted code as a token (case, spaces, dashes and O/I/L slips forgiven)."""
    if not isinstance(raw, str) or len(raw) > 200:
        return None
    text = "".join(raw.split()).replace("-", "").upper()
    text = text.translate(str.maketrans("OIL", "011"))
    if len(text) != 32 or any(ch not in CODE_ALPHABET for ch in text):
        return None
    return text


def format_code(token: str) -> str:
    """A token shown to a person: groups of four characters."""
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


def secret_hash(secret: str) -> str:
    """The stored form of a token or withdrawal code."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def withdrawal_code(token: str, key: bytes) -> str:
    """The withdrawal code of a response, derived from its token with the app's key.

    Derived rather than stored, so the thank-you page can show it again on a reload; the key
    means a leaked continue-later code does not reveal it.
    """
    digest = hmac.new(key, b"withdraw\x1f" + token.encode("ascii"), hashlib.sha256).digest()
    return code_from_bytes(digest[:TOKEN_BYTES])


#: Test-mode links: signed with the app's key under this salt, valid for an hour.
TEST_SALT = "test-mode"
TEST_MAX_AGE = 3600


def issue_test_token(secret: str, slug: str) -> str:
    """A signed, short-lived `?test=` value that starts a test response of survey `slug`."""
    return URLSafeTimedSerializer(secret, salt=TEST_SALT).dumps({"survey": slug})


def verify_test_token(secret: str, slug: str, raw: str | None) -> bool:
    """True when `raw` was issued by `issue_test_token` for `slug` less than an hour ago."""
    if not raw or len(raw) > 500:
        return False
    try:
        data = URLSafeTimedSerializer(secret, salt=TEST_SALT).loads(raw, max_age=TEST_MAX_AGE)
    except BadData:
        return False
    return isinstance(data, dict) and data.get("survey") == slug
