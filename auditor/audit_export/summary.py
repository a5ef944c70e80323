"""The Markdown summary that goes with an export: for people, not for machines.

Headline figures of the period, the sensitive components' jurisdiction
shares (a table, and a Mermaid chart of churn by tier against the previous
export, `auditor.audit_export.chart`), the top findings and the change since the
previous export. Every
value that came from a repository or an export (names, messages, component
names) is escaped, so it shows as the literal text and never as Markdown,
HTML or a terminal control sequence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from auditor.audit_export.chart import churn_charts
from auditor.kernel.enums import Severity
from auditor.kernel.findings import severity_rank
from auditor.report.display_text import visible
from auditor.resolve.locations.summary import summarize_candidates

TOP_FINDINGS = 10
_BREAKS = re.compile(r"[\r\n\t\u2028\u2029]+")
# Values never start a line, so only inline syntax needs escaping (emphasis, code, links,
# images, tables, HTML, entities, strikethrough, autolinks).
_SPECIAL = re.compile(r"([\\`*_\[\]()#!|<>~&])")


def md(value: object) -> str:
    """`value` as literal Markdown on one line: line breaks as spaces, controls visible."""
    text = visible(_BREAKS.sub(" ", "" if value is None else str(value)))
    return _SPECIAL.sub(r"\\\1", text)


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _interval(low: float, high: float) -> str:
    return _pct(low) if abs(high - low) < 1e-9 else f"{_pct(low)} – {_pct(high)}"


def render_summary(document: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> str:
    period = document["period"]
    tool = document["tool"]
    findings = document["findings"]
    current = [f for f in findings if f["status"] != "resolved"]
    components = document["components"]
    sensitive = set(document["policy"]["settings"].get("sensitive", ("critical", "high")))
    people = document["people"]
    lines = [
        f"# Provenance audit {period['start']} – {period['end']}",
        "",
        f"As of {document['generated_at']}, written by {md(tool['name'])} {md(tool['version'])}.  ",
        f"Integrity sha256 `{document['integrity']['sha256']}`; "
        f"policy sha256 `{document['policy']['sha256']}`.",
        "",
        *_windows(period, document["policy"].get("window")),
        "",
        "## Headline figures",
        "",
    ]
    commits = sum(s["commits_in_period"] or 0 for s in document["sources"])
    churn = sum(c["activity"]["churn"] for c in components)
    by_severity = Counter(f["severity"] for f in current)
    statuses = Counter(f["status"] for f in findings)
    waived = sum(1 for f in current if f["waiver"])
    expired = [w for w in document["waivers"] if w["expired"]]
    lines += [
        f"- Components: {len(components)}, of which sensitive: "
        f"{sum(1 for c in components if c['sensitivity'] in sensitive)}",
        f"- Commits in the period: {commits}; churn on mapped paths: {churn}",
        f"- People active: {len(people['entries'])}"
        + (" (pseudonymized)" if people["pseudonymized"] else ""),
        f"- Findings: {len(current)} ("
        + ", ".join(f"{s} {by_severity[s]}" for s in Severity if by_severity[s])
        + (")" if current else "none)"),
        f"- Against the previous export: {statuses['new']} new, "
        f"{statuses['persisting']} persisting, {statuses['resolved']} resolved",
        f"- Waived findings: {waived}; expired waivers: {len(expired)}",
        "",
        f"## Sensitive components (period {period['start']} – {period['end']})",
        "",
    ]
    names = {p["id"]: p.get("name") or p["id"] for p in people["entries"]}
    chosen = [c for c in components if c["sensitivity"] in sensitive]
    tiers = {j["country"]: j["tier"] for j in document["policy"]["jurisdictions"]}
    lines += _component_table(chosen, previous, names, tiers.get)
    charts = churn_charts(chosen, period, previous)
    if charts:
        lines += ["", "### Churn by jurisdiction tier", "", *charts]
    window = document["policy"].get("window")
    lines += ["", "## Top findings" + (f" (policy window {_span(window)})" if window else ""), ""]
    top = sorted(current, key=lambda f: (severity_rank(f["severity"]), f["rule"]))[:TOP_FINDINGS]
    if not top:
        lines.append("No findings in this period.")
    for number, item in enumerate(top, start=1):
        flags = [item["status"]] + (["waived"] if item["waiver"] else [])
        lines.append(
            f"{number}. **{item['severity']}** {md(item['rule'])} · "
            f"{md(item['component'] or '(no component)')} · {', '.join(flags)}: "
            f"{md(item['message'])}"
        )
    if len(current) > len(top):
        lines.append(f"\n… and {len(current) - len(top)} more in the export.")
    lines += ["", "## Change since the previous export", ""]
    lines += _changes(document, findings)
    if expired:
        lines += ["", "## Expired waivers", ""]
        for waiver in expired:
            lines.append(
                f"- {md(waiver['id'])} ({md(waiver['rule'] or 'by fingerprint')} · "
                f"{md(waiver['component'] or '')}) expired {waiver['expires']}: "
                f"{md(waiver['reason'])}"
            )
    return "\n".join(lines) + "\n"


def _span(days: Mapping[str, Any]) -> str:
    return f"{days['start']} – {days['end']}"


def _windows(period: Mapping[str, Any], window: Mapping[str, Any] | None) -> list[str]:
    """Which days each figure covers: component figures and findings use different windows."""
    lines = [
        f"Component activity, jurisdiction shares and maintainers cover the period {_span(period)}."
    ]
    if window is None:  # schema version 1 did not record the window
        lines[0] += " Findings cover the rules' policy window, which this export does not record."
        return lines
    lines[0] += "  "
    lines.append(
        f"Findings are the rules' verdict over the policy window {_span(window)} "
        f"({window['days']} days ending on the period's last day), so a finding's figures "
        "and top maintainer can differ from the component table."
    )
    return lines


def _component_table(
    components: list[Mapping[str, Any]],
    previous: Mapping[str, Any] | None,
    names: Mapping[str, str],
    tier_of: Callable[[str], str | None],
) -> list[str]:
    if not components:
        return ["No sensitive components are configured."]
    before = {c["name"]: c for c in (previous or {}).get("components", [])}
    rows = [
        "| component | sensitivity | commits | churn | high-risk share | unknown share "
        "| change in high-risk share | top maintainer |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for comp in components:
        high = comp["tiers"]["high"]
        unknown = comp["tiers"]["unknown"]
        old = before.get(comp["name"])
        if old is None:
            change = "n/a"
        else:
            delta = high["share_min"] - old["tiers"]["high"]["share_min"]
            change = f"{delta * 100:+.1f} pts"
        top = comp["maintainers"][0] if comp["maintainers"] else None
        where = "—"
        if top is not None:
            loc = top["location"]
            place = loc["country"] or summarize_candidates(
                loc["candidates"], tier_of, loc.get("pattern") or loc.get("zone_pattern")
            )
            who = names.get(top["person"], top["person"])
            where = f"{md(who)} ({md(place)}, {_pct(top['share'])})"
        rows.append(
            f"| {md(comp['name'])} | {comp['sensitivity']} | {comp['activity']['commits']} "
            f"| {comp['activity']['churn']} | {_interval(high['share_min'], high['share_max'])} "
            f"| {_interval(unknown['share_min'], unknown['share_max'])} | {change} | {where} |"
        )
    return rows


def _changes(document: Mapping[str, Any], findings: list[Mapping[str, Any]]) -> list[str]:
    previous = document["period"]["previous"]
    if previous is None:
        return ["No previous export was given (`--previous`): every finding counts as new."]
    lines = [
        f"Compared with the export for {previous['start']} – {previous['end']} "
        f"(sha256 `{previous['sha256']}`).",
        "",
    ]
    for status, title in (("new", "New"), ("resolved", "Resolved"), ("persisting", "Persisting")):
        chosen = [f for f in findings if f["status"] == status]
        lines.append(f"- {title}: {len(chosen)}")
        for item in chosen[:TOP_FINDINGS]:
            lines.append(
                f"  - {md(item['rule'])} {md(item['component'] or '')}"
                f" · {md(item['subject'] or '')} ({item['severity']})"
            )
        if len(chosen) > TOP_FINDINGS:
            lines.append(f"  - … and {len(chosen) - TOP_FINDINGS} more")
    return lines
