"""One registry of tracker collectors: built-ins register with `@register`, others via entry points.

A third-party tracker is a plug-in: a package whose `auditor.collectors` entry point is
named by its `[[tracker]] kind` and points to a `FileCollector` subclass with that `kind`
and the `identity_kind` its accounts are stored under (the configuration accepts the
entry point's name as a kind without importing it). The decorator and the loading are
`auditor.kernel.registry.Registry`, shared with the rules.
"""

from __future__ import annotations

import importlib
from importlib.metadata import EntryPoint
from typing import TypeVar

from auditor.kernel.enums import COLLECTOR_ENTRY_POINTS, TrackerKind
from auditor.kernel.errors import AuditorError, ConfigError
from auditor.kernel.registry import Registry
from collectors.files import FileCollector

_COLLECTORS: dict[str, type[FileCollector]] = {}
_loaded = False

C = TypeVar("C", bound=type[FileCollector])


def _builtins() -> None:
    for kind in TrackerKind:  # each built-in kind lives in its namesake module: jira-csv, jira_csv
        importlib.import_module(f"collectors.{kind.value.replace('-', '_')}")


def _accept(point: EntryPoint, loaded: object) -> type[FileCollector]:
    if not (isinstance(loaded, type) and issubclass(loaded, FileCollector)):
        raise AuditorError(
            f"collector entry point {point.name!r} ({point.value}) is not a FileCollector"
        )
    if loaded.kind != point.name:
        raise AuditorError(
            f"collector entry point {point.name!r} names a collector of kind '{loaded.kind}'"
        )
    return loaded


_registry: Registry[type[FileCollector]] = Registry(
    home=globals(),
    entries="_COLLECTORS",
    loaded="_loaded",
    group=COLLECTOR_ENTRY_POINTS,
    noun="collector",
    what="collector kind '{key}'",
    key=lambda collector: collector.kind,
    builtins=_builtins,
    accept=_accept,
)


def register(collector: C) -> C:
    """Class decorator: add a tracker collector to the registry (kinds are unique)."""
    _registry.register(collector)
    return collector


def tracker_kinds() -> list[str]:
    """Every registered tracker kind: the built-ins in their order, then plug-ins by name."""
    collectors = _registry.load()
    plugins = sorted(set(collectors) - set(TrackerKind))
    return [*(kind for kind in TrackerKind if kind in collectors), *plugins]


def tracker_collector(kind: str) -> type[FileCollector]:
    """The collector of `kind`; `ConfigError` when none is registered."""
    try:
        return _registry.load()[kind]
    except KeyError:
        raise ConfigError(f"no collector for tracker kind {kind!r}") from None
