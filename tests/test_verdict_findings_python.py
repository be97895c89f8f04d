"""With --python: what the boot imports must be installed there, and installed versions must satisfy the pins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scenario_support import audit, findings, write
from test_verdict_findings_more import DJANGO_SITE, WEB


def _fake_distribution(site: Path, name: str, version: str, module: str) -> None:
    """A distribution as pip leaves it: the package and its .dist-info with METADATA and RECORD."""
    (site / module).mkdir(parents=True)
    (site / module / "__init__.py").write_text("")
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "INSTALLER").write_text("pip\n")
    (info / "RECORD").write_text(f"{module}/__init__.py,,\n{info.name}/METADATA,,\n{info.name}/RECORD,,\n")


def _environment(tmp_path: Path, *dists: tuple[str, str, str]) -> Path:
    """A venv without pip holding the named (distribution, version, module) and nothing else."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    for name, version, module in dists:
        _fake_distribution(site, name, version, module)
    return python


ENVIRONMENT = (
    ("pinned-pkg", "1.2.0", "pinned_pkg"),
    ("Drifted.Pkg", "1.0", "drifted_pkg"),
    ("spare-pkg", "2.0", "spare_pkg"),
    ("free-pkg", "1.0", "free_pkg"),
)
PINS = "pinned-pkg==1.2.0\ndrifted-pkg==2.0\nspare-pkg>=3\nabsent-pkg==1.0\nfree-pkg\n"
BOOT_APP = """
    from __future__ import annotations
    from typing import TYPE_CHECKING
    import json
    import pinned_pkg
    import drifted_pkg.sub
    import helpers
    try:
        import guarded_mod
    except ImportError:
        guarded_mod = None
    if TYPE_CHECKING:
        import typed_mod
    import sys
    if sys.version_info < (3, 0):
        import py2_mod

    def view():
        import lazy_mod

    import missing_mod  # after each kind of import that is skipped: skipping one does not end the file
    import missing_mod.deeper
"""


def _environment_findings(report: dict[str, object]) -> set[tuple[object, ...]]:
    return {f for f in findings(report, "rule", "severity", "module", "file", "line", "context", "chain",
                                 "distribution", "target")
            if f[0] in ("not-installed", "version-conflict")}


def test_python_option_checks_what_the_boot_imports_and_every_pin(tmp_path: Path) -> None:
    python = _environment(tmp_path, *ENVIRONMENT)
    project = write(tmp_path / "project", {
        "Procfile": "web: python app.py\n",
        "requirements.txt": PINS,
        "app.py": BOOT_APP,
        "helpers.py": "import missing_mod\nimport far_mod\n",  # missing_mod again: said once
        # Both sort before app.py: skipping them does not end the walk.
        "a_unreached.py": "import other_mod\n",  # no target loads it
        "a_test.py": "import pytest_only_mod\n",
    })
    code, report = audit(project, "--python", str(python))
    web = "Procfile:web"
    assert _environment_findings(report) == {
        ("not-installed", "error", "missing_mod", "app.py", 20, "boot", ("app.py",), None, web),
        ("not-installed", "error", "missing_mod", "app.py", 21, "boot", ("app.py",), None, web),
        ("not-installed", "error", "far_mod", "helpers.py", 2, "boot", ("app.py", "helpers.py"), None, web),
        ("version-conflict", "error", "drifted-pkg", "requirements.txt", 2, "boot", (), "Drifted.Pkg", web),
        ("version-conflict", "warning", "spare-pkg", "requirements.txt", 3, "module", (), "spare-pkg", web),
    }
    messages = {f["message"] for f in report["findings"] if f["rule"] in ("not-installed", "version-conflict")}
    assert messages == {
        f"app.py:20 imports missing_mod at boot, but no distribution installed in {python} provides it",
        f"app.py:21 imports missing_mod.deeper at boot, but no distribution installed in {python} provides it",
        f"helpers.py:2 imports far_mod at boot, but no distribution installed in {python} provides it",
        f"requirements.txt:2 asks for drifted-pkg==2.0, but {python} has Drifted.Pkg 1.0, and the boot imports it",
        f"requirements.txt:3 asks for spare-pkg>=3, but {python} has spare-pkg 2.0",
    }
    assert code == 1
    # --strict: a pin the boot does not import is an error too.
    code, report = audit(project, "--python", str(python), "--strict")
    assert ("version-conflict", "error", "spare-pkg", "requirements.txt", 3, "module", (), "spare-pkg", web) \
        in _environment_findings(report)


