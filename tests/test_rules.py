"""rules.judge: every row and column of the rules table, guards, fallbacks, ignores, strings."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from typing import Optional

import pytest

from importaudit.judge.rules import (
    KNOWN,
    Case,
    Provision,
    Status,
    Where,
    apply_selection,
    judge,
    unused_finding,
    weigh,
)
from importaudit.model import (
    Context,
    Evidence,
    Finding,
    How,
    Import,
    Location,
    Requirement,
    Rule,
    Severity,
    Source,
)
from importaudit.requirements import parse_requirement
from importaudit.source.imports import parse_source

SNIPPETS = {
    "module": "import ext\n",
    "function": "def view():\n    import ext\n",
    "try": "try:\n    import ext\nexcept ImportError:\n    ext = None\n",
    "suppress": "import contextlib\nwith contextlib.suppress(ImportError):\n    import ext\n",
    "type-checking": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import ext\n",
}
# The line of `import ext` in each snippet, counted by hand.
EXT_LINE = {"module": 1, "function": 2, "try": 2, "suppress": 3, "type-checking": 3}


def stmt(src: str, module: str = "ext", path: str = "views.py", is_test: bool = False) -> Import:
    """The one import of `module` the real imports stage finds in the snippet."""
    _, parsed = parse_source(textwrap.dedent(src), path, path[:-3].replace("/", "."), False, is_test=is_test)
    found = [imp for imp in parsed.imports if imp.module == module]
    assert len(found) == 1, parsed.imports
    return found[0]


def req(text: str, source: str = "requirements.txt", line: int = 1, **kw: object) -> Requirement:
    got = parse_requirement(text, source, line, **kw)  # type: ignore[arg-type]
    assert isinstance(got, Requirement), got
    return got


PROVISIONS = {
    Status.DIRECT: Provision(Status.DIRECT, "ext", req("ext")),
    Status.TRANSITIVE: Provision(Status.TRANSITIVE, "ext", path=("Flask", "ext")),
    Status.DEV: Provision(Status.DEV, "ext", req("ext", "requirements-dev.txt", 3, group="dev", dev=True)),
    Status.NONE: Provision(Status.NONE, "ext"),
    Status.STDLIB_REMOVED: Provision(
        Status.STDLIB_REMOVED, "setuptools", note="ext was removed from the standard library in Python 3.12"
    ),
}

CHAIN = ("app.py", "views.py")


def case(
    snippet: str,
    where: str,
    status: str,
    *,
    implicit: bool = False,
    imp: Optional[Import] = None,
    **kw: object,
) -> Case:
    if imp is None:
        imp = stmt(SNIPPETS[snippet], is_test=where == Where.TEST)
    return Case(
        imp=imp,
        where=where,
        provision=PROVISIONS[status],
        target=None if implicit else "Dockerfile",
        target_label="the project" if implicit else "Dockerfile",
        chain=CHAIN,
        fix_file="requirements.txt",
        **kw,  # type: ignore[arg-type]
    )


def outcome(finding: Optional[Finding]) -> Optional[tuple[str, str, str]]:
    if finding is None:
        return None
    return (finding.rule.value, finding.severity.value, finding.context.value)


D, T, V, N, S = Status.DIRECT, Status.TRANSITIVE, Status.DEV, Status.NONE, Status.STDLIB_REMOVED

# (snippet, where, implicit target, status) -> (rule, severity, context) or None
TABLE = [
    # module level of a boot file (explicit target)
    ("module", Where.BOOT, False, D, None),
    ("module", Where.BOOT, False, T, ("transitive", "warning", "boot")),
    ("module", Where.BOOT, False, V, ("dev-only", "error", "boot")),
    ("module", Where.BOOT, False, N, ("missing-at-boot", "error", "boot")),
    ("module", Where.BOOT, False, S, ("stdlib-removed", "error", "boot")),
    # function level inside a boot file
    ("function", Where.REQUEST, False, D, None),
    ("function", Where.REQUEST, False, T, ("transitive", "warning", "request")),
    ("function", Where.REQUEST, False, V, ("dev-only", "warning", "request")),
    ("function", Where.REQUEST, False, N, ("missing-at-request", "warning", "request")),
    ("function", Where.REQUEST, False, S, ("stdlib-removed", "warning", "request")),
    # module level, file not reached by any entry
    ("module", Where.UNREACHED, False, D, None),
    ("module", Where.UNREACHED, False, T, ("transitive", "warning", "module")),
    ("module", Where.UNREACHED, False, V, ("dev-only", "warning", "module")),
    ("module", Where.UNREACHED, False, N, ("missing", "warning", "module")),
    ("module", Where.UNREACHED, False, S, ("stdlib-removed", "warning", "module")),
    # implicit project target: module level
    ("module", Where.PROJECT, True, D, None),
    ("module", Where.PROJECT, True, T, ("transitive", "warning", "module")),
    ("module", Where.PROJECT, True, V, ("dev-only", "error", "module")),
    ("module", Where.PROJECT, True, N, ("missing", "error", "module")),
    ("module", Where.PROJECT, True, S, ("stdlib-removed", "error", "module")),
    # implicit project target: function level
    ("function", Where.PROJECT_FUNCTION, True, D, None),
    ("function", Where.PROJECT_FUNCTION, True, T, ("transitive", "warning", "request")),
    ("function", Where.PROJECT_FUNCTION, True, V, ("dev-only", "warning", "request")),
    ("function", Where.PROJECT_FUNCTION, True, N, ("missing-at-request", "warning", "request")),
    # guarded: try/except ImportError and contextlib.suppress, at boot and in the project
    ("try", Where.BOOT, False, D, None),
    ("try", Where.BOOT, False, T, None),
    ("try", Where.BOOT, False, V, None),
    ("try", Where.BOOT, False, N, ("missing", "info", "guarded")),
    ("try", Where.PROJECT, True, N, ("missing", "info", "guarded")),
    ("suppress", Where.BOOT, False, T, None),
    ("suppress", Where.BOOT, False, V, None),
    ("suppress", Where.BOOT, False, N, ("missing", "info", "guarded")),
    # TYPE_CHECKING
    ("type-checking", Where.BOOT, False, D, None),
    ("type-checking", Where.BOOT, False, T, None),
    ("type-checking", Where.BOOT, False, V, None),
    ("type-checking", Where.BOOT, False, N, ("missing", "info", "type-checking")),
    ("type-checking", Where.PROJECT, True, N, ("missing", "info", "type-checking")),
    # test code: never an error
    ("module", Where.TEST, False, D, None),
    ("module", Where.TEST, False, T, None),
    ("module", Where.TEST, False, V, None),
    ("module", Where.TEST, False, N, ("missing", "warning", "module")),
    ("module", Where.TEST, True, N, ("missing", "warning", "module")),
    ("function", Where.TEST, False, N, ("missing", "warning", "module")),
]


@pytest.mark.parametrize(
    ("snippet", "where", "implicit", "status", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}-{'implicit' if row[2] else 'explicit'}-{row[3]}") for row in TABLE],
)
def test_rules_table(
    snippet: str, where: str, implicit: bool, status: str, expected: Optional[tuple[str, str, str]]
) -> None:
    finding = judge(case(snippet, where, status, implicit=implicit))
    assert outcome(finding) == expected
    if finding is not None:
        assert finding.target == (None if implicit else "Dockerfile")
        assert finding.module == "ext"
        assert (finding.file, finding.line) == ("views.py", EXT_LINE[snippet])
        # The chain is the boot path; elsewhere it is unknown.
        assert finding.chain == (CHAIN if where == Where.BOOT else ())


FALLBACK_SRC = """
try:
    import ujson as json
