from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from auditor.cliapp import (
    DEFAULT_CONFIG,
    AsOfOption,
    ConfigOption,
    TextOrJson,
    app,
    load,
    out,
    parse_as_of,
)

if TYPE_CHECKING:
    from rich.table import Table


@app.command()
def people(
    config: ConfigOption = DEFAULT_CONFIG,
    as_of: AsOfOption = None,
    format: Annotated[
        TextOrJson, typer.Option("--format", "-f", help="text (a table) or json.")
    ] = TextOrJson.text,
) -> None:
    """Each person: identities, resolved locations with their evidence, activity."""
    import json

    from auditor.people_report import people_report
    from auditor.resolve import resolve_all
    from auditor.store import make_engine

    day = parse_as_of(as_of)
    loaded = load(config)
    engine = make_engine(loaded.store_url)
    try:
        resolve_all(engine, loaded, day)
        report = people_report(engine, day)
    finally:
        engine.dispose()
    if format is TextOrJson.json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    out.print(people_table(report))


def people_table(report: dict[str, Any]) -> Table:
    """The text report: untrusted names, e-mails and evidence values shown as plain text."""
    from rich.table import Table
    from rich.text import Text

    from auditor.safe_text import plain

    table = Table(title=f"People as of {report['as_of']}", title_justify="left")
    # all time up to --as-of (the TUI's People screen counts the policy window only)
    activity = ("commits (all time)", "churn (all time)")
    for column in ("person", "e-mails", *activity, "location", "evidence"):
        table.add_column(column, justify="right" if column in activity else "left")
    for person in report["people"]:
        name = plain(person["name"])
        if person["bot"]:
            name.append(" (bot)", style="dim")
        locations = Text()
        evidence = Text()
        for index, loc in enumerate(person["locations"]):
            if index:
                locations.append("\n")
                evidence.append("\n")
            span = f"{loc['from'] or '…'} – {loc['to'] or '…'}"
            # a candidate set is read by its zone pattern ("EET with EU DST")
            pattern = (
                f" · {loc['zone_pattern']}"
                if loc.get("zone_pattern") and not loc["country"]
                else ""
            )
            locations.append_text(plain(f"{_where(loc)}{pattern} {loc['confidence']:.2f}  {span}"))
            evidence.append_text(plain(", ".join(sorted({s["kind"] for s in loc["sources"]}))))
        if not person["locations"]:
            locations.append("unknown", style="dim")
        for conflict in person["conflicts"]:
            locations.append("\n")
            locations.append("conflict: ", style="bold red")
            locations.append_text(plain(conflict["description"]))
        table.add_row(
            name,
            Text("\n").join(plain(e) for e in person["emails"]),
            str(person["commits"]),
            str(person["churn"]),
            locations,
            evidence,
        )
    return table


def _where(loc: dict[str, Any]) -> str:
    if loc["country"]:
        return str(loc["country"])
    candidates = loc["candidates"]
    if not candidates:
        return "unknown"
    shown = ", ".join(candidates[:6]) + (", …" if len(candidates) > 6 else "")
    return "{" + shown + "}"
