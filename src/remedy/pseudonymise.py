"""Keyed pseudonyms for identifiers that leave the warehouse (HMAC-SHA256).

The key comes from the environment variable REMEDY_EXTRACT_SECRET. Without it a built-in
development key is used, and everything written with it is marked as not for submission:
anyone can recompute development pseudonyms, so they protect nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

SECRET_ENV = "REMEDY_EXTRACT_SECRET"
MIN_SECRET_LENGTH = 32
DEVELOPMENT_KEY = b"remedy development key: public, never use for a delivery"
PSEUDONYM_HEX_CHARS = 32
SECRET_HINT = (
    f"set {SECRET_ENV} to a secret of at least {MIN_SECRET_LENGTH} characters kept by the "
    f"data protection officer, e.g. export {SECRET_ENV}=\"$(python -c 'import secrets; "
    "print(secrets.token_hex(32))')\" (the same secret gives the same pseudonyms in every "
    "delivery)"
)


class SecretError(RuntimeError):
    """No usable production secret."""


@dataclass(frozen=True)
class Pseudonymiser:
    key: bytes
    is_development: bool

    @property
    def key_id(self) -> str:
        """Identifies the key (not reversible): equal key ids mean linkable pseudonyms."""
        return hmac.new(self.key, b"remedy key id", hashlib.sha256).hexdigest()[:16]

    def pseudonym(self, domain: str, value: str | None) -> str | None:
        """HMAC-SHA256 of `domain NUL value`, first 32 hex characters; None stays None.

        The domain keeps a line id and a customer id with the same text apart.
        """
        if value is None:
            return None
        message = domain.encode() + b"\x00" + str(value).encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]


def pseudonymiser_from_env(
    production: bool, environ: dict[str, str] | None = None
) -> Pseudonymiser:
    """The production key from the environment, or the development key when allowed."""
    secret = (environ if environ is not None else os.environ).get(SECRET_ENV, "")
    if secret:
        if len(secret) < MIN_SECRET_LENGTH:
            raise SecretError(f"{SECRET_ENV} is too short: {SECRET_HINT}")
        return Pseudonymiser(secret.encode(), is_development=False)
    if production:
        raise SecretError(f"--production needs a real pseudonymisation key: {SECRET_HINT}")
    return Pseudonymiser(DEVELOPMENT_KEY, is_development=True)
