"""One registry of rules: built-ins register with `@register`, others via entry points.

Third-party packages add rules through the `auditor.rules` entry-point group;
each entry point names a `Rule` subclass (or a module whose import registers
rules with `@register`). The decorator and the loading are
`auditor.kernel.registry.Registry`, shared with the tracker collectors.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import EntryPoint
from typing import TypeVar

from auditor.kernel.registry import Registry
from rules.interface import Rule

ENTRY_POINT_GROUP = "auditor.rules"

_RULES: dict[str, type[Rule]] = {}
_loaded = False

R = TypeVar("R", bound=type[Rule])


def _builtins() -> None:
    import rules

    for module in pkgutil.iter_modules(rules.__path__):
        if module.name.startswith("pv"):
            importlib.import_module(f"rules.{module.name}")


def _accept(point: EntryPoint, loaded: object) -> type[Rule] | None:
    # anything else is a module whose import registered its rules with @register
    return loaded if isinstance(loaded, type) and issubclass(loaded, Rule) else None


_registry: Registry[type[Rule]] = Registry(
    home=globals(),
    entries="_RULES",
    loaded="_loaded",
    group=ENTRY_POINT_GROUP,
    noun="rule",
    what="rule id {key}",
    key=lambda rule: rule.id,
    builtins=_builtins,
    accept=_accept,
)


def register(rule: R) -> R:
    """Class decorator: add `rule` to the registry (ids are unique)."""
    _registry.register(rule)
    return rule


def all_rules() -> list[type[Rule]]:
    """Every registered rule, by id."""
    found = _registry.load()
    return [found[key] for key in sorted(found)]


def get_rule(rule_id: str) -> type[Rule] | None:
    return _registry.load().get(rule_id.strip().upper())
