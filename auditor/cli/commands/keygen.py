from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from auditor.cli.common import app, out


@app.command()
def keygen(
    private: Annotated[
        Path,
        typer.Argument(
            help="Where to write the private key (PEM); the public key goes beside it as "
            "NAME.pub.pem.",
            dir_okay=False,
        ),
    ],
) -> None:
    """Write an Ed25519 key pair for `auditor export --sign` and `auditor verify --key`."""
    from auditor.audit_export.keyfiles import write_key_pair
    from auditor.report.display_text import visible

    public, key_id = write_key_pair(private)
    out.print(
        f"wrote {visible(private)} (private, keep it in the exporting job's secret store) and "
        f"{visible(public)} (public, give it to auditors); key id {key_id}",
        markup=False,
        soft_wrap=True,
    )
