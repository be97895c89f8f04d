"""The bundled distribution table compiled once into the cache folder: the same rows and indexes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from importaudit.providers import distributions


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.delenv("IMPORTAUDIT_NO_CACHE", raising=False)
    monkeypatch.setenv("IMPORTAUDIT_CACHE_DIR", str(tmp_path))
    distributions._tables.cache_clear()
    distributions._bundled.cache_clear()
    yield tmp_path / "importaudit"
    distributions._tables.cache_clear()
    distributions._bundled.cache_clear()


def test_the_compiled_table_is_the_json_table(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = distributions._tables()
    assert [p.name.startswith("dists-") for p in fresh.iterdir()] == [True]
    distributions._tables.cache_clear()

    def no_json() -> object:
        raise AssertionError("the JSON table was read again")

    monkeypatch.setattr(distributions, "_table", no_json)
    assert distributions._tables() == built
    dist = distributions.bundled_dists()["requests"]
    assert dist.name == "requests" and "requests" in dist.modules
    assert any(r.startswith("urllib3") for r in dist.requires)


def test_a_damaged_compiled_table_is_made_again(fresh: Path) -> None:
    built = distributions._tables()
    (compiled,) = fresh.iterdir()
    compiled.write_bytes(b"\x00garbage")
    distributions._tables.cache_clear()
    assert distributions._tables() == built


def test_no_cache_writes_no_compiled_table(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IMPORTAUDIT_NO_CACHE", "1")
    monkeypatch.setenv("IMPORTAUDIT_CACHE_DIR", str(tmp_path))
    distributions._tables.cache_clear()
    try:
        assert "requests" in distributions._tables()[0]
    finally:
        distributions._tables.cache_clear()
    assert not (tmp_path / "importaudit").exists()
