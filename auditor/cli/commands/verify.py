from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from auditor.cli.common import app, err, out


@app.command()
def verify(
    file: Annotated[
        Path, typer.Argument(help="An export written by `auditor export`.", dir_okay=False)
    ],
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            help="The signer's Ed25519 public key (PEM): the file must carry its valid signature.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Check an export's hash, signature and schema: exit 0 when it verifies, 1 when not."""
    from auditor.audit_export.signing import load_public_key, signature_status
    from auditor.audit_export.verify import load_document, verify_document
    from auditor.report.display_text import visible

    public = load_public_key(key) if key is not None else None  # unreadable key: exit 2
    document = load_document(file)  # unreadable: ExportError, exit 2
    problems = verify_document(document, public)
    if problems:
        for problem in problems:
            err.print(f"{visible(file)}: FAILED: {visible(problem)}", markup=False, soft_wrap=True)
        raise typer.Exit(1)
    period = document["period"]
    out.print(
        f"{visible(file)}: OK: schema version {document['schema_version']}, "
        f"{period['start']} – {period['end']}, sha256 {document['integrity']['sha256']}; "
        f"{signature_status(document, public)}",
        markup=False,
        soft_wrap=True,
    )
