"""The discover stage: which files are walked, how modules are named, what is first-party."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Optional

import pathspec
import pytest

from importaudit.model import AuditError
from importaudit.source.discover import ModuleIndex, _IgnoreRules, discover


def make(root: Path, files: Sequence[str], contents: Optional[dict[str, str]] = None) -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((contents or {}).get(name, ""))


# -- excludes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "kept"),
    [
        (
            [
                "app.py", ".git/hooks/x.py", ".hg/x.py", ".svn/x.py", "node_modules/a/b.py",
                "__pycache__/app.cpython-311.py", ".tox/py/x.py", ".nox/x.py", ".mypy_cache/x.py",
                ".pytest_cache/x.py", ".ruff_cache/x.py", "lib/site-packages/flask/__init__.py",
                "pkg.egg-info/PKG-INFO", "deep/down/__pycache__/x.py",
            ],
            ["app.py"],
        ),
        # a virtualenv whatever its name: it holds pyvenv.cfg
        (["app.py", "myenv/pyvenv.cfg", "myenv/lib/x.py", "myenv/bin/activate"], ["app.py"]),
        (["app.py", "envs/conda/conda-meta/history", "envs/conda/lib/x.py"], ["app.py"]),
        # the root itself a virtualenv: its own folders skipped, the project beside them kept
        (["pyvenv.cfg", "bin/tool.py", "lib/python3.12/site/x.py", "include/h.py", "app.py", "pkg/m.py"],
         ["app.py", "pkg/m.py", "pyvenv.cfg"]),
        # build output is skipped, a package named build is source
        (["build/lib/pkg/a.py", "dist/pkg.whl"], []),
        (["app/build/__init__.py", "app/build/x.py"], ["app/build/__init__.py", "app/build/x.py"]),
        # a file named like an excluded dir is kept
        (["build.py", "dist.txt"], ["build.py", "dist.txt"]),
    ],
)  # fmt: skip
def test_default_excludes(tmp_path: Path, files: list[str], kept: list[str]) -> None:
    make(tmp_path, files)
    assert list(discover(tmp_path).files) == kept


@pytest.mark.parametrize(
    ("files", "contents", "kept"),
    [
        (
            [".gitignore", "app.py", "debug.log", "local_settings.py", "out/x.py"],
            {".gitignore": "*.log\nlocal_settings.py\nout/\n"},
            [".gitignore", "app.py"],
        ),
        (  # nested .gitignore: its patterns are relative to its dir and override the parent's
            [".gitignore", "a.log", "sub/.gitignore", "sub/keep.log", "sub/b.log", "sub/secret.py",
             "secret.py"],
            {".gitignore": "*.log\n", "sub/.gitignore": "!keep.log\nsecret.py\n"},
            [".gitignore", "secret.py", "sub/.gitignore", "sub/keep.log"],
        ),
        (  # anchored pattern in a nested file
            ["sub/.gitignore", "sub/local.py", "sub/deeper/local.py"],
            {"sub/.gitignore": "/local.py\n"},
            ["sub/.gitignore", "sub/deeper/local.py"],
        ),
        (  # an ignored dir cannot be re-included from inside (git does not descend either)
            [".gitignore", "gen/x.py", "gen/.gitignore"],
            {".gitignore": "gen/\n", "gen/.gitignore": "!x.py\n"},
            [".gitignore"],
        ),
        (  # comments, blank lines, a bad pattern: the rest still applies
            [".gitignore", "a.tmp", "b.py"],
            {".gitignore": "# comment\n\n*.tmp\n"},
            [".gitignore", "b.py"],
        ),
    ],
)  # fmt: skip
def test_gitignore(tmp_path: Path, files: list[str], contents: dict[str, str], kept: list[str]) -> None:
    make(tmp_path, files, contents)
    assert list(discover(tmp_path).files) == kept


def test_gitignore_does_not_hide_what_a_platform_reads(tmp_path: Path) -> None:
    """`.*` in .gitignore with `.python-version` committed: git never ignores a tracked file, and
    a buildpack reads it. Descriptors, version files and requirement sources are found whatever
    the ignore patterns; other ignored files (source included) stay out; `exclude` still wins."""
    make(tmp_path, [".gitignore", ".python-version", ".hidden.py", "runtime.txt", "notes.txt",
                    "requirements-prod.txt", "deploy/api.Dockerfile", "deploy/.env", "app.py",
                    "Procfile", "cache/Dockerfile"],
         {".gitignore": ".*\n!.gitignore\n*.txt\ndeploy/*\ncache/\nProcfile\n"})
    assert list(discover(tmp_path).files) == [
        ".gitignore", ".python-version", "Procfile", "app.py", "deploy/api.Dockerfile",
        "requirements-prod.txt", "runtime.txt",
    ]
    assert "Procfile" not in discover(tmp_path, exclude=["Procfile"]).files


@pytest.mark.parametrize(
    ("exclude", "kept"),
    [
        (
            (),
            ["app.py", "blog/migrations/0001.py", "migrations/0001.py", "sample_projects/a/app.py"],
        ),
        (("sample_projects/**",), ["app.py", "blog/migrations/0001.py", "migrations/0001.py"]),
        (("migrations/",), ["app.py", "sample_projects/a/app.py"]),
        (("/migrations/",), ["app.py", "blog/migrations/0001.py", "sample_projects/a/app.py"]),
        (("*.py", "!app.py"), ["app.py", "sample_projects/a/app.py"]),
    ],
)
def test_exclude_globs(tmp_path: Path, exclude: tuple[str, ...], kept: list[str]) -> None:
    make(tmp_path, ["app.py", "migrations/0001.py", "blog/migrations/0001.py",
                    "sample_projects/a/app.py"])  # fmt: skip
    assert list(discover(tmp_path, exclude=exclude).files) == kept


def test_gitignore_cannot_reinclude_a_config_exclude(tmp_path: Path) -> None:
    make(tmp_path, ["blog/.gitignore", "blog/migrations/0001.py", "blog/views.py"],
         {"blog/.gitignore": "!migrations/\n"})  # fmt: skip
    kept = discover(tmp_path, exclude=["migrations/"]).files
    assert list(kept) == ["blog/.gitignore", "blog/views.py"]


@pytest.mark.parametrize(
    "patterns",
    [
        ["*.py[cod]", "build/", "/site", "docs/_build/", "a/**/b", "!keep.pyc", "*.log", "!x.log"],
        ["**/tmp", "foo/*", "!foo/bar", "\\#hash", "name with space", "*.egg-info/", "[ab]c?.py"],
    ],
)
def test_ignore_rules_agree_with_pathspec(patterns: list[str]) -> None:
    paths = [
        "x.pyc", "a/keep.pyc", "build/", "src/build/", "site", "sub/site", "docs/_build/",
        "a/b", "a/x/y/b", "z.log", "x.log", "tmp/", "q/tmp", "foo/bar", "foo/baz", "#hash",
        "name with space", "p.egg-info/", "ac1.py", "cc1.py", "plain.py",
    ]  # fmt: skip
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    rules = _IgnoreRules(patterns, ".gitignore")
    assert [bool(rules.decide(p)) for p in paths] == [spec.match_file(p) for p in paths]


def test_symlinks(tmp_path: Path) -> None:
    make(tmp_path, ["pkg/__init__.py", "pkg/real.py"])
    os.symlink(tmp_path, tmp_path / "pkg" / "loop")  # a directory loop: never followed
    os.symlink(tmp_path / "pkg" / "real.py", tmp_path / "alias.py")  # a file link: a file
    os.symlink(tmp_path / "missing.py", tmp_path / "broken.py")
    project = discover(tmp_path)
    assert list(project.files) == ["alias.py", "pkg/__init__.py", "pkg/real.py"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_directory_is_a_warning(tmp_path: Path) -> None:
    make(tmp_path, ["app.py", "locked/x.py"])
    (tmp_path / "locked").chmod(0)
    try:
        project = discover(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert list(project.files) == ["app.py"]
    assert [w.file for w in project.warnings] == ["locked"]


@pytest.mark.parametrize("error", [PermissionError(13, "Permission denied"), FileNotFoundError(2, "gone")])
def test_a_folder_that_cannot_be_listed_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    error: OSError) -> None:
    # Runs as root too (CI): the listing of one folder fails at the os.scandir boundary, as it does
    # for a folder without read permission or one removed while the walk runs.
    make(tmp_path, ["app.py", "locked/x.py", "open/y.py"])
    real = os.scandir

    @contextlib.contextmanager
    def scandir(path: str) -> Iterator[list[os.DirEntry[str]]]:
        if os.path.basename(str(path)) == "locked":
            raise error
        with real(path) as listing:
            # The OS lists in any order: put locked/ last, so the walk meets it before open/.
            yield sorted(listing, key=lambda entry: entry.name == "locked")

    monkeypatch.setattr(os, "scandir", scandir)
    project = discover(tmp_path)
    assert list(project.files) == ["app.py", "open/y.py"]
    assert [(w.file, w.line) for w in project.warnings] == [("locked", 0)]
    assert project.warnings[0].message == f"cannot read directory: {error.strerror}"


def test_root_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(AuditError):
        discover(tmp_path / "nope")


# -- sources, modules, roots ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "module", "is_package", "is_test"),
    [
        ("app.py", "app", False, False),
        ("pkg/__init__.py", "pkg", True, False),
        ("pkg/sub/mod.py", "pkg.sub.mod", False, False),
        ("ns/sub/mod.py", "ns.sub.mod", False, False),
        ("my-scripts/x.py", None, False, False),
        ("pkg/class.py", None, False, False),
        ("tests/test_app.py", "tests.test_app", False, True),
        ("pkg/test/helpers.py", "pkg.test.helpers", False, True),
        ("test_app.py", "test_app", False, True),
        ("app_test.py", "app_test", False, True),
        ("conftest.py", "conftest", False, True),
        ("pkg/conftest.py", "pkg.conftest", False, True),
        ("contest.py", "contest", False, False),
        ("testing.py", "testing", False, False),
        ("notebooks/test_eda.ipynb", None, False, True),
    ],
)
def test_source_refs(tmp_path: Path, path: str, module: Optional[str], is_package: bool, is_test: bool) -> None:
    make(tmp_path, ["pkg/__init__.py", path])
    [ref] = [ref for ref in discover(tmp_path).sources if ref.path == path]
    assert (ref.module, ref.is_package, ref.is_test) == (module, is_package, is_test)
    assert ref.is_notebook == path.endswith(".ipynb")


def test_src_layout(tmp_path: Path) -> None:
    make(tmp_path, ["src/pkg/__init__.py", "src/pkg/mod.py", "tests/test_mod.py", "setup.py",
                    "requirements.txt"])  # fmt: skip
    project = discover(tmp_path)
    assert project.roots == ("", "src")
    assert {ref.path: ref.module for ref in project.sources} == {
        "setup.py": "setup",
        "src/pkg/__init__.py": "pkg",
        "src/pkg/mod.py": "pkg.mod",
        "tests/test_mod.py": "tests.test_mod",
    }
    assert "pkg" in project.first_party
    assert "requirements.txt" in project.files
    assert project.index.resolve("pkg.mod", project.roots) == "src/pkg/mod.py"


def test_src_that_is_a_package_is_not_a_root(tmp_path: Path) -> None:
    make(tmp_path, ["src/__init__.py", "src/mod.py", "main.py"])
    project = discover(tmp_path)
    assert project.roots == ("",)
    assert {ref.path: ref.module for ref in project.sources}["src/mod.py"] == "src.mod"


def test_first_party_names(tmp_path: Path) -> None:
    make(tmp_path, ["app.py", "config.py", "jwt.py", "utils/helpers.py", "alembic/env.py",
                    "blog/__init__.py", "docs/readme.md", "my-tool/x.py", "setup.cfg"])  # fmt: skip
    project = discover(tmp_path, first_party=["internal_lib", " "])
    # docs/ holds no Python; my-tool/ is not an identifier
    assert project.first_party == {
        "app",
        "config",
        "jwt",
        "utils",
        "alembic",
        "blog",
        "internal_lib",
    }
    # Only namespace dirs: an installed regular package of that name would win over them.
    assert project.namespace_first_party == {"utils", "alembic"}


# -- the module index ----------------------------------------------------------------------------

INDEX_FILES = [
    "app.py",
    "pkg/__init__.py",
    "pkg/mod.py",
    "pkg/sub/__init__.py",
    "pkg/sub/deep.py",
    "ns/a.py",
    "lib/ns/b.py",
    "lib/ns/a.py",
    "lib/pkg/__init__.py",
    "lib/pkg/only_in_lib.py",
    "lib/both.py",
    "both/__init__.py",
    "same/__init__.py",
    "same.py",
    "fast.cpython-311-x86_64-linux-gnu.so",
    "cy.pyx",
    "README.md",
    "notes/todo.txt",
]


@pytest.mark.parametrize(
    ("dotted", "roots", "expected"),
    [
        ("app", ("",), "app.py"),
        ("pkg", ("",), "pkg/__init__.py"),
        ("pkg.mod", ("",), "pkg/mod.py"),
        ("pkg.sub", ("",), "pkg/sub/__init__.py"),
        ("pkg.sub.deep", ("",), "pkg/sub/deep.py"),
        ("pkg.nothing", ("",), None),
        ("app.attr", ("",), None),
        ("ns", ("",), "ns/"),
        ("ns.a", ("",), "ns/a.py"),
        ("ns.b", ("",), None),
        # namespace portions merge across roots; the first root's hit wins
        ("ns.b", ("", "lib"), "lib/ns/b.py"),
        ("ns.a", ("lib", ""), "lib/ns/a.py"),
        ("ns.a", ("", "lib"), "ns/a.py"),
        # a regular package in the first root hides the second root's package of that name
        ("pkg.only_in_lib", ("", "lib"), None),
        ("pkg.only_in_lib", ("lib", ""), "lib/pkg/only_in_lib.py"),
        ("both", ("lib", ""), "lib/both.py"),
        ("both", ("", "lib"), "both/__init__.py"),
        # in one directory a package beats a module of the same name
        ("same", ("",), "same/__init__.py"),
        ("fast", ("",), "fast.cpython-311-x86_64-linux-gnu.so"),
        ("cy", ("",), "cy.pyx"),
        ("notes", ("",), None),
        ("", ("",), None),
        ("pkg..mod", ("",), None),
        ("app", ("./",), "app.py"),
        ("mod", ("pkg",), "pkg/mod.py"),
    ],
)
def test_index_resolve(dotted: str, roots: tuple[str, ...], expected: Optional[str]) -> None:
    assert ModuleIndex(INDEX_FILES).resolve(dotted, roots) == expected


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        ("pkg/mod.py", "", "pkg.mod"),
        ("pkg/__init__.py", "", "pkg"),
        ("lib/ns/b.py", "lib", "ns.b"),
        ("lib/ns/b.py", "other", None),
        ("lib/ns/", "lib", "ns"),
        ("__init__.py", "", None),
        ("README.md", "", None),
        ("my-scripts/x.py", "", None),
        ("fast.cpython-311-x86_64-linux-gnu.so", "", "fast"),
    ],
)
def test_index_module_for(path: str, root: str, expected: Optional[str]) -> None:
    assert ModuleIndex(INDEX_FILES).module_for(path, root) == expected


@pytest.mark.parametrize(
    ("roots", "expected"),
    [
        (("",), {"app", "pkg", "ns", "lib", "both", "same", "fast", "cy"}),
        (("lib",), {"ns", "pkg", "both"}),
        (("lib", ""), {"app", "pkg", "ns", "lib", "both", "same", "fast", "cy"}),
    ],
)
def test_index_top_level_names(roots: tuple[str, ...], expected: set[str]) -> None:
    assert ModuleIndex(INDEX_FILES).top_level_names(roots) == expected


def test_a_virtualenv_root_is_said(tmp_path: Path) -> None:
    make(tmp_path, ["pyvenv.cfg", "bin/activate_this.py", "app.py"])
    project = discover(tmp_path)
    assert [ref.path for ref in project.sources] == ["app.py"]
    assert [(w.file, "bin/" in w.message) for w in project.warnings] == [("pyvenv.cfg", True)]
