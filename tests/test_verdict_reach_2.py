"""The boot walk: the files' view it reads (an overlay) and which binding a call at boot runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scenario_support import audit, findings, verdicts, write

from importaudit.judge.reach import FileIndex, Overlay
from importaudit.model import ParsedFile


def _index(path: str) -> FileIndex:
    return FileIndex(parsed=ParsedFile(path=path, module=path.removesuffix(".py"), is_package=False))


def test_an_overlay_replaces_some_files_and_lists_every_file_once() -> None:
    base = {"app.py": _index("app.py"), "views.py": _index("views.py")}
    placed = _index("views.py")  # the same file re-indexed with what a framework places in it
    extra = {"views.py": placed, "settings.py": _index("settings.py")}
    files = Overlay(base, extra)
    assert files["views.py"] is placed
    assert files["app.py"] is base["app.py"]
    assert "settings.py" in files and "app.py" in files and "urls.py" not in files
    assert list(files) == ["app.py", "views.py", "settings.py"]
    assert len(files) == 3
    assert dict(files.items()) == {
        "app.py": base["app.py"], "views.py": placed, "settings.py": extra["settings.py"]}


def _boot_errors(report: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {f for f in findings(report, "severity", "module", "chain") if f[0] == "error"}


DOCKERFILE = "FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\nCMD {}\n"
SETUPS = {
    "fast.py": "def setup():\n    import orjson\n    return orjson\n",
    "compat.py": "def setup():\n    import tomli\n    return tomli\n",
    "requirements.txt": "flask\ngunicorn\n",
}


def test_an_unguarded_import_after_a_version_branch_rebinds_the_name_for_every_target(tmp_path: Path) -> None:
    # On 3.12 the branch binds fast.setup, but the unguarded import below rebinds setup to compat's:
    # the call runs compat.setup, whose tomli import fails at boot; fast's orjson never runs.
    write(tmp_path, {
        **SETUPS,
        "app.py": """
            import sys
            import flask
            if sys.version_info >= (3, 11):
                from fast import setup
            from compat import setup
            setup()
            app = flask.Flask(__name__)
        """,
        "Dockerfile": DOCKERFILE.format("gunicorn app:app"),
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    assert _boot_errors(report) == {("error", "tomli", ("app.py", "compat.py"))}
    assert code == 1


def test_a_binding_under_the_main_guard_is_the_running_one_when_the_file_is_started_as_a_script(
    tmp_path: Path,
) -> None:
    # `python app.py` runs the __main__ arm: setup is fast's, so orjson fails at boot and compat's
    # tomli never runs. Served by gunicorn (imported, not __main__), the else arm binds compat's.
    app = """
        import flask
        if __name__ == "__main__":
            from fast import setup
        else:
            from compat import setup
        setup()
        app = flask.Flask(__name__)
    """
    for command, module, callee in (
        ("python app.py", "orjson", "fast.py"), ("gunicorn app:app", "tomli", "compat.py"),
    ):
        write(tmp_path, {
            **SETUPS,
            "app.py": app,
            "Dockerfile": DOCKERFILE.format(command),
        })
        code, report = audit(tmp_path)
        assert verdicts(report) == {"Dockerfile": "fails-at-boot"}, command
        assert _boot_errors(report) == {("error", module, ("app.py", callee))}, command
        assert code == 1
