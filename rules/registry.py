"""One registry of rules: built-ins register with `@register`, others via entry points.

Third-party packages add rules through the `auditor.rules` entry-point group;
each entry point names a `Rule` subclass (or a module whose import registers
rules with `@register`).
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points
from typing import TypeVar

from auditor.kernel.errors import AuditorError
from rules.interface import Rule

ENTRY_POINT_GROUP = "auditor.rules"

_RULES: dict[str, type[Rule]] = {}
_loaded = False

R = TypeVar("R", bound=type[Rule])


def register(rule: R) -> R:
    """Class decorator: add `rule` to the registry (ids are unique)."""
    existing = _RULES.get(rule.id)
    if existing is not None and existing is not rule:
        raise AuditorError(
            f"rule id {rule.id} registered twice ({existing.__module__}, {rule.__module__})"
        )
    _RULES[rule.id] = rule
    return rule


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import rules

    for module in pkgutil.iter_modules(rules.__path__):
        if module.name.startswith("pv"):
            importlib.import_module(f"rules.{module.name}")
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = point.load()
        except Exception as exc:  # a broken plug-in must name itself, not crash as a bug
            raise AuditorError(
                f"cannot load rule entry point {point.name!r} ({point.value}): {exc}"
            ) from exc
        if isinstance(loaded, type) and issubclass(loaded, Rule):
            register(loaded)


def all_rules() -> list[type[Rule]]:
    """Every registered rule, by id."""
    _load()
    return [_RULES[key] for key in sorted(_RULES)]


def get_rule(rule_id: str) -> type[Rule] | None:
    _load()
    return _RULES.get(rule_id.strip().upper())
