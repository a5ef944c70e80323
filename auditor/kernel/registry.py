"""One pattern for the product's two extension points: a decorator and an entry-point group.

Collectors (`collectors/registry.py`, group `auditor.collectors`) and rules
(`rules/registry.py`, group `auditor.rules`) each keep one `Registry`: built-ins
add themselves with its `register` decorator when their module is imported,
third-party packages through the entry-point group. Loading happens once, on
first use: the built-in modules are imported, then every entry point; a plug-in
that fails to import, or names something that is not of the registry's kind,
is a one-line `AuditorError` naming the entry point, never a traceback.

The registry's entries and its loaded flag live in the module that owns it
(its `globals()`, under the names it gives): that module's functions and its
tests see one state.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Generic, TypeVar

from auditor.kernel.errors import AuditorError

T = TypeVar("T")


class Registry(Generic[T]):
    """Named classes of one kind, from built-in modules and an entry-point group."""

    def __init__(
        self,
        *,
        home: MutableMapping[str, Any],
        entries: str,
        loaded: str,
        group: str,
        noun: str,
        what: str,
        key: Callable[[T], str],
        builtins: Callable[[], None],
        accept: Callable[[EntryPoint, object], T | None],
    ) -> None:
        """`home[entries]` (a dict) and `home[loaded]` (a bool) hold the state; `noun`
        ("collector") and `what` ("collector kind '{key}'") name entries in messages;
        `accept` turns what an entry point loaded into an entry, None to skip it, or raises."""
        self._home = home
        self._entries = entries
        self._loaded = loaded
        self.group = group
        self.noun = noun
        self._what = what
        self._key = key
        self._builtins = builtins
        self._accept = accept

    @property
    def entries(self) -> dict[str, T]:
        entries: dict[str, T] = self._home[self._entries]
        return entries

    def register(self, item: T) -> T:
        """Add `item` under its key; the same key for another item is refused."""
        key = self._key(item)
        existing = self.entries.get(key)
        if existing is not None and existing is not item:
            raise AuditorError(
                f"{self._what.format(key=key)} registered twice "
                f"({_module(existing)}, {_module(item)})"
            )
        self.entries[key] = item
        return item

    def load(self) -> dict[str, T]:
        """Every entry, built-ins and plug-ins, loaded on the first call."""
        if not self._home[self._loaded]:
            self._home[self._loaded] = True
            self._builtins()
            for point in entry_points(group=self.group):
                try:
                    loaded = point.load()
                except Exception as exc:  # a broken plug-in must name itself, not crash as a bug
                    raise AuditorError(
                        f"cannot load {self.noun} entry point {point.name!r} ({point.value}): {exc}"
                    ) from exc
                item = self._accept(point, loaded)
                if item is not None:
                    self.register(item)
        return self.entries


def _module(item: object) -> str:
    return str(getattr(item, "__module__", "?"))
