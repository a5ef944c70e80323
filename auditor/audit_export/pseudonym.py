"""Keyed pseudonyms for people in audit exports.

A pseudonym is HMAC-SHA256(key, purpose + value), shortened: without the key
nobody can recompute it from a name or e-mail (unlike a plain hash, which a
list of employee names would reverse), and with the same key the same person
gets the same pseudonym in every quarter, so trends stay comparable.

`key_id` identifies the key without revealing it, so an auditor can see that
two exports were pseudonymized with the same key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from auditor.kernel.errors import UsageError

KEY_ENV = "AUDITOR_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16


class Pseudonymizer:
    """Stable keyed pseudonyms: `person("alice@corp.example") -> "P-3f9a…"`."""

    def __init__(self, key: bytes):
        if len(key) < MIN_KEY_BYTES:
            raise UsageError(
                f"the pseudonym key has {len(key)} bytes; use at least {MIN_KEY_BYTES} "
                "(e.g. `openssl rand -hex 32`)"
            )
        self._key = key

    def _mac(self, purpose: str, value: str) -> str:
        message = f"{purpose}\x1f{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def person(self, person_key: str) -> str:
        """The pseudonym of a person, from their stable key (lower-cased e-mail or account)."""
        return "P-" + self._mac("person", person_key)[:16]

    def rekeyed_fingerprint(self, fingerprint: str) -> str:
        """A finding fingerprint re-keyed: the plain one hashes the subject's name."""
        return self._mac("finding", fingerprint)

    @property
    def key_id(self) -> str:
        return self._mac("key-id", "auditor")[:16]


def load_key(key_file: Path | None = None, environ: dict[str, str] | None = None) -> bytes:
    """The key from `key_file` (surrounding whitespace dropped) or `AUDITOR_PSEUDONYM_KEY`."""
    if key_file is not None:
        try:
            key = key_file.read_bytes().strip()
        except OSError as exc:
            raise UsageError(
                f"cannot read the pseudonym key file: {exc.strerror}", field="--key-file"
            ) from exc
        if not key:
            raise UsageError("the pseudonym key file is empty", location=str(key_file))
        return key
    env = os.environ if environ is None else environ
    value = env.get(KEY_ENV, "").strip()
    if not value:
        raise UsageError(f"--pseudonymize needs a key: set {KEY_ENV} or pass --key-file FILE")
    return value.encode("utf-8")
