"""Signed exports: `export --sign`, `verify --key`, `keygen`, and interop with the openssl CLI."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.audit_export.canonical import body_bytes, body_sha256, render
from auditor.audit_export.verify import load_document, verify_document
from auditor.kernel.config import LoadedConfig
from auditor.store.engine import make_engine
from tests.auditor.export_support import build_store
from tests.auditor.test_export_cli import auditor

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl CLI")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> LoadedConfig:
    from auditor.kernel.config import load_config

    root = tmp_path_factory.mktemp("signing")
    (root / "auditor.toml").write_text("", encoding="utf-8")
    engine = make_engine(load_config(root / "auditor.toml").store_url)
    try:
        return build_store(engine, root)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def unsigned(workspace: LoadedConfig) -> Path:
    """One unsigned export for the tests that only read or alter it."""
    out = workspace.path.parent / "unsigned.json"
    assert _export(workspace, out).returncode == 0
    return out


def _export(loaded: LoadedConfig, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return auditor(
        "export", "--config", str(loaded.path), "--period", "2026-Q3", "-o", str(out), *args
    )


def _openssl(*args: str) -> bytes:
    return subprocess.run(["openssl", *args], capture_output=True, check=True).stdout


def _rehashed(document: dict, path: Path) -> Path:  # type: ignore[type-arg]
    """The attack the plain hash cannot catch: change a value, write the new hash."""
    document["components"][0]["activity"]["churn"] += 1
    document["integrity"]["sha256"] = body_sha256(document)
    path.write_bytes(render(document))
    return path


def test_keygen_sign_verify_and_every_change_fails(workspace: LoadedConfig, tmp_path: Path) -> None:
    key = tmp_path / "keys" / "signing.pem"
    key.parent.mkdir()
    made = auditor("keygen", str(key))
    assert made.returncode == 0, made.stderr
    public = tmp_path / "keys" / "signing.pub.pem"
    assert key.stat().st_mode & 0o077 == 0  # the private key is the owner's only
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    again = auditor("keygen", str(key))  # never overwrites
    assert again.returncode == 2 and "exists already" in again.stderr

    out = tmp_path / "q3.json"
    written = _export(workspace, out, "--sign", str(key))
    assert written.returncode == 0, written.stderr
    integrity = load_document(out)["integrity"]
    assert set(integrity) == {"sha256", "signature", "key_id"}
    assert integrity["key_id"] in made.stdout

    ok = auditor("verify", str(out), "--key", str(public))
    assert ok.returncode == 0, ok.stderr
    assert f"signature valid, key {integrity['key_id']}" in ok.stdout
    unchecked = auditor("verify", str(out))
    assert unchecked.returncode == 0 and "signature NOT checked" in unchecked.stdout

    rehashed = _rehashed(load_document(out), tmp_path / "rehashed.json")
    assert verify_document(load_document(rehashed)) == []  # the hash alone is fooled
    failed = auditor("verify", str(rehashed), "--key", str(public))
    assert failed.returncode == 1 and "signature mismatch" in failed.stderr

    stripped = load_document(out)
    del stripped["integrity"]["signature"], stripped["integrity"]["key_id"]
    (tmp_path / "stripped.json").write_bytes(render(stripped))
    refused = auditor("verify", str(tmp_path / "stripped.json"), "--key", str(public))
    assert refused.returncode == 1 and "unsigned: integrity only" in refused.stderr

    other = tmp_path / "other.pem"
    assert auditor("keygen", str(other)).returncode == 0
    wrong = auditor("verify", str(out), "--key", str(tmp_path / "other.pub.pem"))
    assert wrong.returncode == 1 and "not with the given key" in wrong.stderr


def test_unsigned_export_says_integrity_only(unsigned: Path) -> None:
    result = auditor("verify", str(unsigned))
    assert result.returncode == 0 and "unsigned: integrity only" in result.stdout


def test_bad_private_key_is_one_line_and_exit_2(workspace: LoadedConfig, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    out = tmp_path / "q3.json"
    result = _export(workspace, out, "--sign", str(garbage))
    assert result.returncode == 2 and "not a PEM private key" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_bad_public_key_is_one_line_and_exit_2(unsigned: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")
    bad_public = auditor("verify", str(unsigned), "--key", str(garbage))
    assert bad_public.returncode == 2 and "not a PEM public key" in bad_public.stderr


@needs_openssl
def test_openssl_keys_sign_and_openssl_verifies(workspace: LoadedConfig, tmp_path: Path) -> None:
    key, public = tmp_path / "ossl.pem", tmp_path / "ossl.pub.pem"
    _openssl("genpkey", "-algorithm", "ed25519", "-out", str(key))
    _openssl("pkey", "-in", str(key), "-pubout", "-out", str(public))
    out = tmp_path / "q3.json"
    assert _export(workspace, out, "--sign", str(key)).returncode == 0
    assert auditor("verify", str(out), "--key", str(public)).returncode == 0

    # The documented recipe: openssl verifies our signature over the canonical body ...
    document = load_document(out)
    (tmp_path / "body.bin").write_bytes(body_bytes(document))
    (tmp_path / "sig.bin").write_bytes(base64.b64decode(document["integrity"]["signature"]))
    verified = _openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", str(public), "-rawin",
        "-in", str(tmp_path / "body.bin"), "-sigfile", str(tmp_path / "sig.bin"),
    )  # fmt: skip
    assert b"Signature Verified Successfully" in verified
    # ... and the key id is the sha256 of the DER public key openssl writes.
    der = _openssl("pkey", "-pubin", "-in", str(public), "-outform", "DER")
    assert document["integrity"]["key_id"] == hashlib.sha256(der).hexdigest()
    # A public key openssl derives from our keygen's private key verifies too.
    ours = tmp_path / "ours.pem"
    assert auditor("keygen", str(ours)).returncode == 0
    derived = tmp_path / "derived.pub.pem"
    _openssl("pkey", "-in", str(ours), "-pubout", "-out", str(derived))
    signed = tmp_path / "ours.json"
    assert _export(workspace, signed, "--sign", str(ours)).returncode == 0
    assert auditor("verify", str(signed), "--key", str(derived)).returncode == 0


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("generated_at", "2026-02-30", "not a real day"),
        ("generated_at", "2026-09-30\n", "trailing newline"),
        ("generated_at", "2025-02-29", "not a leap year"),
        ("policy.sha256", "a" * 64 + "\n", "trailing newline"),
    ],
)
def test_schema_rejects_unreal_dates_and_trailing_newlines(
    unsigned: Path, field: str, value: str, reason: str
) -> None:
    document = load_document(unsigned)
    target = document
    *parents, last = field.split(".")
    for part in parents:
        target = target[part]
    target[last] = value
    document["integrity"]["sha256"] = body_sha256(document)
    problems = verify_document(document)
    assert problems and all(p.startswith(f"schema: $.{field}:") for p in problems), reason


def test_leap_day_is_a_real_day(unsigned: Path) -> None:
    document = load_document(unsigned)
    document["generated_at"] = "2028-02-29"
    document["integrity"]["sha256"] = body_sha256(document)
    assert verify_document(document) == []


def test_version_2_files_still_verify(unsigned: Path) -> None:
    document = load_document(unsigned)
    document["schema_version"] = 2
    del document["coverage"], document["warnings"]  # new in version 3
    document["integrity"]["sha256"] = body_sha256(document)
    assert verify_document(document) == []
