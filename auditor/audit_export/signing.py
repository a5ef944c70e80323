"""Ed25519 signatures over an export's canonical body, and the keys that make them.

`integrity.sha256` only shows that the body matches the hash written beside
it: whoever edits the file can write the new hash too. A signature made with
a private key that only the exporting job holds cannot be recomputed that way.
It signs the same bytes the hash covers (the canonical JSON of the document
without `integrity`, see `auditor.audit_export.canonical`), so any change of any
value, re-hashed or not, fails verification with the public key.

Keys are the PEM files OpenSSL writes: `openssl genpkey -algorithm ed25519`
(PKCS#8 private key) and `openssl pkey -pubout` (SubjectPublicKeyInfo public
key). `key_id` is the sha256 of the public key's DER SubjectPublicKeyInfo,
`openssl pkey -pubin -in pub.pem -outform DER | sha256sum`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.audit_export.canonical import body_bytes
from auditor.kernel.errors import ExportError, UsageError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

# cryptography (~0.02 s to import) is imported by the functions that use a key: `auditor
# verify` of an unsigned export without --key needs none.

MAX_KEY_BYTES = 64 * 1024  # an Ed25519 PEM is about 120 bytes
UNSIGNED = "unsigned: integrity only"


def _read_key_file(path: Path, option: str) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read the key: {exc.strerror}", location=str(path)) from exc
    if len(data) > MAX_KEY_BYTES:
        raise UsageError("not a PEM key (too large)", location=str(path), field=option)
    return data


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """An unencrypted Ed25519 private key in PEM (`openssl genpkey -algorithm ed25519`)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = _read_key_file(path, "--sign")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError as exc:  # encrypted, and we were given no password
        raise UsageError(
            "the signing key is encrypted; give the job an unencrypted key file from its "
            "secret store",
            location=str(path),
            field="--sign",
        ) from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise UsageError(
            "not a PEM private key (write one with `auditor keygen` or "
            "`openssl genpkey -algorithm ed25519`)",
            location=str(path),
            field="--sign",
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(
            f"the signing key is {type(key).__name__.removeprefix('_')}, not Ed25519",
            location=str(path),
            field="--sign",
        )
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key in PEM (`openssl pkey -pubout`, or `auditor keygen`'s .pub.pem)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    data = _read_key_file(path, "--key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise UsageError(
            "not a PEM public key (`openssl pkey -in KEY.pem -pubout` writes one)",
            location=str(path),
            field="--key",
        ) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise UsageError("the public key is not Ed25519", location=str(path), field="--key")
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def private_pem(key: Ed25519PrivateKey) -> bytes:
    """PKCS#8 PEM, unencrypted: the form `openssl genpkey -algorithm ed25519` writes."""
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def key_id(key: Ed25519PublicKey) -> str:
    """sha256 hex of the public key's DER SubjectPublicKeyInfo."""
    from cryptography.hazmat.primitives import serialization

    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def sign(document: Mapping[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """`document` (sealed) with `integrity.signature` and `integrity.key_id` added."""
    signature = key.sign(body_bytes(document))
    signed = dict(document)
    signed["integrity"] = {
        **document["integrity"],
        "signature": base64.b64encode(signature).decode("ascii"),
        "key_id": key_id(key.public_key()),
    }
    return signed


def signature_problems(document: Mapping[str, Any], key: Ed25519PublicKey | None) -> list[str]:
    """Why the signature does not hold for `key` (empty when it does, or when no key is given).

    An unsigned file is a problem only when a key is given: whoever asks for a
    signature must not be satisfied by a file whose signature was stripped.
    """
    integrity = document.get("integrity")
    recorded = integrity if isinstance(integrity, Mapping) else {}
    signature, recorded_id = recorded.get("signature"), recorded.get("key_id")
    if signature is None and recorded_id is None:
        return [f"{UNSIGNED}, but --key asks for a signature"] if key is not None else []
    if key is None:
        return []
    from cryptography.exceptions import InvalidSignature

    expected = key_id(key)
    if recorded_id != expected:
        return [f"signed with key {recorded_id!r}, not with the given key {expected}"]
    if not isinstance(signature, str):
        return ["integrity.signature is not a base64 string"]
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return ["integrity.signature is not valid base64"]
    try:
        key.verify(raw, body_bytes(document))
    except InvalidSignature:
        return ["signature mismatch: the body is not what the key signed (the file was changed)"]
    except ExportError as exc:  # no canonical form: the hash check says so too
        return [f"signature not checked: {exc}"]
    return []


def signature_status(document: Mapping[str, Any], key: Ed25519PublicKey | None) -> str:
    """One phrase for the OK line: who signed, and whether that was checked."""
    integrity = document.get("integrity")
    recorded = integrity if isinstance(integrity, Mapping) else {}
    if recorded.get("signature") is None:
        return UNSIGNED
    if key is None:
        return f"signed by key {recorded.get('key_id')}, signature NOT checked (no --key)"
    return f"signature valid, key {recorded.get('key_id')}"
