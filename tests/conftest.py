"""Tests run without the between-runs parse cache (tests of the cache turn it on themselves)."""

from __future__ import annotations

import pytest

from importaudit.source.conditions import evaluate


@pytest.fixture(autouse=True)
def _no_parse_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPORTAUDIT_NO_CACHE", "1")


@pytest.fixture(autouse=True)
def _fresh_condition_cache() -> None:
    # conditions.evaluate memoises per process: each test judges its conditions itself, so that no
    # test passes on an answer an earlier test computed (mutation testing relies on this too).
    evaluate.cache_clear()
