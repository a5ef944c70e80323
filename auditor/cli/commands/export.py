from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from auditor.cli.common import DEFAULT_CONFIG, ConfigOption, app, err, load, out


@app.command()
def export(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The export file to write (JSON).", dir_okay=False),
    ],
    period: Annotated[str | None, typer.Option("--period", help="A quarter, e.g. 2026-Q3.")] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (with --to).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The day the export is issued, YYYY-MM-DD (default: the period's last day); "
            "recorded as generated_at.",
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="Last period's export: findings get new/persisting/resolved.",
            dir_okay=False,
        ),
    ] = None,
    pseudonymize: Annotated[
        bool,
        typer.Option(
            "--pseudonymize",
            help="People as keyed pseudonyms (key from AUDITOR_PSEUDONYM_KEY or --key-file).",
        ),
    ] = False,
    key_file: Annotated[
        Path | None,
        typer.Option("--key-file", help="File holding the pseudonym key.", dir_okay=False),
    ] = None,
    summary: Annotated[
        Path | None,
        typer.Option("--summary", help="Also write a Markdown summary here.", dir_okay=False),
    ] = None,
    sign: Annotated[
        Path | None,
        typer.Option(
            "--sign",
            help="Ed25519 private key (PEM, `auditor keygen` or `openssl genpkey -algorithm "
            "ed25519`): sign the export.",
            dir_okay=False,
        ),
    ] = None,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty",
            help="Write the export even when the period holds no commit (its coverage says so).",
        ),
    ] = False,
    config: ConfigOption = DEFAULT_CONFIG,
) -> None:
    """Write the quarterly audit export (JSON, schema-validated, with an integrity hash)."""
    from auditor.audit_export.build import ExportOptions, export_period
    from auditor.audit_export.canonical import render
    from auditor.audit_export.period import period_from_options
    from auditor.audit_export.pseudonym import Pseudonymizer, load_key
    from auditor.audit_export.signing import load_private_key
    from auditor.audit_export.signing import sign as sign_document
    from auditor.audit_export.summary import render_summary
    from auditor.audit_export.verify import verified
    from auditor.cli.common import parse_as_of
    from auditor.kernel.errors import UsageError
    from auditor.kernel.files import write_atomically
    from auditor.report.display_text import visible
    from auditor.store.engine import make_engine

    span = period_from_options(period, start, end)
    if key_file is not None and not pseudonymize:
        raise UsageError("--key-file is only used with --pseudonymize")
    pseudonymizer = Pseudonymizer(load_key(key_file)) if pseudonymize else None
    signing_key = load_private_key(sign) if sign is not None else None  # before the slow part
    before = verified(previous) if previous is not None else None
    options = ExportOptions(
        period=span,
        as_of=parse_as_of(as_of) if as_of else None,
        pseudonymizer=pseudonymizer,
        previous=before,
        allow_empty=allow_empty,
    )
    loaded = load(config)
    engine = make_engine(loaded.store_url)
    try:
        document = export_period(engine, loaded, options)
    finally:
        engine.dispose()
    if signing_key is not None:
        document = sign_document(document, signing_key)
    write_atomically(output, render(document))
    if summary is not None:
        write_atomically(summary, render_summary(document, before).encode("utf-8"))
    for line in document["warnings"]:
        err.print(f"warning: {visible(line)}", markup=False)
    if document["coverage"]["commits"] == 0:
        err.print(f"warning: {output}: no commits in the period (--allow-empty)", markup=False)
    findings = document["findings"]
    counts = {
        s: sum(1 for f in findings if f["status"] == s) for s in ("new", "persisting", "resolved")
    }
    out.print(
        f"wrote {output}: {span.start} – {span.end}, {len(document['components'])} components, "
        f"{len(findings)} findings ({counts['new']} new, {counts['persisting']} persisting, "
        f"{counts['resolved']} resolved), sha256 {document['integrity']['sha256']}"
        + (f", signed by key {document['integrity']['key_id']}" if signing_key else ""),
        markup=False,
        soft_wrap=True,
    )
