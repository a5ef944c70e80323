from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from auditor.cliapp import app, err, out


@app.command()
def verify(
    file: Annotated[
        Path, typer.Argument(help="An export written by `auditor export`.", dir_okay=False)
    ],
) -> None:
    """Check an export's integrity hash and schema: exit 0 when it verifies, 1 when not."""
    from auditor.export.verify import load_document, verify_document
    from auditor.safe_text import visible

    document = load_document(file)  # unreadable: ExportError, exit 2
    problems = verify_document(document)
    if problems:
        for problem in problems:
            err.print(f"{visible(file)}: FAILED: {visible(problem)}", markup=False, soft_wrap=True)
        raise typer.Exit(1)
    period = document["period"]
    out.print(
        f"{visible(file)}: OK: schema version {document['schema_version']}, "
        f"{period['start']} – {period['end']}, sha256 {document['integrity']['sha256']}",
        markup=False,
        soft_wrap=True,
    )
