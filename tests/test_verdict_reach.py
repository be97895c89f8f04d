"""Which code a target runs at boot, seen through the verdict: factories called through classes and packages."""

from __future__ import annotations

from pathlib import Path

from scenario_support import audit, findings, verdicts, write

PROCFILE = {
    "Procfile": "web: gunicorn wsgi:app\n",
    "requirements.txt": "flask\ngunicorn\n",
}


def test_a_classmethod_factory_called_at_boot_runs_its_imports_at_boot(tmp_path: Path) -> None:
    # wsgi calls App.create() at module level: the body of create runs while the server boots.
    write(tmp_path, {
        **PROCFILE,
        "wsgi.py": "from factory import App\napp = App.create()\n",
        "factory.py": """
            import flask


            class App:
                @classmethod
                def create(cls):
                    import markdown
                    return flask.Flask(__name__)
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "file", "line", "chain") == {
        ("missing-at-boot", "error", "markdown", "factory.py", 7, ("wsgi.py", "factory.py")),
    }
    assert code == 1


def test_a_factory_called_through_a_package_submodule_runs_at_boot(tmp_path: Path) -> None:
    write(tmp_path, {
        **PROCFILE,
        "wsgi.py": "from pkg import factory\napp = factory.create_app()\n",
        "pkg/__init__.py": "",
        "pkg/factory.py": """
            import flask


            def create_app():
                import markdown
                return flask.Flask(__name__)
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "file", "line") == {
        ("missing-at-boot", "error", "markdown", "pkg/factory.py", 5),
    }
    assert code == 1


def test_a_function_the_factory_never_calls_stays_a_request_import(tmp_path: Path) -> None:
    # The same layout, but boot code only imports the submodule: its function runs per request.
    write(tmp_path, {
        **PROCFILE,
        "wsgi.py": "import flask\nfrom pkg import factory\napp = flask.Flask(__name__)\n",
        "pkg/__init__.py": "",
        "pkg/factory.py": """
            def create_app():
                import markdown
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "boots"}
    assert findings(report, "rule", "severity", "module", "line") == {
        ("missing-at-request", "warning", "markdown", 2),
    }
    assert code == 0


def test_a_package_function_shadowing_a_submodule_of_its_name_is_the_one_called(tmp_path: Path) -> None:
    # `from pkg import run` takes pkg's attribute `run`, the function __init__ defines (Python looks
    # up the attribute before the submodule pkg/run.py); calling it runs its import at boot.
    write(tmp_path, {
        **PROCFILE,
        "wsgi.py": "from pkg import run\napp = run()\n",
        "pkg/__init__.py": """
            import flask


            def run():
                import markdown
                return flask.Flask(__name__)
        """,
        "pkg/run.py": "",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "file", "line") == {
        ("missing-at-boot", "error", "markdown", "pkg/__init__.py", 5),
    }
    assert code == 1
