"""Display names of distributions (PyMySQL, not pymysql) from metadata and the bundled tables."""

from __future__ import annotations

from typing import Optional

from functools import lru_cache
from importlib import resources

from packaging.utils import canonicalize_name

from .distributions import bundled_dists
from .environment import InstalledEnvironment


@lru_cache(maxsize=1)
def bundled_display_names() -> dict[str, str]:
    """canonical key -> spelling, from the module map (the table's own spelling of each name)."""
    text = resources.files("importaudit").joinpath("data/module_map.tsv").read_text("utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines()[1:]:
        columns = line.split("\t")
        if len(columns) >= 2:
            for name in columns[1].split(","):
                if name.strip():
                    out.setdefault(canonicalize_name(name), name.strip())
    return out


class DisplayNames:
    """canonical key -> the name its project publishes under; the key itself when unknown."""

    def __init__(self, environment: Optional[InstalledEnvironment]) -> None:
        self._environment = environment
        self._cache: dict[str, str] = {}

    def get(self, key: str, default: Optional[str] = None) -> str:
        if key not in self._cache:
            self._cache[key] = self._lookup(key) or default or key
        return self._cache[key]

    def _lookup(self, key: str) -> Optional[str]:
        if self._environment is not None:
            dist = self._environment.get(key)
            if dist is not None:
                return dist.name
        bundled = bundled_dists().get(key)
        if bundled is not None:
            return bundled.name
        return bundled_display_names().get(key)
