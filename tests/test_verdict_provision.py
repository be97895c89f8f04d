"""What provides a module for a target, seen through the verdict: evidence, setuptools, stdlib changes."""

from __future__ import annotations

from pathlib import Path

from scenario_support import audit, findings, only, verdicts, write


def _dockerfile(python: str) -> str:
    return f"""
        FROM python:{python}-slim
        COPY . .
        RUN pip install -r requirements.txt
        CMD ["gunicorn", "app:app"]
    """


def test_a_declared_distribution_with_unknown_requirements_makes_an_unknown_module_uncertain(
    tmp_path: Path,
) -> None:
    # acme-sdk's modules are known (module-map) but not what it depends on: it may bring frobnicate.
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.11"),
        "requirements.txt": "flask\ngunicorn\nacme-sdk\n",
        "pyproject.toml": '[tool.importaudit]\nmodule-map = { acme = "acme-sdk" }\n',
        "app.py": "import flask\nimport acme\nimport frobnicate\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "unknown"}
    finding = only(report, "frobnicate")
    assert (finding["rule"], finding["severity"], finding["unknown"]) == (
        "missing-at-boot", "warning", ["acme-sdk"])
    assert "importaudit does not know what acme-sdk provides or brings in" in finding["message"]
    assert code == 0


def test_setuptools_submodules_come_with_the_image_before_python_3_12(tmp_path: Path) -> None:
    # python:3.11 images ship setuptools: a submodule import of it needs no declaration.
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.11"),
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": """
            import flask
            from setuptools.command.build_py import build_py
            import pkg_resources.extern
            app = flask.Flask(__name__)
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots"}
    assert report["findings"] == []
    assert code == 0


def test_setuptools_submodules_are_missing_on_python_3_12_with_the_reason(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.12"),
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": "import flask\nimport pkg_resources.extern\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "distribution") == {
        ("missing-at-boot", "error", "pkg_resources", "setuptools")}
    assert "no longer ship setuptools, which provides pkg_resources;" in only(report, "pkg_resources")["message"]
    assert code == 1


