"""Tests run without the between-runs parse cache (tests of the cache turn it on themselves)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_parse_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPORTAUDIT_NO_CACHE", "1")
