"""The real-world corpus runner's metrics: entry resolved (issue 9's table) and why a verdict is unknown."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks" / "realworld"))
import metrics


@pytest.mark.parametrize(("spec", "expected"), [
    ("pkg.wsgi:application", ("pkg.wsgi", "application")),
    ("pkg.app:create_app()", ("pkg.app", "create_app")),
    ("pkg.app:create_app(debug=False)", ("pkg.app", "create_app")),
    ("pkg/wsgi.py", ("pkg.wsgi", None)),
    ("pkg/__init__.py", ("pkg", None)),
    ("spokanetech.wsgi", ("spokanetech.wsgi", None)),
])
def test_an_entry_is_normalised_to_module_and_attr(spec: str, expected: tuple[str, object]) -> None:
    assert metrics.split_entry(spec) == expected


def test_the_entry_matches_across_a_call_and_a_package_prefix_but_not_another_attr() -> None:
    assert metrics.entry_found("h.app:create_app", ["conf/x.py", "h.app:create_app()"]) == "h.app:create_app()"
    assert metrics.entry_found("backend.run:app", ["src.backend.run:app"]) == "src.backend.run:app"
    assert metrics.entry_found("changedetection.py", ["changedetection.py"]) == "changedetection.py"
    # the entry naming the attr wins over the package's script path listed first
    assert metrics.entry_found("app:create_app()", ["app/__init__.py", "app:create_app()"]) == "app:create_app()"
    # kinto's ini app is not the console script's main(): another attr of the same module is no match
    assert metrics.entry_found("kinto.__main__:app", ["kinto.__main__:main()"]) is None
    assert metrics.entry_found("app.main:app", ["app.__main__:run_cli()"]) is None


def test_an_entry_is_reached_only_when_its_file_is_there_and_not_reported_unresolved(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "wsgi.py").write_text("application = None\n")
    ok = metrics.entry_resolved("pkg.wsgi:application", ["pkg.wsgi:application"], "", [], tmp_path)
    assert ok == {"entry_found": True, "entry_reached": True, "entry_file": "src/pkg/wsgi.py"}
    said = "gunicorn imports pkg.wsgi:application, which importaudit cannot find in the project"
    assert not metrics.entry_resolved("pkg.wsgi:application", ["pkg.wsgi:application"], said, [],
                                      tmp_path)["entry_reached"]
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("def create_app(): pass\n")
    package = metrics.entry_resolved("app:create_app()", ["app/__init__.py", "app:create_app()"], "", [], tmp_path)
    assert package == {"entry_found": True, "entry_reached": True, "entry_file": "app/__init__.py"}
    missing = metrics.entry_resolved("other.wsgi:application", ["other.wsgi:application"], "", [], tmp_path)
    assert missing["entry_found"] and not missing["entry_reached"]


@pytest.mark.parametrize(("verdict", "reason", "category"), [
    ("unknown", "pyln at boot: not known to be installed (unknown: pyln-client)",
     "evidence: a declared distribution not in the table"),
    ("unknown", "babybuddy/wsgi.py:1: starts Django, but no DJANGO_SETTINGS_MODULE was found",
     "settings not found"),
    ("unknown", "gunicorn imports x:app, which importaudit cannot find in the project",
     "start command not followed"),
    ("unknown", "could not tell what it runs", "start command not followed"),
    ("no such target", "", "start command not followed"),
    ("unknown", "installs what importaudit cannot read: Dockerfile:3 RUN ./install.sh",
     "other: installs unreadable"),
    ("unknown", "something new", "other"),
    ("boots", "", ""),
    ("fails-at-boot", "x (missing-at-boot)", ""),
])
def test_the_first_unknown_reason_is_categorised(verdict: str, reason: str, category: str) -> None:
    assert metrics.unknown_category(verdict, reason) == category


def test_held_out_apps_get_their_own_table() -> None:
    row = {"framework": "flask", "installer": "pip", "main_target": "Dockerfile", "entry_resolved": True,
           "entry_resolved_strict": False, "verdict": "unknown", "unknown_category": "other", "errors": [],
           "warnings": 0, "seconds": 0.1, "mutants": []}
    out = metrics.tables([{**row, "slug": "old"}, {**row, "slug": "new", "set": "held-out-2026-12-05"}])
    held = out.split("held-out apps only, set held-out-2026-12-05:")[1]
    assert "| new |" in held and "| old |" not in held
    assert "| **total** (1 apps) | | | | 1/1 | | | 0/1 |" in held


def test_each_held_out_set_gets_its_own_table() -> None:
    row = {"framework": "flask", "installer": "pip", "main_target": "Dockerfile", "entry_resolved": True,
           "entry_resolved_strict": False, "verdict": "unknown", "unknown_category": "other", "errors": [],
           "warnings": 0, "mutants": [], "seconds": 0.1}
    out = metrics.tables([{**row, "slug": "old"}, {**row, "slug": "first", "set": "held-out-2026-12-05"},
                          {**row, "slug": "second", "set": "held-out-2"}])
    first = out.split("held-out apps only, set held-out-2026-12-05:")[1]
    second = out.split("held-out apps only, set held-out-2:")[1].split("held-out apps only")[0]
    assert "| first |" in first and "| second |" not in first and "| old |" not in first
    assert "| second |" in second and "| first |" not in second
    assert "| **total** (1 apps) |" in second
