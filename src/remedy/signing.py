"""Ed25519 signatures for regulator packages (`manifest.json.sig`).

The signing key is a PEM private key (PKCS#8, Ed25519) in the file named by the environment
variable REMEDY_SIGNING_KEY_FILE, optionally encrypted with the passphrase in
REMEDY_SIGNING_KEY_PASSPHRASE. Without it a built-in development key is used: its private
half is in this file, so a development signature proves nothing about who signed, and every
package signed with it is marked as not for submission. `remedy keygen` makes a key pair.

The signing key is a different secret from the pseudonymisation key (REMEDY_EXTRACT_SECRET):
the pseudonymisation key must never leave the data protection officer, while the signing
key's public half is handed to every recipient.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

SIGNING_KEY_ENV = "REMEDY_SIGNING_KEY_FILE"
PASSPHRASE_ENV = "REMEDY_SIGNING_KEY_PASSPHRASE"
ALGORITHM = "Ed25519"
PRIVATE_KEY_NAME = "remedy-signing-key.pem"
PUBLIC_KEY_NAME = "remedy-signing-key.pub.pem"
_DEVELOPMENT_SEED = hashlib.sha256(
    b"remedy development signing key: public, never use for a delivery"
).digest()
SIGNING_HINT = (
    f"create a key pair with `remedy keygen --out DIR`, keep the private key where only the "
    f"extract job can read it, set {SIGNING_KEY_ENV}=DIR/{PRIVATE_KEY_NAME} and give "
    f"DIR/{PUBLIC_KEY_NAME} (or its fingerprint) to every recipient"
)


class SigningKeyError(RuntimeError):
    """No usable signing key, or a key that must not be used."""


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """`sha256:` + the hex SHA-256 of the raw 32-byte public key."""
    return "sha256:" + hashlib.sha256(public_bytes(key)).hexdigest()


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def development_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_DEVELOPMENT_SEED)


DEVELOPMENT_FINGERPRINT = fingerprint(development_private_key().public_key())


@dataclass(frozen=True)
class Signer:
    """A private signing key and where it came from."""

    private_key: Ed25519PrivateKey
    is_development: bool
    source: str

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    def private_encodings(self) -> set[bytes]:
        """The forms in which this key could be mistaken for a text secret."""
        raw = self.private_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return {raw, raw.hex().encode(), base64.b64encode(raw), pem.strip()}


def development_signer() -> Signer:
    return Signer(development_private_key(), True, "built-in development key (public)")


def load_private_key(path: Path, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SigningKeyError(f"cannot read the signing key {path}: {error}") from error
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError) as error:
        raise SigningKeyError(
            f"{path} is not a readable PEM private key ({error}); {SIGNING_HINT}"
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} is not an Ed25519 key; {SIGNING_HINT}")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A PEM public key, or the public half of a PEM private key."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SigningKeyError(f"cannot read the public key {path}: {error}") from error
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as error:
            raise SigningKeyError(f"{path} is not a PEM public key ({error})") from error
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"{path} is not an Ed25519 public key")
    return key


def signer_from_env(production: bool, environ: dict[str, str] | None = None) -> Signer:
    """The signing key named by REMEDY_SIGNING_KEY_FILE, or the development key when allowed.

    `production` refuses the development key, whether it is implied (no variable) or given
    as a file.
    """
    env = environ if environ is not None else os.environ
    location = env.get(SIGNING_KEY_ENV, "")
    if not location:
        if production:
            raise SigningKeyError(f"--production needs a real signing key: {SIGNING_HINT}")
        return development_signer()
    passphrase = env.get(PASSPHRASE_ENV)
    key = load_private_key(Path(location), passphrase.encode() if passphrase else None)
    if fingerprint(key.public_key()) == DEVELOPMENT_FINGERPRINT:
        if production:
            raise SigningKeyError(
                f"{SIGNING_KEY_ENV} holds the built-in development key, which anyone can "
                f"use: {SIGNING_HINT}"
            )
        return development_signer()
    return Signer(key, False, SIGNING_KEY_ENV)


def require_distinct(signer: Signer, pseudonymisation_key: bytes) -> None:
    """Refuse a pseudonymisation secret that is the signing key in any of its encodings."""
    if pseudonymisation_key.strip() in signer.private_encodings():
        raise SigningKeyError(
            "the pseudonymisation secret (REMEDY_EXTRACT_SECRET) is the signing key: they "
            "must be two different secrets (the signing key's public half is given to "
            "every recipient)"
        )


def verify(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class KeyPair:
    private_path: Path
    public_path: Path
    fingerprint: str


def generate_key_pair(out_dir: Path | str, passphrase: bytes | None = None) -> KeyPair:
    """Write a new Ed25519 key pair into out_dir (private key readable by the owner only).

    Never overwrites: an existing key may have signed packages already delivered.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    private_path, public_path = out_dir / PRIVATE_KEY_NAME, out_dir / PUBLIC_KEY_NAME
    for path in (private_path, public_path):
        if path.exists():
            raise SigningKeyError(f"{path} already exists: refusing to overwrite a key")
    key = Ed25519PrivateKey.generate()
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            encryption)
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public_path.write_bytes(public_key_pem(key.public_key()))
    return KeyPair(private_path, public_path, fingerprint(key.public_key()))