except ImportError:
    import simplejson as json
"""


@pytest.mark.parametrize(
    ("fallback_needed", "where", "status", "expected"),
    [
        pytest.param(False, Where.BOOT, N, None, id="primary-provided-fallback-silent"),
        pytest.param(False, Where.BOOT, V, None, id="primary-provided-dev-fallback-silent"),
        pytest.param(True, Where.BOOT, N, ("missing-at-boot", "error", "boot"), id="primary-missing-at-boot"),
        pytest.param(True, Where.BOOT, V, ("dev-only", "error", "boot"), id="primary-missing-dev-fallback"),
        pytest.param(True, Where.BOOT, D, None, id="primary-missing-fallback-provided"),
        pytest.param(True, Where.PROJECT, N, ("missing", "error", "module"), id="primary-missing-in-project"),
        pytest.param(True, Where.REQUEST, N, ("missing-at-request", "warning", "request"), id="at-request"),
    ],
)
def test_handler_fallback(
    fallback_needed: bool, where: str, status: str, expected: Optional[tuple[str, str, str]]
) -> None:
    handler = stmt(FALLBACK_SRC, "simplejson")
    finding = judge(case("", where, status, imp=handler, fallback_needed=fallback_needed,
                         implicit=where == Where.PROJECT))
    assert outcome(finding) == expected


def test_handler_primary_is_guarded_info() -> None:
    primary = stmt(FALLBACK_SRC, "ujson")
    assert outcome(judge(case("", Where.BOOT, N, imp=primary))) == ("missing", "info", "guarded")


IGNORE_SRC = {
    "bare": "import ext  # importaudit: ignore\n",
    "same-rule": "import ext  # importaudit: ignore[missing-at-boot]\n",
    "two-rules": "import ext  # importaudit: ignore[transitive, missing-at-boot]\n",
    "other-rule": "import ext  # importaudit: ignore[transitive]\n",
    "none": "import ext  # a plain comment\n",
}


@pytest.mark.parametrize(
    ("comment", "status", "expected"),
    [
        ("bare", N, None),
        ("bare", T, None),
        ("bare", V, None),
        ("same-rule", N, None),
        ("same-rule", T, ("transitive", "warning", "boot")),
        ("two-rules", N, None),
        ("two-rules", T, None),
        ("two-rules", V, ("dev-only", "error", "boot")),
        ("other-rule", N, ("missing-at-boot", "error", "boot")),
        ("other-rule", T, None),
        ("none", N, ("missing-at-boot", "error", "boot")),
    ],
)
def test_inline_ignore(comment: str, status: str, expected: Optional[tuple[str, str, str]]) -> None:
    imp = stmt(IGNORE_SRC[comment])
    assert outcome(judge(case("", Where.BOOT, status, imp=imp))) == expected


@pytest.mark.parametrize(
    ("where", "status", "implicit", "expected_severity"),
    [
        (Where.BOOT, N, False, "warning"),
        (Where.BOOT, V, False, "warning"),
        (Where.BOOT, S, False, "warning"),
        (Where.PROJECT, N, True, "warning"),
        (Where.BOOT, T, False, "warning"),
        (Where.REQUEST, N, False, "warning"),
    ],
)
def test_conditional_downgrades_errors(where: str, status: str, implicit: bool, expected_severity: str) -> None:
    snippet = "function" if where == Where.REQUEST else "module"
    plain = judge(case(snippet, where, status, implicit=implicit))
    cond = judge(case(snippet, where, status, implicit=implicit, conditional="settings.DEBUG"))
    assert plain is not None and cond is not None
    assert cond.severity.value == expected_severity
    assert cond.rule == plain.rule
    if plain.severity is Severity.ERROR:
        assert cond.message.endswith("(only when `settings.DEBUG` is true at run time)")
    else:
        assert cond.message == plain.message


def string_import(phase: Optional[str], via: str = "INSTALLED_APPS") -> Import:
    return Import(
        module="ext",
        location=Location("settings.py", 12),
        how=How.STRING,
        via=via,
        phase=phase,
    )


@pytest.mark.parametrize(
    ("phase", "where", "status", "expected"),
    [
        pytest.param("boot", Where.BOOT, N, ("missing-at-boot", "error", "string"), id="boot-missing"),
        pytest.param(None, Where.BOOT, N, ("missing-at-boot", "error", "string"), id="no-phase-missing"),
        pytest.param("boot", Where.BOOT, V, ("dev-only", "error", "string"), id="boot-dev"),
        pytest.param("boot", Where.BOOT, T, ("transitive", "warning", "string"), id="boot-transitive"),
        pytest.param("boot", Where.BOOT, D, None, id="boot-direct"),
        pytest.param("request", Where.BOOT, N, ("missing-at-request", "warning", "string"), id="request-phase"),
        pytest.param("request", Where.REQUEST, N, ("missing-at-request", "warning", "string"), id="request-unit"),
        pytest.param("request", Where.REQUEST, V, ("dev-only", "warning", "string"), id="request-dev"),
        pytest.param("boot", Where.UNREACHED, N, ("missing", "warning", "string"), id="unreached"),
    ],
)
def test_string_imports(
    phase: Optional[str], where: str, status: str, expected: Optional[tuple[str, str, str]]
) -> None:
    finding = judge(case("", where, status, imp=string_import(phase)))
    assert outcome(finding) == expected


def test_string_message_says_when_it_loads() -> None:
    boot = judge(case("", Where.BOOT, N, imp=string_import("boot", via="gunicorn -k")))
    later = judge(case("", Where.BOOT, N, imp=string_import("request", via="ROOT_URLCONF")))
    assert boot is not None and later is not None
    assert "settings.py:12: gunicorn -k loads ext when the target boots" in boot.message
    assert "settings.py:12: ROOT_URLCONF loads ext when it is first used" in later.message


def test_contract_example_message() -> None:
    imp = stmt("import pymysql\n", "pymysql", path="test_routes.py")
    imp = replace(imp, location=replace(imp.location, line=3))
    finding = judge(
        Case(
            imp=imp,
            where=Where.BOOT,
            provision=Provision(Status.NONE, "PyMySQL"),
            target="Dockerfile.zeabur",
            target_label="Dockerfile.zeabur",
            chain=("app.py", "test_routes.py"),
            fix_file="requirements_zeabur.txt",
        )
    )
    assert finding is not None
    assert finding.message == (
        "test_routes.py:3 imports pymysql at boot (app.py -> test_routes.py), but Dockerfile.zeabur "
        "installs nothing that provides it; add PyMySQL to requirements_zeabur.txt"
    )
    assert finding.fix == "add PyMySQL to requirements_zeabur.txt"
    assert (finding.distribution, finding.chain) == ("PyMySQL", ("app.py", "test_routes.py"))


@pytest.mark.parametrize(
    ("status", "needle"),
    [
        (T, "ext is installed only because Flask -> ext depends on it"),
        (V, "ext is only in requirements-dev.txt, which Dockerfile does not install"),
        (S, "but ext was removed from the standard library in Python 3.12"),
    ],
)
def test_messages_explain_the_cause(status: str, needle: str) -> None:
    finding = judge(case("module", Where.BOOT, status))
    assert finding is not None
    assert needle in finding.message


def test_implicit_missing_message_names_the_project() -> None:
    finding = judge(case("module", Where.PROJECT, N, implicit=True))
    assert finding is not None
    assert "no requirement of the project provides it" in finding.message
    assert finding.target is None


def test_unused_finding_and_selection() -> None:
    requirement = req("requests==2.31", "requirements.txt", 4)
    finding = unused_finding(requirement, "Dockerfile", "Dockerfile")
    assert finding is not None
    assert (finding.rule, finding.severity, finding.file, finding.line, finding.target) == (
        Rule.UNUSED, Severity.WARNING, "requirements.txt", 4, "Dockerfile"
    )
    assert finding.context is Context.MODULE
    missing = judge(case("module", Where.BOOT, N))
    assert missing is not None
    both = [finding, missing]
    assert apply_selection(both, frozenset(), frozenset()) == both
    assert apply_selection(both, frozenset({"unused"}), frozenset()) == [finding]
    assert apply_selection(both, frozenset(), frozenset({"unused"})) == [missing]
    assert apply_selection(both, frozenset({"unused"}), frozenset({"unused"})) == []


# ---------------------------------------------------------------------------------------------
# evidence: an error needs definitive evidence; a guess is a warning that says what is unknown


UNKNOWN = Evidence(Source.TABLE, unknown=("acme-sdk",))
NAMED_LIKE = Evidence(Source.GUESS, candidates=("acme-ext-core",))


@pytest.mark.parametrize(
    ("status", "evidence", "expected"),
    [
        pytest.param(Status.NONE, KNOWN, ("missing-at-boot", "error", "boot"), id="none-definitive"),
        pytest.param(Status.NONE, UNKNOWN, ("missing-at-boot", "warning", "boot"), id="none-unknown"),
        pytest.param(Status.NONE, NAMED_LIKE, ("missing-at-boot", "warning", "boot"), id="none-named-like"),
        pytest.param(Status.DEV, KNOWN, ("dev-only", "error", "boot"), id="dev-definitive"),
        pytest.param(Status.DEV, UNKNOWN, ("dev-only", "warning", "boot"), id="dev-unknown"),
        pytest.param(Status.STDLIB_REMOVED, UNKNOWN, ("stdlib-removed", "warning", "boot"),
                     id="stdlib-removed-unknown"),
    ],
)
def test_only_definitive_evidence_makes_an_error(status: str, evidence: Evidence,
                                                  expected: tuple[str, str, str]) -> None:
    base = case("module", Where.BOOT, status)
    got = judge(replace(base, provision=replace(base.provision, evidence=evidence)))
    assert outcome(got) == expected
    assert got is not None
    assert (got.unknown, got.candidates) == (evidence.unknown, evidence.candidates)


def test_a_guess_is_never_silence() -> None:
    # Whatever the evidence, an import nothing is known to provide gets a finding.
    for evidence in (KNOWN, UNKNOWN, NAMED_LIKE, Evidence(Source.GUESS)):
        base = case("module", Where.BOOT, Status.NONE)
        assert judge(replace(base, provision=replace(base.provision, evidence=evidence))) is not None


def test_the_warning_says_what_is_unknown_and_names_no_invented_distribution() -> None:
    base = case("module", Where.BOOT, Status.NONE)
    got = judge(replace(base, provision=replace(base.provision, evidence=NAMED_LIKE)))
    assert got is not None
    assert "acme-ext-core is named like it and may provide it" in got.message
    assert got.fix == (
        "if acme-ext-core provides ext, tell importaudit in [tool.importaudit.module-map]; otherwise "
        "declare the distribution that provides ext in requirements.txt (importaudit knows none that does)"
    )
    unknown = judge(replace(base, provision=replace(base.provision, evidence=UNKNOWN)))
    assert unknown is not None
    assert "importaudit does not know what acme-sdk brings in" in unknown.message
    assert unknown.fix == "add ext to requirements.txt"  # the table knows who provides ext


def test_weigh_is_the_only_demotion_for_evidence() -> None:
    assert weigh(Rule.MISSING_AT_BOOT, Severity.ERROR, UNKNOWN) is Severity.WARNING
    assert weigh(Rule.MISSING_AT_BOOT, Severity.ERROR, KNOWN) is Severity.ERROR
    assert weigh(Rule.TRANSITIVE, Severity.WARNING, UNKNOWN) is Severity.WARNING
