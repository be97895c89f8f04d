"""Tests for the bundled standard-library data and the stdlib questions asked of it."""

from __future__ import annotations

from typing import Optional

import pytest

from importaudit.providers.stdlib import (
    DEFAULT_PRESENT_BEFORE_312,
    StdlibChange,
    host_version,
    is_stdlib,
    known_versions,
    shadowed_by_stdlib,
    stdlib_change,
    stdlib_names,
)

# The research table (boot-semantics.md §6): public top-level names added / removed per version.
RESEARCH_TABLE = {
    (3, 8): ((), ("macpath",)),
    (3, 9): (("zoneinfo", "graphlib"), ("_dummy_thread", "dummy_threading")),
    (3, 10): ((), ("formatter", "parser", "symbol")),
    (3, 11): (("tomllib",), ("binhex",)),
    (3, 12): ((), ("distutils", "imp", "asynchat", "asyncore", "smtpd")),
    (3, 13): (
        (),
        (
            "aifc",
            "audioop",
            "cgi",
            "cgitb",
            "chunk",
            "crypt",
            "imghdr",
            "mailcap",
            "msilib",
            "nis",
            "nntplib",
            "ossaudiodev",
            "pipes",
            "sndhdr",
            "spwd",
            "sunau",
            "telnetlib",
            "uu",
            "xdrlib",
            "lib2to3",
        ),
    ),
    (3, 14): (("annotationlib", "compression"), ()),
}


@pytest.mark.parametrize("version", sorted(RESEARCH_TABLE))
def test_public_changes_match_the_research_table(version: tuple[int, int]) -> None:
    before = stdlib_names((version[0], version[1] - 1))
    after = stdlib_names(version)
    public_added = {n for n in after - before if not n.startswith("_")}
    public_removed = {n for n in before - after if not n.startswith("_")}
    added, removed = RESEARCH_TABLE[version]
    assert public_added == set(added)
    assert public_removed == {n for n in removed if not n.startswith("_")}


def test_known_versions_cover_the_supported_range() -> None:
    versions = known_versions()
    assert versions == tuple(sorted(versions))
    assert {(3, minor) for minor in range(8, 15)} <= set(versions)
    assert host_version() in versions or host_version() > versions[-1]


@pytest.mark.parametrize(
    ("module", "version", "expected"),
    [
        ("distutils", (3, 11), True),
        ("distutils", (3, 12), False),
        ("distutils.core", (3, 12), False),
        ("tomllib", (3, 10), False),
        ("tomllib", (3, 11), True),
        ("cgi", (3, 12), True),
        ("cgi", (3, 13), False),
        ("asyncore", (3, 11), True),
        ("asyncore", (3, 12), False),
        ("imp", (3, 12), False),
        ("importlib.metadata", (3, 8), True),
        ("importlib.metadata", (3, 7), False),
        ("importlib.metadata.version", (3, 7), False),
        ("importlib.resources", (3, 8), True),
        ("wsgiref.types", (3, 10), False),
        ("wsgiref.types", (3, 11), True),
        ("dbm.sqlite3", (3, 12), False),
        ("dbm.sqlite3", (3, 13), True),
        ("tkinter.tix", (3, 12), True),
        ("tkinter.tix", (3, 13), False),
        ("compression.zstd", (3, 13), False),
        ("compression.zstd", (3, 14), True),
        ("string.templatelib", (3, 14), True),
        ("string.templatelib", (3, 13), False),
        ("concurrent.interpreters", (3, 14), True),
        ("annotationlib", (3, 13), False),
        ("collections.abc", (3, 14), True),  # stdlib-list 0.12 misses it
        ("xml.etree.cElementTree", (3, 9), True),  # its 3.9 removal was reverted
        ("os.path", (3, 12), True),
        ("_thread", (3, 12), True),
        ("__future__", (3, 8), True),
        ("winreg", (3, 12), True),  # other platforms' modules count as stdlib
        ("zoneinfo", (3, 8), False),
        ("zoneinfo", (3, 9), True),
        ("yaml", (3, 12), False),
        ("pkg_resources", (3, 11), False),
        ("setuptools", (3, 11), False),
        ("typing_extensions", (3, 12), False),
        ("test", (3, 12), False),
        ("_testcapi", (3, 9), False),
        ("json.whatever", (3, 12), True),  # an unknown submodule of a stdlib package
        ("tomllib", (3, 30), True),  # beyond the data: judged as the newest known version
    ],
)
def test_is_stdlib(module: str, version: tuple[int, int], expected: bool) -> None:
    assert is_stdlib(module, version) is expected


