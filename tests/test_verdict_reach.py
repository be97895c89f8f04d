"""Which code a target runs at boot, seen through the verdict: factories called through classes and packages."""

from __future__ import annotations

from pathlib import Path

from scenario_support import audit, findings, only, verdicts, write

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


def test_a_main_guarded_call_runs_when_the_file_is_started_as_a_script(tmp_path: Path) -> None:
    # `python app.py` runs the `if __name__ == "__main__":` block, so main() and its import run at boot.
    write(tmp_path, {
        "Procfile": "web: python app.py\n",
        "requirements.txt": "flask\n",
        "app.py": """
            import flask


            def main():
                import markdown
                flask.Flask(__name__).run()


            if __name__ == "__main__":
                main()
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "line") == {("missing-at-boot", "error", "markdown", 5)}
    assert code == 1


def test_a_call_that_does_not_run_does_not_end_its_unit(tmp_path: Path) -> None:
    # setup_windows() is skipped on the Linux target; setup(), called after it, still runs at boot.
    write(tmp_path, {
        **PROCFILE,
        "wsgi.py": """
            import sys

            import flask


            def setup_windows():
                import pywin32_system32


            def setup():
                import markdown


            if sys.platform == "win32":
                setup_windows()
            setup()
            app = flask.Flask(__name__)
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "fails-at-boot"}
    # setup_windows is still a function of a boot file: its import may run on some request.
    assert findings(report, "rule", "severity", "module", "line") == {
        ("missing-at-boot", "error", "markdown", 11), ("missing-at-request", "warning", "pywin32_system32", 7)}
    assert code == 1


def test_a_syntax_error_in_a_urlconf_names_the_chain_through_the_settings(tmp_path: Path) -> None:
    # Django reaches ROOT_URLCONF from the settings module the WSGI file names.
    write(tmp_path, {
        "Procfile": "web: gunicorn proj.wsgi:application\n",
        "requirements.txt": "django\ngunicorn\n",
        "proj/__init__.py": "",
        "proj/wsgi.py": """
            import os
            from django.core.wsgi import get_wsgi_application
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
            application = get_wsgi_application()
        """,
        "proj/settings.py": 'SECRET_KEY = "x"\nROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = []\n',
        "proj/urls.py": "from django.urls import path\nurlpatterns = [\n",
    })
    _code, report = audit(tmp_path)
    finding = only(report, "proj.urls")
    assert (finding["rule"], finding["file"], finding["line"], finding["chain"]) == (
        "syntax-error", "proj/urls.py", 2, ["proj/wsgi.py", "proj/settings.py", "proj/urls.py"])
    assert finding["message"].endswith("(proj/wsgi.py -> proj/settings.py -> proj/urls.py)")


def test_a_name_bound_in_both_arms_of_a_version_branch_calls_the_running_arm(tmp_path: Path) -> None:
    """`from fast import setup` on 3.11+, `from compat import setup` before: on a 3.12 image the call
    runs fast.setup, so compat's import of tomli is not a boot import (it was, because the binding
    written last won); on a 3.10 image it is, and fails."""
    files = {
        "app.py": "import sys\nif sys.version_info >= (3, 11):\n    from fast import setup\nelse:\n"
                  "    from compat import setup\nsetup()\nimport flask\napp = flask.Flask(__name__)\n",
        "fast.py": "def setup():\n    return 1\n",
        "compat.py": "def setup():\n    import tomli\n    return tomli\n",
        "requirements.txt": "flask\ngunicorn\n",
    }
    for python, verdict in (("3.12", "boots"), ("3.10", "fails-at-boot")):
        write(tmp_path, {**files, "Dockerfile": f"FROM python:{python}-slim\nCOPY . .\n"
                         "RUN pip install -r requirements.txt\nCMD gunicorn app:app\n"})
        code, report = audit(tmp_path)
        assert (verdicts(report), code) == ({"Dockerfile": verdict}, 0 if verdict == "boots" else 1), python
        errors = {f for f in findings(report, "severity", "module", "chain") if f[0] == "error"}
        assert errors == (set() if verdict == "boots" else {("error", "tomli", ("app.py", "compat.py"))}), python
