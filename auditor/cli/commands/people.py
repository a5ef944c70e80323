from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from auditor.cli.common import (
    DEFAULT_CONFIG,
    AsOfOption,
    ConfigOption,
    TextOrJson,
    app,
    err,
    load,
    out,
    parse_as_of,
)
from auditor.kernel.errors import UsageError

if TYPE_CHECKING:
    from rich.table import Table


@app.command()
def people(
    config: ConfigOption = DEFAULT_CONFIG,
    as_of: AsOfOption = None,
    format: Annotated[
        TextOrJson, typer.Option("--format", "-f", help="text (a table) or json.")
    ] = TextOrJson.text,
    person: Annotated[
        str | None,
        typer.Option("--person", help="Only people whose name or an e-mail contains TEXT."),
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(
            "--country",
            help="Only people located in CC, or with CC among their candidate countries.",
        ),
    ] = None,
    tier: Annotated[
        str | None,
        typer.Option(
            "--tier",
            help="Only people whose location as of --as-of has tier T "
            "(high, elevated, ambiguous, trusted, other, unknown).",
        ),
    ] = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details", help="Every identity, location period and evidence kind (long form)."
        ),
    ] = False,
) -> None:
    """Each person on one line (commits, location, tier, confidence, conflicts), or --details."""
    import json

    from auditor.evaluate.coverage import window_coverage
    from auditor.report.display_text import visible
    from auditor.resolve.pipeline import resolve_all
    from auditor.store import warnings as run_warnings
    from auditor.store.engine import make_engine
    from auditor.views.common import TIERS
    from auditor.views.people_report import PeopleFilter, filter_report, people_report

    day = parse_as_of(as_of)
    if tier is not None and tier not in TIERS:
        raise UsageError(f"--tier wants one of {', '.join(TIERS)}, got {tier!r}")
    if country is not None and not (len(country) == 2 and country.isalpha()):
        raise UsageError(f"--country wants a two-letter country code, got {country!r}")
    loaded = load(config)
    engine = make_engine(loaded.store_url)
    try:
        resolution = resolve_all(engine, loaded, day)
        text = format is TextOrJson.text
        report = people_report(engine, day, resolution.id, patterns=text)
        coverage = window_coverage(engine, loaded, day)
        warnings = run_warnings.read(engine, resolution.id)
    finally:
        engine.dispose()
    # On stderr: the JSON on stdout keeps to its contract.
    if coverage.git_sources == 0:
        err.print("warning: no [[git]] source is configured: no commit activity", markup=False)
    elif coverage.commits == 0:
        err.print("warning: no commits are collected (run `auditor collect`)", markup=False)
    for line in warnings:
        err.print(f"warning: {visible(line)}", markup=False)
    tier_of = loaded.config.jurisdictions.tier
    report = filter_report(report, PeopleFilter(person, country, tier), tier_of)
    if format is TextOrJson.json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    table = people_table(report, tier_of) if details else people_lines(report, tier_of, out.width)
    out.print(table)


def people_lines(
    report: dict[str, Any], tier_of: Callable[[str], str | None], width: int = 80
) -> Table:
    """One line per person: what is known of them as of the report's day, at a glance."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from auditor.kernel.wording import counted, percent
    from auditor.report.display_text import plain
    from auditor.resolve.locations.summary import fit_summary, summarize_candidates
    from auditor.views.common import display_tier
    from auditor.views.people_report import current_location

    people = report["people"]
    table = Table(
        title=f"{counted(len(people), 'person')} as of {report['as_of']}"
        " (commits: all time; location: on that day; conf. = confidence)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    # the short columns keep their width; location, then the name, get the rest (an
    # ellipsis marks a cut): one line per person on 80 columns too
    room = max(40, width - 30 - 2 * 5)  # the fixed columns and the gaps between the six
    location_width = min(48, max(28, room * 3 // 5))
    table.add_column("person", no_wrap=True, overflow="ellipsis", max_width=room - location_width)
    table.add_column("commits", justify="right", no_wrap=True, min_width=7)
    table.add_column("location", no_wrap=True, overflow="ellipsis", max_width=location_width)
    table.add_column("tier", no_wrap=True, min_width=9)
    table.add_column("conf.", justify="right", no_wrap=True, min_width=5)
    table.add_column("conflicts", justify="right", no_wrap=True, min_width=9)
    for entry in people:
        loc = current_location(entry, report["as_of"])
        name = plain(entry["name"])
        if entry["bot"]:
            name.append(" (bot)", style="dim")
        if loc is None:
            where, tier, confidence = "unknown", "unknown", ""
        else:
            where = loc["country"] or fit_summary(
                summarize_candidates(loc["candidates"], tier_of, loc.get("pattern")),
                location_width,
            )
            tier = display_tier(tier_of, loc["country"], loc["candidates"])
            confidence = percent(loc["confidence"])
        table.add_row(
            name,
            str(entry["commits"]),
            plain(where),
            Text("bot" if entry["bot"] else tier),
            confidence,
            str(len(entry["conflicts"])) if entry["conflicts"] else "",
        )
    return table


def people_table(report: dict[str, Any], tier_of: Callable[[str], str | None]) -> Table:
    """The text report: untrusted names, e-mails and evidence values shown as plain text."""
    from rich.table import Table
    from rich.text import Text

    from auditor.kernel.wording import counted
    from auditor.report.display_text import plain

    table = Table(
        title=f"{counted(len(report['people']), 'person')} as of {report['as_of']}",
        title_justify="left",
    )
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
            locations.append_text(plain(f"{_where(loc, tier_of)} {loc['confidence']:.2f}  {span}"))
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


def _where(loc: dict[str, Any], tier_of: Callable[[str], str | None]) -> str:
    from auditor.resolve.locations.summary import summarize_candidates

    if loc["country"]:
        return str(loc["country"])
    return summarize_candidates(
        loc["candidates"], tier_of, loc.get("pattern") or loc.get("zone_pattern")
    )
