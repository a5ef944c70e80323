"""One registry of tracker collectors: built-ins register with `@register`, others via entry points.

A third-party tracker is a plug-in: a package whose `auditor.collectors` entry point is
named by its `[[tracker]] kind` and points to a `FileCollector` subclass with that `kind`
and the `identity_kind` its accounts are stored under (the configuration accepts the
entry point's name as a kind without importing it).
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import TypeVar

from auditor.kernel.enums import COLLECTOR_ENTRY_POINTS, TrackerKind
from auditor.kernel.errors import AuditorError, ConfigError
from collectors.files import FileCollector

_COLLECTORS: dict[str, type[FileCollector]] = {}
_loaded = False

C = TypeVar("C", bound=type[FileCollector])


def register(collector: C) -> C:
    """Class decorator: add a tracker collector to the registry (kinds are unique)."""
    existing = _COLLECTORS.get(collector.kind)
    if existing is not None and existing is not collector:
        raise AuditorError(
            f"collector kind '{collector.kind}' registered twice "
            f"({existing.__module__}, {collector.__module__})"
        )
    _COLLECTORS[collector.kind] = collector
    return collector


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for kind in TrackerKind:  # each built-in kind lives in its namesake module: jira-csv, jira_csv
        importlib.import_module(f"collectors.{kind.value.replace('-', '_')}")
    for point in entry_points(group=COLLECTOR_ENTRY_POINTS):
        try:
            loaded = point.load()
        except Exception as exc:  # a broken plug-in must name itself, not crash as a bug
            raise AuditorError(
                f"cannot load collector entry point {point.name!r} ({point.value}): {exc}"
            ) from exc
        if not (isinstance(loaded, type) and issubclass(loaded, FileCollector)):
            raise AuditorError(
                f"collector entry point {point.name!r} ({point.value}) is not a FileCollector"
            )
        if loaded.kind != point.name:
            raise AuditorError(
                f"collector entry point {point.name!r} names a collector of kind '{loaded.kind}'"
            )
        register(loaded)


def tracker_kinds() -> list[str]:
    """Every registered tracker kind: the built-ins in their order, then plug-ins by name."""
    _load()
    plugins = sorted(set(_COLLECTORS) - set(TrackerKind))
    return [*(kind for kind in TrackerKind if kind in _COLLECTORS), *plugins]


def tracker_collector(kind: str) -> type[FileCollector]:
    """The collector of `kind`; `ConfigError` when none is registered."""
    _load()
    try:
        return _COLLECTORS[kind]
    except KeyError:
        raise ConfigError(f"no collector for tracker kind {kind!r}") from None