@pytest.mark.parametrize(
    ("module", "version", "expected"),
    [
        (
            "distutils",
            (3, 12),
            StdlibChange("distutils", "removed", (3, 12), ("setuptools", "standard-distutils")),
        ),
        (
            "distutils.util",
            (3, 13),
            StdlibChange("distutils", "removed", (3, 12), ("setuptools", "standard-distutils")),
        ),
        ("imp", (3, 12), StdlibChange("imp", "removed", (3, 12), ("zombie-imp",))),
        (
            "asyncore",
            (3, 12),
            StdlibChange("asyncore", "removed", (3, 12), ("pyasyncore", "standard-asyncore")),
        ),
        ("cgi", (3, 13), StdlibChange("cgi", "removed", (3, 13), ("legacy-cgi", "standard-cgi"))),
        ("audioop", (3, 13), StdlibChange("audioop", "removed", (3, 13), ("audioop-lts",))),
        ("lib2to3.pgen2", (3, 13), StdlibChange("lib2to3", "removed", (3, 13), ())),
        ("tkinter.tix", (3, 13), StdlibChange("tkinter.tix", "removed", (3, 13), ())),
        ("tomllib", (3, 10), StdlibChange("tomllib", "added", (3, 11), ())),
        ("wsgiref.types", (3, 9), StdlibChange("wsgiref.types", "added", (3, 11), ())),
        ("compression.zstd", (3, 12), StdlibChange("compression", "added", (3, 14), ())),
        ("importlib.metadata", (3, 7), StdlibChange("importlib.metadata", "added", (3, 8), ())),
        ("distutils", (3, 11), None),
        ("tomllib", (3, 11), None),
        ("yaml", (3, 12), None),
        ("pkg_resources", (3, 12), None),
        ("", (3, 12), None),
    ],
)
def test_stdlib_change(
    module: str, version: tuple[int, int], expected: Optional[StdlibChange]
) -> None:
    assert stdlib_change(module, version) == expected


@pytest.mark.parametrize(
    ("dist", "version", "expected"),
    [
        ("typing", (3, 12), True),
        ("enum34", (3, 9), True),
        ("futures", (3, 9), True),
        ("asyncio", (3, 12), True),
        ("pathlib", (3, 12), True),
        ("dataclasses", (3, 8), True),
        ("argparse", (3, 11), True),
        ("Contextvars", (3, 11), True),
        ("typing-extensions", (3, 12), False),
        ("requests", (3, 12), False),
        ("setuptools", (3, 11), False),
        ("backports.zoneinfo", (3, 8), False),
    ],
)
def test_shadowed_by_stdlib(dist: str, version: tuple[int, int], expected: bool) -> None:
    assert shadowed_by_stdlib(dist, version) is expected


def test_setuptools_defaults_are_not_stdlib() -> None:
    assert DEFAULT_PRESENT_BEFORE_312 == ("setuptools", "pkg_resources", "_distutils_hack")
    for version in known_versions():
        assert not any(is_stdlib(name, version) for name in DEFAULT_PRESENT_BEFORE_312)


def test_names_are_top_level_and_every_version_is_a_plausible_stdlib() -> None:
    for version in known_versions():
        names = stdlib_names(version)
        assert all("." not in name for name in names)
        assert {"os", "sys", "json", "_thread", "__future__", "importlib"} <= names
        assert 200 < len(names) < 400
