"""rules.judge word for word where test_rules checks only rule and severity: doubt, fixes, notes, fallbacks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional

from scenario_support import audit, only, write

from importaudit.judge.rules import Case, Provision, Status, Where, judge
from importaudit.model import (
    Context,
    Evidence,
    Finding,
    Guard,
    GuardKind,
    How,
    Import,
    Location,
    Requirement,
    Rule,
    Scope,
    Severity,
    Source,
)


def module_import(module: str = "ext", line: int = 4, file: str = "app.py", **kw: object) -> Import:
    return Import(module=module, location=Location(file, line), **kw)  # type: ignore[arg-type]


def function_import(function: Optional[str] = "export", **kw: object) -> Import:
    return module_import(scope=Scope.FUNCTION, function=function, **kw)


def dev_req(source: str, group: str, name: str = "ext") -> Requirement:
    return Requirement(name=name, key=name, source=source, line=2, group=group, dev=True)


def make(
    imp: Import,
    status: str = Status.NONE,
    *,
    where: str = Where.BOOT,
    explicit: bool = True,
    distribution: Optional[str] = "ext-dist",
    **kw: object,
) -> Case:
    """One import of a Dockerfile target (or of the project) that installs from requirements.txt."""
    prov = kw.pop("provision", None) or Provision(status, distribution)
    return Case(
        imp=imp,
        where=where,
        provision=prov,  # type: ignore[arg-type]
        target="Dockerfile" if explicit else None,
        target_label="Dockerfile" if explicit else "the project",
        chain=kw.pop("chain", ("app.py",)),  # type: ignore[arg-type]
        fix_file=kw.pop("fix_file", "requirements.txt"),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def got(case: Case) -> Finding:
    finding = judge(case)
    assert finding is not None
    return finding


def doubtful(status: str, evidence: Evidence, **kw: object) -> Case:
    base = make(module_import(), status, **kw)
    return replace(base, provision=replace(base.provision, evidence=evidence))


# ---------------------------------------------------------------------------------------------
# What was unknown, said in the message: one or several names, "named like it" and "brings in"


def test_two_distributions_named_like_the_module_are_both_named_in_the_plural() -> None:
    finding = got(doubtful(Status.NONE, Evidence(Source.GUESS, candidates=("ext-core", "ext-lite"))))
    assert (finding.rule, finding.severity) == (Rule.MISSING_AT_BOOT, Severity.WARNING)
    assert finding.message == (
        "app.py:4 imports ext at boot, but nothing Dockerfile installs is known to provide it; ext-core and "
        "ext-lite are named like it and may provide it, but importaudit does not know their files (a name "
        "resemblance only); if ext-core or ext-lite provides ext, tell importaudit in "
        "[tool.importaudit.module-map]; otherwise declare the distribution that provides ext in "
        "requirements.txt (importaudit knows none that does)"
    )
    assert finding.candidates == ("ext-core", "ext-lite")


def test_more_than_three_unknown_distributions_are_counted_not_listed() -> None:
    unknown = ("alpha", "beta", "gamma", "delta")
    finding = got(doubtful(Status.NONE, Evidence(Source.TABLE, unknown=unknown)))
    assert finding.message == (
        "app.py:4 imports ext at boot, but nothing Dockerfile installs is known to provide it; importaudit "
        "does not know what alpha, beta, gamma and 1 more bring in (they are not in --python, a lock or "
        "importaudit's table); add ext-dist to requirements.txt"
    )
    assert finding.unknown == unknown


def test_three_unknown_names_are_listed_with_the_last_after_or_in_the_fix() -> None:
    finding = got(doubtful(Status.NONE, Evidence(Source.GUESS, unknown=("a-sdk", "b-sdk", "c-sdk"))))
    assert finding.fix == (
        "if a-sdk, b-sdk or c-sdk provides ext, tell importaudit in [tool.importaudit.module-map]; otherwise "
        "declare the distribution that provides ext in requirements.txt (importaudit knows none that does)"
    )
    assert "importaudit does not know what a-sdk, b-sdk and c-sdk provide or bring in (they are" in finding.message


def test_an_unknown_module_beside_one_opaque_distribution_may_be_provided_by_it() -> None:
    # The module's own distribution is unknown (a guess): the opaque one may provide it itself.
    finding = got(doubtful(Status.NONE, Evidence(Source.GUESS, unknown=("acme-sdk",)),
                           explicit=False, where=Where.PROJECT))
    assert (finding.rule, finding.severity) == (Rule.MISSING, Severity.WARNING)
    assert finding.message == (
        "app.py:4 imports ext at module level, but nothing the project installs is known to provide it; "
        "importaudit does not know what acme-sdk provides or brings in (it is not in --python, a lock or "
        "importaudit's table); if acme-sdk provides ext, tell importaudit in [tool.importaudit.module-map]; "
        "otherwise declare the distribution that provides ext in requirements.txt (importaudit knows none "
        "that does)"
    )


def test_a_name_resemblance_and_an_unknown_install_are_both_said() -> None:
    evidence = Evidence(Source.GUESS, unknown=("acme-sdk",), candidates=("ext-core",))
    finding = got(doubtful(Status.NONE, evidence))
    assert finding.message.startswith(
        "app.py:4 imports ext at boot, but nothing Dockerfile installs is known to provide it; ext-core is "
        "named like it and may provide it, but importaudit does not know its files (a name resemblance "
        "only); importaudit does not know what acme-sdk provides or brings in (it is not in --python, a "
        "lock or importaudit's table); if ext-core or acme-sdk provides ext, tell importaudit"
    )


def test_doubt_is_carried_by_the_rules_that_claim_an_absence_and_by_request_imports_only() -> None:
    evidence = Evidence(Source.TABLE, unknown=("acme-sdk",), candidates=("ext-core",))
    request = got(replace(doubtful(Status.NONE, evidence, where=Where.REQUEST),
                          imp=function_import()))
    assert (request.rule, request.unknown, request.candidates) == (
        Rule.MISSING_AT_REQUEST, ("acme-sdk",), ("ext-core",))
    transitive = got(doubtful(Status.TRANSITIVE, evidence))
    assert (transitive.rule, transitive.unknown, transitive.candidates) == (Rule.TRANSITIVE, (), ())
    # A guess that names the distribution in the message only as the import's name.
    dev = got(doubtful(Status.DEV, Evidence(Source.GUESS, candidates=("ext-core",))))
    assert dev.distribution == "ext-dist"
    assert dev.message.startswith("app.py:4 imports ext at boot, but ext is only in a development group")


# ---------------------------------------------------------------------------------------------
# The other rules' messages and fixes


def test_a_test_file_import_nothing_provides_names_both_kinds_of_requirement() -> None:
    finding = got(make(module_import(file="tests/test_app.py", line=1), where=Where.TEST))
    assert (finding.rule, finding.severity, finding.context) == (Rule.MISSING, Severity.WARNING, Context.MODULE)
    assert finding.message == (
        "tests/test_app.py:1 imports ext at module level, but no runtime or development requirement "
        "provides it"
    )
    assert finding.fix == "add ext-dist to requirements.txt"  # the fix is apart: a test may need a dev group
    assert finding.chain == ()


def test_a_guarded_import_says_its_note_and_has_no_fix() -> None:
    imp = module_import(guards=(Guard(GuardKind.EXCEPT_IMPORT),))
    finding = got(make(imp, provision=Provision(Status.NONE, "ext-dist", note="a marker excludes it")))
    assert (finding.rule, finding.severity, finding.context) == (Rule.MISSING, Severity.INFO, Context.GUARDED)
    assert finding.message == (
        "app.py:4 imports ext inside try/except ImportError; optional: nothing declared provides it, so the "
        "fallback runs; a marker excludes it"
    )
    assert finding.fix is None


def test_type_checking_wins_over_an_enclosing_try() -> None:
    imp = module_import(guards=(Guard(GuardKind.EXCEPT_IMPORT), Guard(GuardKind.TYPE_CHECKING)))
    finding = got(make(imp))
    assert (finding.context, finding.message, finding.fix) == (
        Context.TYPE_CHECKING, "app.py:4 imports ext under TYPE_CHECKING; never imported at run time", None)


def test_a_transitive_module_with_no_known_path_names_no_package() -> None:
    finding = got(make(module_import(), Status.TRANSITIVE))
    assert finding.message == (
        "app.py:4 imports ext at boot; ext-dist is installed only because another requirement depends on "
        "it; declare it directly so an upgrade of that package cannot remove it"
    )
    assert finding.fix == "add ext-dist to requirements.txt"


def test_a_dev_only_module_of_unknown_group_and_an_extra_name_where_to_move_it() -> None:
    unknown_group = got(make(module_import(), Status.DEV, fix_file=None))
    assert unknown_group.message == (
        "app.py:4 imports ext at boot, but ext-dist is only in a development group, which Dockerfile does "
        "not install; move it to the runtime dependencies"
    )
    assert unknown_group.fix == "move ext-dist from the dev group to the requirements"
    extra = got(make(module_import(), provision=Provision(
        Status.DEV, "ext-dist", dev_req("pyproject.toml", "extra:docs"))))
    assert extra.message == (
        "app.py:4 imports ext at boot, but ext-dist is only in the docs extra of pyproject.toml, which "
        "Dockerfile does not install; install that extra (`.[docs]`) or move it to the runtime dependencies"
    )
    assert extra.fix == "move ext-dist from pyproject.toml to requirements.txt"


def test_dev_groups_are_named_by_their_file() -> None:
    def group_text(source: str, group: str) -> str:
        finding = got(make(module_import(), provision=Provision(Status.DEV, "ext-dist", dev_req(source, group))))
        prefix = "app.py:4 imports ext at boot, but ext-dist is only in "
        assert finding.message.startswith(prefix)
        return finding.message[len(prefix):].split(", which Dockerfile")[0]

    assert group_text("requirements/dev.txt", "dev") == "requirements/dev.txt"
    assert group_text("pyproject.toml", "group:test") == "the test group of pyproject.toml"
    assert group_text("pyproject.toml", "dev") == "the dev group of pyproject.toml"
    assert group_text("poetry.lock", "dev") == "the dev group of poetry.lock"
    assert group_text("Pipfile", "dev") == "the dev group of Pipfile"
    assert group_text("environment.yml", "lint") == "the lint group of environment.yml"


def test_a_removed_stdlib_module_is_fixed_by_what_its_note_says() -> None:
    note = "imp was removed from the standard library in Python 3.12; use importlib"
    finding = got(make(module_import("imp"), provision=Provision(Status.STDLIB_REMOVED, None, note=note),
                       chain=("wsgi.py", "app.py")))
    assert finding.message == f"app.py:4 imports imp at boot (wsgi.py -> app.py), but {note}"
    assert finding.fix == note
    assert finding.chain == ("wsgi.py", "app.py")


def test_without_a_fix_file_the_fix_names_the_requirements() -> None:
    finding = got(make(module_import(), fix_file=None))
    assert finding.fix == "add ext-dist to the requirements"


def test_where_the_import_has_no_file_or_line_the_target_is_named() -> None:
    finding = got(make(module_import(file="", line=0), written="Ext"))
    assert finding.message.startswith("Dockerfile imports Ext at boot, but Dockerfile installs nothing")
    assert (finding.file, finding.line) == (None, None)


def test_the_finding_says_how_its_distribution_was_decided() -> None:
    finding = got(make(module_import(), provision=Provision(Status.NONE, "ext-dist", source="table")))
    assert finding.provider_source == "table"


# ---------------------------------------------------------------------------------------------
# Install steps importaudit cannot read, and conditions it cannot decide


OPAQUE = "`RUN pip install $(cat extra.txt)`"


def test_an_unreadable_install_step_makes_an_absence_a_warning_that_names_it() -> None:
    finding = got(make(module_import(), uncertain=OPAQUE))
    assert (finding.rule, finding.severity) == (Rule.MISSING_AT_BOOT, Severity.WARNING)
    assert finding.message == (
        "app.py:4 imports ext at boot, but nothing Dockerfile installs is known to provide it; add ext-dist "
        f"to requirements.txt (unless {OPAQUE} installs it: importaudit cannot read that step)"
    )
    dev = got(make(module_import(), Status.DEV, uncertain=OPAQUE))
    assert dev.severity is Severity.WARNING
    assert dev.message.endswith(f"(unless {OPAQUE} installs it: importaudit cannot read that step)")


def test_an_unreadable_install_step_cannot_bring_back_a_removed_stdlib_module() -> None:
    note = "imp was removed from the standard library in Python 3.12"
    finding = got(make(module_import("imp"), provision=Provision(Status.STDLIB_REMOVED, None, note=note),
                       uncertain=OPAQUE))
    assert (finding.severity, finding.message) == (Severity.ERROR, f"app.py:4 imports imp at boot, but {note}")


def test_a_request_import_under_an_unreadable_step_is_not_said_to_be_absent() -> None:
    request = got(make(function_import(), where=Where.REQUEST, uncertain=OPAQUE))
    assert request.severity is Severity.WARNING
    assert request.message.startswith(
        "app.py:4 imports ext inside export(), but nothing Dockerfile installs is known to provide it; it "
        "fails when that code runs; add ext-dist to requirements.txt"
    )


def test_an_undecidable_condition_and_an_unreadable_step_are_said_once_each() -> None:
    finding = got(make(module_import(), conditional="settings.DEBUG", uncertain=OPAQUE))
    assert finding.severity is Severity.WARNING
    # The condition made it a warning first; the unreadable step is then no longer the reason.
    assert finding.message == (
        "app.py:4 imports ext at boot, but nothing Dockerfile installs is known to provide it; add ext-dist "
        "to requirements.txt (only when `settings.DEBUG` is true at run time)"
    )


# ---------------------------------------------------------------------------------------------
# Where the import stands


def test_a_function_import_outside_any_entry_says_which_function() -> None:
    finding = got(make(function_import("Report.build"), where=Where.UNREACHED))
    assert (finding.rule, finding.severity, finding.context) == (Rule.MISSING, Severity.WARNING, Context.MODULE)
    assert finding.message.startswith("app.py:4 imports ext inside Report.build(), but Dockerfile installs")


def test_a_class_body_import_at_boot_is_at_boot() -> None:
    finding = got(make(module_import(scope=Scope.CLASS)))
    assert finding.message.startswith("app.py:4 imports ext at boot, but")


def test_a_string_loaded_at_boot_by_an_unreached_setting_is_loaded_when_first_used() -> None:
    imp = module_import(how=How.STRING, via="CACHES", phase="boot")
    finding = got(make(imp, where=Where.UNREACHED))
    assert finding.message.startswith("app.py:4: CACHES loads ext when it is first used, but")


def test_a_migrate_phase_string_is_not_a_boot_failure() -> None:
    imp = module_import(how=How.STRING, via="MIGRATION_MODULES", phase="migrate")
    finding = got(make(imp))
    assert (finding.rule, finding.severity, finding.context) == (
        Rule.MISSING_AT_REQUEST, Severity.WARNING, Context.STRING)
    assert finding.message.startswith("app.py:4: MIGRATION_MODULES loads ext when it is first used, but")
    dev = got(make(imp, Status.DEV))
    assert (dev.rule, dev.severity) == (Rule.DEV_ONLY, Severity.WARNING)


def test_a_fallback_import_is_silent_when_its_primary_is_there_whatever_provides_it() -> None:
    imp = module_import(guards=(Guard(GuardKind.HANDLER),))
    for status in (Status.NONE, Status.TRANSITIVE, Status.STDLIB_REMOVED):
        assert judge(make(imp, status, fallback_needed=False)) is None
    assert got(make(imp, Status.STDLIB_REMOVED, provision=Provision(Status.STDLIB_REMOVED, None, note="gone"))
               ).severity is Severity.ERROR


def test_poetry_legacy_dev_dependencies_are_named_as_the_dev_group_of_pyproject(tmp_path: Path) -> None:
    # `[tool.poetry.dev-dependencies]` (Poetry < 1.2) is the group "dev" read from a .toml file: the
    # message names the group in the file, not the file alone as for a requirements-dev.txt.
    write(tmp_path, {
        "pyproject.toml": """
            [tool.poetry]
            name = "svc"
            version = "0.1.0"
            description = ""
            authors = ["A <a@example.com>"]

            [tool.poetry.dependencies]
            python = "^3.12"
            flask = "^3.0"
            gunicorn = "^23.0"

            [tool.poetry.dev-dependencies]
            markdown = "^3.7"
        """,
        "Dockerfile": """
            FROM python:3.12-slim
            COPY . .
            RUN pip install poetry && poetry install --only main
            CMD ["gunicorn", "app:app"]
        """,
        "app.py": "import flask\nimport markdown\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    finding = only(report, "markdown")
    assert (finding["rule"], finding["severity"]) == ("dev-only", "error")
    assert finding["message"] == (
        "app.py:2 imports markdown at boot, but markdown is only in the dev group of pyproject.toml, which "
        "Dockerfile does not install; move it to the runtime dependencies"
    )
    assert code == 1


def test_a_path_that_starts_with_a_space_is_named_as_it_is() -> None:
    # A folder named " old" is a valid project path; the message must name it exactly.
    finding = got(make(module_import(file=" old/app.py", line=2)))
    assert finding.message.startswith(" old/app.py:2 imports ext at boot, but Dockerfile installs")
    assert finding.file == " old/app.py"


def test_a_group_name_holding_a_colon_is_named_whole() -> None:
    # Pipfile categories and TOML group keys are read as written: only the first colon is the kind's.
    finding = got(make(module_import(), provision=Provision(
        Status.DEV, "ext-dist", dev_req("Pipfile", "group:docs:strict"))))
    assert finding.message.startswith(
        "app.py:4 imports ext at boot, but ext-dist is only in the docs:strict group of Pipfile, which")


def test_an_extra_name_holding_a_colon_is_named_whole_in_the_remedy() -> None:
    finding = got(make(module_import(), provision=Provision(
        Status.DEV, "ext-dist", dev_req("pyproject.toml", "extra:docs:all"))))
    assert finding.message.endswith(
        "only in the docs:all extra of pyproject.toml, which Dockerfile does not install; install that extra "
        "(`.[docs:all]`) or move it to the runtime dependencies")


def test_two_opaque_distributions_are_spoken_of_in_the_plural() -> None:
    finding = got(doubtful(Status.NONE, Evidence(Source.LOCK, unknown=("acme-sdk", "beta-sdk"))))
    assert finding.message == (
        "app.py:4 imports ext at boot, but nothing Dockerfile installs is known to provide it; importaudit "
        "does not know what acme-sdk and beta-sdk bring in (they are not in --python, a lock or importaudit's "
        "table); add ext-dist to requirements.txt"
    )