def test_the_same_driver_module_is_judged_by_each_urls_own_distributions(tmp_path: Path) -> None:
    # A plain postgresql:// URL (SQLAlchemy version unknown) accepts psycopg 3, which the target
    # installs; postgresql+psycopg2:// needs psycopg2 itself. Both name the module psycopg2.
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.12"),
        "requirements.txt": "flask\ngunicorn\nsqlalchemy\npsycopg\n",
        "app.py": """
            import flask
            from sqlalchemy import create_engine
            engine = create_engine("postgresql://u@h/db")
            reports = create_engine("postgresql+psycopg2://u@h/reports")
            app = flask.Flask(__name__)
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "line") == {
        ("missing-at-boot", "error", "psycopg2", 4)}
    assert code == 1


def test_a_removed_stdlib_module_beside_a_distribution_of_unknown_requirements_is_uncertain(
    tmp_path: Path,
) -> None:
    # asynchat left the standard library in 3.12; acme-sdk (files known, requirements not) may bring it.
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.12"),
        "requirements.txt": "flask\ngunicorn\nacme-sdk\n",
        "pyproject.toml": '[tool.importaudit]\nmodule-map = { acme = "acme-sdk" }\n',
        "app.py": "import flask\nimport acme\nimport asynchat\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "unknown"}
    finding = only(report, "asynchat")
    assert (finding["rule"], finding["severity"], finding["decided_by"], finding["unknown"]) == (
        "stdlib-removed", "warning", "stdlib", ["acme-sdk"])
    assert finding["message"] == (
        "app.py:3 imports asynchat at boot, but asynchat was removed from the standard library in "
        "Python 3.12 and the target runs 3.12; declare pyasynchat or standard-asynchat to provide it; "
        "importaudit does not know what acme-sdk brings in (it is not in --python, a lock or "
        "importaudit's table)"
    )
    assert code == 0


def test_a_removed_stdlib_module_beside_a_distribution_named_like_it_is_uncertain(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.12"),
        "requirements.txt": "flask\ngunicorn\nasynchat-fork\n",
        "app.py": "import flask\nimport asynchat\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "unknown"}
    finding = only(report, "asynchat")
    assert (finding["rule"], finding["severity"], finding["candidates"], finding["unknown"]) == (
        "stdlib-removed", "warning", ["asynchat-fork"], [])
    assert finding["message"].endswith(
        "; asynchat-fork is named like it and may provide it, but importaudit does not know its files "
        "(a name resemblance only)")
    assert code == 0


def test_a_module_newer_than_the_target_python_names_no_replacement(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.10"),
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": "import flask\nimport tomllib\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    finding = only(report, "tomllib")
    assert (finding["rule"], finding["severity"], finding["decided_by"]) == ("stdlib-removed", "error", "stdlib")
    assert finding["message"] == (
        "app.py:2 imports tomllib at boot, but tomllib is in the standard library only from Python 3.11 "
        "and the target runs 3.10"
    )
    assert code == 1


def test_distutils_brought_by_a_dependency_is_transitive_through_setuptools(tmp_path: Path) -> None:
    # pbr requires setuptools, which provides distutils on 3.12 (removed from the standard library).
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.12"),
        "requirements.txt": "flask\ngunicorn\npbr\n",
        "app.py": "import flask\nimport distutils.util\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots"}
    finding = only(report, "distutils")
    assert (finding["rule"], finding["severity"], finding["decided_by"], finding["distribution"]) == (
        "transitive", "warning", "stdlib", "setuptools")
    assert finding["message"] == (
        "app.py:2 imports distutils.util at boot; setuptools is installed only because pbr -> setuptools "
        "depends on it; declare it directly so an upgrade of pbr cannot remove it"
    )
    assert code == 0


def test_transitive_and_dev_only_findings_say_the_table_decided_the_distribution(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.12"),
        "requirements.txt": "flask\ngunicorn\n",
        "requirements-dev.txt": "markdown\n",
        "app.py": "import flask\nimport werkzeug\nimport markdown\napp = flask.Flask(__name__)\n",
    })
    _code, report = audit(tmp_path)
    assert findings(report, "rule", "module", "decided_by") == {
        ("transitive", "werkzeug", "table"), ("dev-only", "markdown", "table")}


def test_a_pip_compile_lock_keeps_the_dependency_path_of_what_it_locks(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.12"),
        "requirements.txt": """
            #
            # This file is autogenerated by pip-compile with Python 3.12
            #
            flask==3.0.0
                # via -r requirements.in
            gunicorn==22.0.0
                # via -r requirements.in
            werkzeug==3.0.1
                # via flask
        """,
        "app.py": "import flask\nimport werkzeug\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots"}
    finding = only(report, "werkzeug")
    assert finding["rule"] == "transitive"
    assert "Werkzeug is installed only because Flask -> Werkzeug depends on it" in finding["message"]
    assert code == 0


def test_a_marker_that_excludes_setuptools_and_the_3_12_note_are_both_said(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.12"),
        "requirements.txt": 'flask\ngunicorn\nsetuptools; python_version < "3.12"\n',
        "app.py": "import flask\nimport pkg_resources\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    assert only(report, "pkg_resources")["message"] == (
        "app.py:2 imports pkg_resources at boot, but Dockerfile installs nothing that provides it; "
        'requirements.txt:3 declares setuptools with the marker `python_version < "3.12"`, which is '
        "false on the target (Linux, Python 3.12); python 3.12+ images and virtualenvs no longer ship "
        "setuptools, which provides pkg_resources; add setuptools to requirements.txt"
    )
    assert code == 1


def test_a_transitive_module_known_only_by_its_name_names_no_distribution_in_the_fix(tmp_path: Path) -> None:
    # g2p-en requires `distance`, whose files importaudit does not know: that the distribution
    # `distance` provides the module `distance` is a guess, and a guess never names a fix (CONTRACT).
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.12"),
        "requirements.txt": "flask\ngunicorn\ng2p-en\n",
        "app.py": "import flask\nimport g2p_en\nimport distance\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots"}
    finding = only(report, "distance")
    assert (finding["rule"], finding["severity"], finding["decided_by"]) == ("transitive", "warning", "guess")
    assert finding["fix"] == (
        "declare the distribution that provides distance in requirements.txt (importaudit knows none that does)")
    assert code == 0


def test_a_pin_of_another_major_release_than_the_tables_leaves_its_files_unknown(tmp_path: Path) -> None:
    """The bundled table read django-recaptcha 4.1.0, which ships `django_recaptcha`; 3.0.0 shipped
    `captcha`. With 3.0.0 pinned, an import of captcha may be provided: a warning naming the pinned
    distribution, not an error. A pin of the table's major release keeps the table's answer."""
    app = "import flask\nimport captcha\napp = flask.Flask(__name__)\n"
    for pin, verdict, severity in (("3.0.0", "unknown", "warning"), ("4.0.0", "fails-at-boot", "error")):
        write(tmp_path, {
            "Dockerfile": _dockerfile("3.11"),
            "requirements.txt": f"flask\ngunicorn\ndjango-recaptcha=={pin}\n",
            "app.py": app,
        })
        code, report = audit(tmp_path)
        assert verdicts(report) == {"Dockerfile": verdict}, pin
        (finding,) = [f for f in report["findings"] if f["module"] == "captcha"]
        assert (finding["rule"], finding["severity"]) == ("missing-at-boot", severity), pin
        assert ("django-recaptcha" in finding["message"]) == (severity == "warning"), pin
        assert code == (1 if severity == "error" else 0)


def test_a_stub_only_distribution_pinned_to_an_older_major_provides_no_module(tmp_path: Path) -> None:
    """types-cachetools==5 (the table read 7.x) ships `cachetools-stubs` only, in every release: it
    does not make a missing cachetools uncertain, so the error stands."""
    write(tmp_path, {
        "Dockerfile": _dockerfile("3.11"),
        "requirements.txt": "flask\ngunicorn\ntypes-cachetools==5.3.0.7\n",
        "app.py": "import flask\nimport cachetools\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    (finding,) = [f for f in report["findings"] if f["module"] == "cachetools"]
    assert (finding["rule"], finding["severity"], code) == ("missing-at-boot", "error", 1)
