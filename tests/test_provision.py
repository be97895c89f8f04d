"""provision: what a target installs (InstalledSet.build) and what provides a module (Provisioner)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Optional

import pytest

from importaudit.judge.rules import Status
from importaudit.model import Requirement
from importaudit.providers.distributions import DistributionIndex
from importaudit.providers.names import DisplayNames
from importaudit.providers.provision import InstalledSet, Provisioner
from importaudit.requirements import parse_requirement
from importaudit.source.conditions import TargetEnv

INDEX = DistributionIndex(environment=None)


def reqs(*lines: str, source: str = "requirements.txt", dev: bool = False) -> list[Requirement]:
    out = []
    for number, text in enumerate(lines, start=1):
        got = parse_requirement(text, source, number, group="dev" if dev else "main", dev=dev)
        assert isinstance(got, Requirement), got
        out.append(got)
    return out


def locked(*names: str, source: str = "uv.lock") -> list[Requirement]:
    return [replace(r, locked=True, direct=False) for r in reqs(*names, source=source)]


def installed(
    runtime: Sequence[Requirement],
    development: Sequence[Requirement] = (),
    python: tuple[int, int] = (3, 12),
    provided: Sequence[str] = (),
) -> InstalledSet:
    return InstalledSet.build(TargetEnv(python), runtime, development, INDEX, provided=provided)


def provisioner(
    runtime: Sequence[Requirement],
    development: Sequence[Requirement] = (),
    python: tuple[int, int] = (3, 12),
    provided: Sequence[str] = (),
) -> Provisioner:
    return Provisioner(installed(runtime, development, python, provided), INDEX, DisplayNames(None))


# ---------------------------------------------------------------------------------------------
# InstalledSet.build


@pytest.mark.parametrize(
    ("runtime", "development", "direct", "dev", "excluded"),
    [
        pytest.param(reqs("flask==3.0", "requests"), [], ["flask", "requests"], [], [], id="plain"),
        pytest.param(
            reqs('pywin32>=306; sys_platform == "win32"', "flask"), [], ["flask"], [], ["pywin32"],
            id="marker-excludes-linux",
        ),
        pytest.param(
            reqs('tomli; python_version < "3.11"', "flask"), [], ["flask"], [], ["tomli"],
            id="marker-excludes-target-python",
        ),
        pytest.param(
            reqs('uvloop; sys_platform != "win32"', 'exceptiongroup; python_version < "3.13"'), [],
            ["exceptiongroup", "uvloop"], [], [], id="markers-that-hold",
        ),
        pytest.param(
            reqs("flask"), reqs("pytest", "flask", source="requirements-dev.txt", dev=True),
            ["flask"], ["pytest"], [], id="dev-file-not-installed-and-runtime-wins",
        ),
        pytest.param(
            [*reqs("flask"), *reqs("black", source="pyproject.toml", dev=True)], [],
            ["black", "flask"], [], [], id="a-dev-entry-the-target-installs-is-installed",
        ),
        pytest.param(
            [*reqs('pywin32; sys_platform == "win32"'), *reqs("pywin32", source="extra.txt")], [],
            ["pywin32"], [], [], id="declared-again-without-marker-is-direct",
        ),
    ],
)
def test_installed_set_partitions(
    runtime: list[Requirement],
    development: list[Requirement],
    direct: list[str],
    dev: list[str],
    excluded: list[str],
) -> None:
    got = installed(runtime, development)
    assert sorted(got.direct) == direct
    assert sorted(got.dev) == dev
    assert sorted(got.excluded) == excluded


def test_installed_set_transitive_paths_and_locks() -> None:
    got = installed([*reqs("fastapi"), *locked("pydantic", "gitpython")])
    assert got.transitive["pydantic"] == ("fastapi", "pydantic")  # the closure's path wins over the lock
    assert got.transitive["pydantic-core"] == ("fastapi", "pydantic", "pydantic-core")
    assert got.transitive["gitpython"] == ("uv.lock (locked)", "gitpython")
    assert "gitpython" not in got.direct


def test_installed_set_unknown_closure() -> None:
    got = installed(reqs("flask", "acme-prometheus-exporter"))  # in no table, not installed
    assert got.unknown == ("acme-prometheus-exporter",)


def test_installed_set_provided_by_platform() -> None:
    got = installed(reqs("flask"), provided=["Gunicorn"])
    assert got.provided == frozenset({"gunicorn"})


# ---------------------------------------------------------------------------------------------
# Provisioner.provision


def _summary(p: Provisioner, module: str, hint: Optional[str] = None) -> tuple[str, Optional[str]]:
    got = p.provision(module, hint)
    return got.status, got.distribution


@pytest.mark.parametrize(
    ("runtime", "development", "python", "module", "status", "distribution"),
    [
        pytest.param(reqs("Flask==3.0"), [], (3, 12), "flask", Status.DIRECT, "Flask", id="direct"),
        pytest.param(reqs("flask"), [], (3, 12), "flask.views", Status.DIRECT, "flask", id="direct-submodule"),
        pytest.param(reqs("PyYAML"), [], (3, 12), "yaml", Status.DIRECT, "PyYAML", id="direct-other-name"),
        pytest.param(reqs("flask"), [], (3, 12), "jinja2", Status.TRANSITIVE, "Jinja2", id="transitive"),
        pytest.param(
            reqs("flask"), reqs("pytest", dev=True, source="requirements-dev.txt"), (3, 12), "pytest",
            Status.DEV, "pytest", id="dev",
        ),
        pytest.param(reqs("flask"), [], (3, 12), "pymysql", Status.NONE, "PyMySQL", id="missing"),
        pytest.param(
            reqs('pywin32; sys_platform == "win32"'), [], (3, 12), "win32api", Status.NONE, "pywin32",
            id="excluded-by-marker",
        ),
        # stdlib removed / added
        pytest.param(reqs("flask"), [], (3, 12), "distutils", Status.STDLIB_REMOVED, "setuptools",
                     id="distutils-3.12-no-setuptools"),
        pytest.param(reqs("flask"), [], (3, 12), "distutils.core", Status.STDLIB_REMOVED, "setuptools",
                     id="distutils-submodule-3.12"),
        pytest.param(reqs("flask", "setuptools"), [], (3, 12), "distutils", Status.DIRECT, "setuptools",
                     id="distutils-3.12-setuptools-declared"),
        pytest.param([*reqs("flask"), *locked("setuptools")], [], (3, 12), "distutils", Status.TRANSITIVE,
                     "setuptools", id="distutils-3.12-setuptools-only-transitive"),
        pytest.param([*reqs("flask"), *locked("setuptools")], [], (3, 12), "pkg_resources", Status.TRANSITIVE,
                     "setuptools", id="pkg_resources-3.12-setuptools-only-transitive"),
        pytest.param(reqs("flask"), [], (3, 12), "imp", Status.STDLIB_REMOVED, "zombie-imp", id="imp-3.12"),
        pytest.param(reqs("zombie-imp"), [], (3, 12), "imp", Status.DIRECT, "zombie-imp",
                     id="imp-3.12-replacement-declared"),
        pytest.param(reqs("flask"), [], (3, 13), "cgi", Status.STDLIB_REMOVED, "legacy-cgi", id="cgi-3.13"),
        pytest.param(reqs("flask"), [], (3, 10), "tomllib", Status.STDLIB_REMOVED, None, id="tomllib-3.10"),
        # setuptools / pkg_resources: shipped before 3.12, not after
        pytest.param(reqs("flask"), [], (3, 11), "pkg_resources", Status.DIRECT, None, id="pkg_resources-3.11"),
        pytest.param(reqs("flask"), [], (3, 11), "setuptools", Status.DIRECT, None, id="setuptools-3.11"),
        pytest.param(reqs("flask"), [], (3, 12), "pkg_resources", Status.NONE, "setuptools",
                     id="pkg_resources-3.12"),
        pytest.param(reqs("flask"), [], (3, 12), "setuptools", Status.NONE, "setuptools", id="setuptools-3.12"),
        pytest.param(reqs("flask", "setuptools>=69"), [], (3, 12), "pkg_resources", Status.DIRECT, "setuptools",
                     id="pkg_resources-3.12-declared"),
        # name-match fallback for modules nothing knows
        pytest.param(reqs("social-auth-core"), [], (3, 12), "social_core", Status.DIRECT, "social-auth-core",
                     id="social_core-by-social-auth-core"),
        pytest.param(reqs("social-auth-core"), [], (3, 12), "social_core.backends.google", Status.DIRECT,
                     "social-auth-core", id="social_core-submodule"),
        pytest.param(reqs("strawberry-graphql-django"), [], (3, 12), "strawberry_django", Status.DIRECT,
                     "strawberry-graphql-django", id="strawberry_django-by-strawberry-graphql-django"),
        # a declared package whose dependencies are unknown probably brings the module
        pytest.param(reqs("django-prometheus"), [], (3, 12), "prometheus_client", Status.TRANSITIVE,
                     "prometheus_client", id="probable-transitive"),
    ],
)
def test_provision(
    runtime: list[Requirement],
    development: list[Requirement],
    python: tuple[int, int],
    module: str,
    status: str,
    distribution: Optional[str],
) -> None:
    assert _summary(provisioner(runtime, development, python), module) == (status, distribution)


def test_transitive_path_uses_display_names() -> None:
    got = provisioner(reqs("celery")).provision("amqp")
    assert got.path == ("celery", "kombu", "amqp")
    got = provisioner(reqs("flask")).provision("markupsafe")
    assert got.path == ("Flask", "MarkupSafe")


def test_transitive_from_lock_names_the_lock() -> None:
    got = provisioner([*reqs("flask"), *locked("gitpython")]).provision("git")
    assert (got.status, got.path) == (Status.TRANSITIVE, ("uv.lock (locked)", "GitPython"))


def test_a_name_resemblance_is_evidence_of_nothing() -> None:
    # Formerly "probably installed because acme-prometheus-exporter depends on it": a guess from
    # shared name words. Now: the exporter's requirements are unknown, so the import is neither
    # passed nor an error; the warning names what is unknown.
    got = provisioner(reqs("acme-prometheus-exporter")).provision("prometheus_client")
    assert got.status == Status.NONE
    assert got.evidence.unknown == ("acme-prometheus-exporter",)
    assert not got.evidence.definitive
    from importaudit.judge.rules import Case, Where, judge
    from importaudit.model import Import, Location

    imp = Import(module="prometheus_client", location=Location("metrics.py", 3))
    finding = judge(Case(imp=imp, where=Where.BOOT, provision=got, target="Dockerfile",
                         target_label="Dockerfile", chain=("metrics.py",), fix_file="requirements.txt"))
    assert finding is not None
    assert (finding.rule.value, finding.severity.value) == ("missing-at-boot", "warning")
    assert finding.unknown == ("acme-prometheus-exporter",)
    assert "does not know what acme-prometheus-exporter brings in" in finding.message
    assert finding.fix == "add prometheus_client to requirements.txt"  # its METADATA Name


def test_a_fully_known_install_that_lacks_the_module_is_definitive() -> None:
    got = provisioner(reqs("flask")).provision("pymysql")
    assert (got.status, got.evidence.definitive, got.distribution) == (Status.NONE, True, "PyMySQL")


def test_a_guessed_provider_is_never_named_in_the_fix() -> None:
    got = provisioner(reqs("flask")).provision("no_such_module_anywhere")
    assert got.status == Status.NONE and got.evidence.provider.value == "guess"
    assert got.distribution is None  # "add no-such-module-anywhere" would be an invention
    assert got.evidence.definitive  # flask's closure is known: nothing installed provides it


def test_a_lock_decides_the_closure_even_when_a_dist_is_unknown() -> None:
    # acme-private is not in the table, but the lock lists everything the target installs.
    runtime = [*locked("acme-private", "flask")]
    runtime = [replace(r, direct=True) for r in runtime]
    got = provisioner(runtime).provision("pymysql")
    assert got.status == Status.NONE
    assert got.evidence.unknown == ()  # its requirements are in the lock
    assert got.evidence.definitive


def test_dev_provision_carries_the_requirement() -> None:
    dev = reqs("pytest", source="requirements-dev.txt", dev=True)
    got = provisioner(reqs("flask"), dev).provision("pytest")
    assert got.requirement is not None
    assert (got.requirement.source, got.requirement.line) == ("requirements-dev.txt", 1)


@pytest.mark.parametrize(
    ("runtime", "python", "module", "needles"),
    [
        pytest.param(
            reqs("flask", 'pywin32; sys_platform == "win32"'), (3, 12), "win32api",
            ["requirements.txt:2 declares pywin32 with the marker `sys_platform == \"win32\"`",
             "false on the target (Linux, Python 3.12)"],
            id="marker-note",
        ),
        pytest.param(
            reqs("flask"), (3, 12), "distutils",
            ["distutils was removed from the standard library in Python 3.12", "the target runs 3.12",
             "declare setuptools or standard-distutils to provide it"],
            id="distutils-note",
        ),
        pytest.param(
            reqs("flask"), (3, 10), "tomllib",
            ["tomllib is in the standard library only from Python 3.11", "the target runs 3.10"],
            id="tomllib-note",
        ),
        pytest.param(
            reqs("flask"), (3, 12), "pkg_resources",
            ["python 3.12+ images and virtualenvs no longer ship setuptools, which provides pkg_resources"],
            id="pkg_resources-note",
        ),
    ],
)
def test_provision_notes(runtime: list[Requirement], python: tuple[int, int], module: str,
                         needles: list[str]) -> None:
    note = provisioner(runtime, python=python).provision(module).note
    for needle in needles:
        assert needle in note


@pytest.mark.parametrize(
    ("runtime", "provided", "module", "hint", "expected"),
    [
        pytest.param(reqs("psycopg2-binary"), [], "psycopg2", "psycopg|psycopg2|psycopg2-binary",
                     (Status.DIRECT, "psycopg2-binary"), id="framework-hint-any-of"),
        pytest.param(reqs("flask"), [], "psycopg2", "psycopg|psycopg2", (Status.NONE, "psycopg"),
                     id="framework-hint-missing"),
        pytest.param(reqs("flask"), ["gunicorn"], "gunicorn", None, (Status.DIRECT, "gunicorn"),
                     id="platform-provided"),
    ],
)
def test_hints_and_platform(runtime: list[Requirement], provided: list[str], module: str,
                            hint: Optional[str], expected: tuple[str, str]) -> None:
    assert _summary(provisioner(runtime, provided=provided), module, hint) == expected


def test_framework_hint_source_and_memo() -> None:
    p = provisioner(reqs("psycopg2-binary"))
    first = p.provision("psycopg2", "psycopg2-binary")
    assert first.source == "framework"
    assert p.provision("psycopg2", "psycopg2-binary") is first
    assert p.provision("psycopg2").source != "framework"  # the memo is per (module, hint)


def test_name_match_needs_the_words_in_order() -> None:
    got = provisioner(reqs("strawberry-graphql-django")).provision("django_strawberry")
    assert got.status != Status.DIRECT
    assert got.distribution is None  # nothing knows django_strawberry: no name is invented
    assert got.evidence.candidates == ()  # strawberry-graphql-django's files are known


def test_a_name_match_is_a_candidate_not_a_pass() -> None:
    got = provisioner(reqs("acme-widget-core")).provision("widget_core")  # nothing knows widget_core
    assert got.status == Status.NONE
    assert got.evidence.candidates == ("acme-widget-core",)
    assert got.source == "guess"


def test_a_declared_distribution_of_the_same_name_passes() -> None:
    got = provisioner(reqs("acme-widget")).provision("acme_widget")  # unknown to the table
    assert (got.status, got.source) == (Status.DIRECT, "name")


def test_a_known_distribution_of_the_same_name_that_lacks_the_module_does_not_pass() -> None:
    # python-dateutil is in the table and provides `dateutil`: its name proves nothing more.
    got = provisioner(reqs("python-dateutil")).provision("python_dateutil")
    assert got.status == Status.NONE and got.evidence.definitive


def test_a_lock_not_the_table_says_what_comes_along() -> None:
    # An old Flask locked without blinker: the table's newer Flask requires blinker, the lock
    # says what is installed.
    runtime = [replace(locked("flask")[0], direct=True), *locked("werkzeug", "jinja2")]
    p = provisioner(runtime)
    assert p.provision("werkzeug").status == Status.TRANSITIVE
    got = p.provision("blinker")
    assert (got.status, got.evidence.definitive) == (Status.NONE, True)


def test_a_stub_only_wheel_provides_nothing_and_hides_nothing() -> None:
    # types-requests' wheel holds only .pyi files: its RECORD is known, so it is not a
    # distribution "whose files nobody knows" that might provide anything.
    got = provisioner(reqs("flask", "types-requests")).provision("no_such_module_anywhere")
    assert got.status == Status.NONE and got.evidence.definitive


def test_a_locked_distribution_of_unknown_files_named_like_the_module_is_a_candidate() -> None:
    # The table knows haystack-ai ships `haystack`; the lock installs django-haystack, whose files
    # nobody knows: it may well be the provider (it is), so this is no definitive absence.
    runtime = [replace(r, direct=True) for r in locked("django", "acme-django-haystack-fork")]
    got = provisioner(runtime).provision("haystack")
    assert got.status == Status.NONE
    assert got.evidence.candidates == ("acme-django-haystack-fork",)
    assert not got.evidence.definitive


def test_no_deps_brings_nothing_along() -> None:
    """`pip install --no-deps flask`: flask alone; jinja2 is not installed, and the finding says why."""
    alone = [replace(r, no_deps=True) for r in reqs("flask")]
    inst = installed(alone)
    assert "jinja2" not in inst.transitive and "jinja2" in inst.skipped
    got = Provisioner(inst, INDEX, DisplayNames(None)).provision("jinja2")
    assert got.status is Status.NONE and "installs flask with --no-deps" in got.note
    # Installed again with its dependencies (another step): they come.
    again = installed([*alone, *reqs("flask", source="requirements-web.txt")])
    assert "jinja2" in again.transitive and not again.skipped