def test_python_option_on_the_project_skips_function_level_imports(tmp_path: Path) -> None:
    # No deploy target: every non-test file counts, but only its module-level imports run.
    python = _environment(tmp_path, ("pinned-pkg", "1.2.0", "pinned_pkg"))
    project = write(tmp_path / "project", {
        "requirements.txt": "pinned-pkg==1.0\n",
        "app.py": "import pinned_pkg\n\ndef view():\n    import lazy_mod\n\nimport missing_mod\n",
        "a_test.py": "import pytest_only_mod\n",  # sorts first
        "tools.py": "import other_mod\n",
    })
    code, report = audit(project, "--python", str(python))
    assert _environment_findings(report) == {
        ("not-installed", "error", "missing_mod", "app.py", 6, "boot", (), None, None),
        ("not-installed", "error", "other_mod", "tools.py", 1, "boot", (), None, None),
        ("version-conflict", "error", "pinned-pkg", "requirements.txt", 1, "boot", (), "pinned-pkg", None),
    }
    assert code == 1


def test_python_option_checks_the_modules_a_setting_names_at_boot(tmp_path: Path) -> None:
    python = _environment(tmp_path, ("Django", "5.1.4", "django"), ("gunicorn", "23.0.0", "gunicorn"))
    project = write(tmp_path / "project", {
        **DJANGO_SITE,
        "mysite/settings.py": """
            SECRET_KEY = "x"
            INSTALLED_APPS = ["django.contrib.contenttypes"]
            MIDDLEWARE = ["whitenoise.middleware.WhiteNoiseMiddleware"]
        """,
        "Procfile": "web: gunicorn mysite.wsgi\n",
    })
    code, report = audit(project, "--python", str(python))
    chain = ("mysite/wsgi.py", "mysite/settings.py")
    assert _environment_findings(report) == {
        ("not-installed", "error", "whitenoise", "mysite/settings.py", 3, "boot", chain, None, WEB),
    }
    (absent,) = [f for f in report["findings"] if f["rule"] == "not-installed"]
    assert absent["message"] == (
        f"mysite/settings.py:3 imports whitenoise.middleware at boot, but no distribution installed in {python} "
        "provides it"
    )
    assert code == 1


def test_python_option_checks_each_name_of_a_from_import_even_after_one_already_checked(tmp_path: Path) -> None:
    python = _environment(tmp_path, ("google-cloud-storage", "2.0", "google/cloud/storage"))
    project = write(tmp_path / "project", {
        "Procfile": "web: python app.py\n",
        "requirements.txt": "google-cloud-storage\ngoogle-cloud-pubsub\ngoogle-cloud-bigquery\n",
        "app.py": "from google.cloud import storage, pubsub_v1\nfrom google.cloud import storage, bigquery\n",
    })
    code, report = audit(project, "--python", str(python))
    # storage is installed (line 1) and already checked (line 2): the name after it is checked all the same
    assert _environment_findings(report) == {
        ("not-installed", "error", "google.cloud.pubsub_v1", "app.py", 1, "boot", ("app.py",), None, WEB),
        ("not-installed", "error", "google.cloud.bigquery", "app.py", 2, "boot", ("app.py",), None, WEB),
    }
    assert code == 1


def test_python_option_skips_a_version_it_cannot_read_and_accepts_an_installed_prerelease(tmp_path: Path) -> None:
    python = _environment(tmp_path, ("aaa-pkg", "1.0", "aaa_pkg"), ("bbb-pkg", "1.0", "bbb_pkg"),
                          ("ccc-pkg", "2.0b1", "ccc_pkg"))
    project = write(tmp_path / "project", {
        "Dockerfile": """
            FROM python:3.11-slim
            COPY . .
            RUN pip install pipenv && pipenv install --system
            CMD ["python", "app.py"]
        """,
        # "latest" is no version: nothing to compare. 2.0b1 satisfies >=1.0: pip installed it, so it is allowed.
        "Pipfile": '[packages]\naaa-pkg = "latest"\nbbb-pkg = "==2.0"\nccc-pkg = ">=1.0"\n',
        "app.py": "import aaa_pkg\nimport bbb_pkg\nimport ccc_pkg\n",
    })
    code, report = audit(project, "--python", str(python))
    assert _environment_findings(report) == {
        ("version-conflict", "error", "bbb-pkg", "Pipfile", 3, "boot", (), "bbb-pkg", "Dockerfile"),
    }
    assert code == 1
