"""Writing a signing key pair: the private key readable by its owner only, nothing overwritten."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auditor.audit_export.signing import key_id, private_pem, public_pem
from auditor.kernel.errors import UsageError


def public_path(private: Path) -> Path:
    """`signing.pem` -> `signing.pub.pem`; other names get `.pub.pem` appended."""
    stem = private.name.removesuffix(".pem")
    return private.with_name(f"{stem}.pub.pem")


def write_key_pair(private: Path) -> tuple[Path, str]:
    """Write a new key pair at `private` and `public_path(private)`; (public path, key id).

    Neither file may exist: overwriting a signing key would orphan every
    export signed with it. The private key is created with mode 0600 before a
    byte is written, so it is never readable by others, even briefly.
    """
    public = public_path(private)
    for path in (private, public):
        if path.exists() or path.is_symlink():
            raise UsageError("exists already; keygen never overwrites a key", location=str(path))
    key = Ed25519PrivateKey.generate()
    _create(private, private_pem(key), 0o600)
    try:
        _create(public, public_pem(key.public_key()), 0o644)
    except UsageError:
        private.unlink(missing_ok=True)
        raise
    return public, key_id(key.public_key())


def _create(path: Path, data: bytes, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    except OSError as exc:
        raise UsageError(f"cannot create: {exc.strerror}", location=str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise UsageError(f"cannot write: {exc.strerror}", location=str(path)) from exc
