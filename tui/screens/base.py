"""What every data screen shares: load its view in a thread worker, show a loading state."""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from textual import work
from textual.binding import BindingType
from textual.screen import Screen
from textual.worker import get_current_worker

from auditor.report.display_text import visible
from auditor.views import ViewContext
from tui.text import WIDE_FROM

if TYPE_CHECKING:
    from tui.app import AuditorApp

T = TypeVar("T")


class DataScreen(Screen[None], Generic[T]):
    """Subclasses implement `fetch` (runs in a thread, store access only) and `show` (UI thread).

    The widget with id `body` carries the loading indicator until `show` has run.
    """

    BINDINGS: ClassVar[list[BindingType]] = []
    loaded: bool = False
    painted_at: float | None = None  # perf_counter() after the first refresh showing the data

    @property
    def auditor(self) -> AuditorApp:
        return cast("AuditorApp", self.app)

    @property
    def ctx(self) -> ViewContext:
        return self.auditor.ctx

    def fetch(self) -> T:
        raise NotImplementedError

    def show(self, data: T) -> None:
        raise NotImplementedError

    def on_mount(self) -> None:
        self._fit()
        self.reload()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Class `narrow` below WIDE_FROM columns: the stylesheet stacks or drops panels."""
        self.set_class(self.app.size.width < WIDE_FROM, "narrow")

    def reload(self) -> None:
        self.loaded = False
        self.query_one("#body").loading = True
        self._load()

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        worker = get_current_worker()
        try:
            data: Any = self.fetch()
        except Exception as exc:  # shown to the user instead of killing the app
            self._deliver(self._failed, exc)
            return
        if not worker.is_cancelled:
            self._deliver(self._loaded, data)

    def _deliver(self, callback: Any, value: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the app closed while the query ran
            self.app.call_from_thread(callback, value)

    def _loaded(self, data: T) -> None:
        self.query_one("#body").loading = False
        self.loaded = True
        self.show(data)
        if self.painted_at is None:
            self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        self.painted_at = time.perf_counter()

    def _failed(self, exc: Exception) -> None:
        self.query_one("#body").loading = False
        self.loaded = True
        self.notify(visible(f"could not load: {exc}"), severity="error", markup=False)
