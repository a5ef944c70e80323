"""Fixtures for the views and the TUI: a populated store with fixed numbers."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from auditor.views import ViewContext
from tests.tui import storedata


@pytest.fixture
def store(engine: Engine) -> Engine:
    storedata.populate(engine)
    return engine


@pytest.fixture
def ctx(store: Engine) -> ViewContext:
    return ViewContext.build(store, storedata.config(), as_of=storedata.AS_OF)
