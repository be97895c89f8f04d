"""Install command lines read as their tools define them: one row per flag.

Tools and options covered (each tool's own command reference):
- pip 25.1 `pip install`: -r/--requirement, -c/--constraint, -e/--editable, --group [path:]group,
  `.[extras]` (quoted or not), --no-deps, --target/-t, --prefix, --root, --user, --find-links/-f,
  --no-index, -i/--index-url, --extra-index-url, --upgrade/-U, --pre, --break-system-packages,
  --only-binary, --config-settings/-C; `pip wheel -w DIR`.
- uv 0.9 `uv pip install`: -r/--requirements, --system, --python/-p, --python-preference,
  --extra, --all-extras, --group, -c/--constraints, --index-strategy, --no-deps ("Ignore package
  dependencies, instead only installing those packages explicitly listed").
- uv 0.9 `uv sync`: --frozen, --locked, --no-dev, --only-dev, --group, --only-group, --no-group,
  --all-groups, --extra, --all-extras, --no-install-project, --package, --python.
- uv 0.9 `uv run`: syncs the project before running (--no-sync, --no-project skip it; --no-dev,
  --extra, --group... as for `uv sync`), --with adds packages.
- uv 0.9 `uv export`: -o/--output-file (or `>`), --format, --no-dev, --only-dev, --group,
  --extra, --no-hashes, --no-emit-project, --frozen.
- Poetry 2.1 `poetry install`: --only, --with, --without, -E/--extras, --all-extras, --no-root,
  --only-root, --no-dev (1.8); poetry-plugin-export 1.8 `poetry export`: -f, -o, --with,
  --without-hashes, --dev.
- pipenv `pipenv install`: --deploy, --system, --dev/-d, --categories, -r/--requirements.
- PDM 2.22 `pdm install`/`pdm sync`: -G/--group (and `:all`), --prod, --no-default,
  --frozen-lockfile, --no-self; `pdm install --no-lock` (pdm/cli/commands/install.py: do not lock when
  the lock file is missing or outdated).
"""

from __future__ import annotations

import shlex
from typing import Any, Optional

import pytest

from importaudit.model import InstallKind
from importaudit.targets.exports import parse_export
from importaudit.targets.installs import parse_install

REPO = {
    "requirements.txt", "requirements-dev.txt", "pyproject.toml", "sub/pyproject.toml", "sub", "constraints.txt"
}


def _resolve(path: str) -> Optional[str]:
    clean = path.lstrip("./") if path not in (".", "./") else ""
    return clean if clean == "" or clean in REPO else None


def _read(command: str) -> tuple[list[tuple[Any, ...]], list[str]]:
    parsed = parse_install(shlex.split(command), resolve=_resolve)
    assert parsed is not None
    rows = [
        (i.kind.value, i.spec, i.tool, i.extras, i.groups, i.include_dev, i.main, i.without, i.no_deps)
        for i in parsed.installs
    ]
    return rows, parsed.notes


def _project(spec: str = ".", tool: str = "pip", extras: tuple[str, ...] = (), groups: tuple[str, ...] = (),
             dev: bool = False, main: bool = True, without: tuple[str, ...] = (), no_deps: bool = False
             ) -> tuple[Any, ...]:
    return ("project", spec, tool, extras, groups, dev, main, without, no_deps)


def _reqs(spec: str, tool: str = "pip", no_deps: bool = False) -> tuple[Any, ...]:
    return ("requirements", spec, tool, (), (), False, True, (), no_deps)


def _pkg(spec: str, tool: str = "pip", no_deps: bool = False) -> tuple[Any, ...]:
    return ("package", spec, tool, (), (), False, True, (), no_deps)


CASES = [
    # pip
    ("pip install -r requirements.txt", [_reqs("requirements.txt")]),
    ("pip install -rrequirements.txt", [_reqs("requirements.txt")]),
    ("pip install --requirement=requirements.txt", [_reqs("requirements.txt")]),
    ("pip install -c constraints.txt flask", [_pkg("flask")]),
    ("pip install -e .", [_project()]),
    ("pip install '.[postgres]'", [_project(extras=("postgres",))]),
    ("pip install .[postgres,redis]", [_project(extras=("postgres", "redis"))]),
    ("pip install --group main", [_project(groups=("main",), main=False)]),
    ("pip install --group sub/pyproject.toml:web", [_project("sub", groups=("web",), main=False)]),
    ("pip install --group dev -e .", [_project(), _project(groups=("dev",), main=False)]),
    ("pip install --no-deps flask", [_pkg("flask", no_deps=True)]),
    ("pip install --no-deps -r requirements.txt", [_reqs("requirements.txt", no_deps=True)]),
    ("pip install --target /deps flask", [_pkg("flask")]),
    ("pip install -t /deps flask", [_pkg("flask")]),
    ("pip install --prefix /install -r requirements.txt", [_reqs("requirements.txt")]),
    ("pip install --user gunicorn", [_pkg("gunicorn")]),
    ("pip install --no-index --find-links /wheels flask", [_pkg("flask")]),
    ("pip install -i https://example.org/simple --extra-index-url https://x/simple flask", [_pkg("flask")]),
    ("pip install -U --pre --break-system-packages flask", [_pkg("flask")]),
    ("pip install --only-binary :all: -C key=value flask", [_pkg("flask")]),
    ("python -m pip install --upgrade pip", [_pkg("pip")]),
    # uv pip
    ("uv pip install --system -r requirements.txt", [_reqs("requirements.txt", "uv")]),
    ("uv pip install --system --requirements requirements.txt", [_reqs("requirements.txt", "uv")]),
    ("uv pip install --python-preference system -r requirements.txt", [_reqs("requirements.txt", "uv")]),
    ("uv pip install --python /usr/local/bin/python -r requirements.txt", [_reqs("requirements.txt", "uv")]),
    ("uv pip install -p 3.12 flask", [_pkg("flask", "uv")]),
    ("uv pip install -r pyproject.toml --extra api", [_project(tool="uv", extras=("api",))]),
    ("uv pip install -r pyproject.toml --all-extras", [_project(tool="uv", extras=("*",))]),
    ("uv pip install --index-strategy unsafe-best-match -c constraints.txt flask", [_pkg("flask", "uv")]),
    ("uv pip install --system --no-deps -r requirements.txt jinja2", [_reqs("requirements.txt", "uv", True),
                                                                      _pkg("jinja2", "uv", True)]),
    # uv sync
    ("uv sync", [_project(tool="uv", dev=True)]),
    ("uv sync --frozen --no-dev", [_project(tool="uv")]),
    # uv run: syncs the project first (with the dev group unless told otherwise), then runs CMD
    ("uv run python manage.py collectstatic", [_project(tool="uv", dev=True)]),
    ("uv run --no-dev --extra prod python manage.py check", [_project(tool="uv", extras=("prod",))]),
    ("uv run --frozen --no-dev pip install gunicorn",
     [_project(tool="uv"), ("package", "gunicorn", "pip", (), (), False, True, (), False)]),
    ("uv sync --locked --no-dev --no-install-project", [_project(tool="uv")]),
    ("uv sync --only-dev", [_project(tool="uv", groups=("dev",), main=False)]),
    ("uv sync --only-group web", [_project(tool="uv", groups=("web",), main=False)]),
    ("uv sync --no-dev --group web --extra api", [_project(tool="uv", extras=("api",), groups=("web",))]),
    ("uv sync --all-groups --no-group lint", [_project(tool="uv", groups=("*",), dev=True, without=("lint",))]),
    ("uv sync --no-dev --all-extras", [_project(tool="uv", extras=("*",))]),
    ("uv sync --no-group dev", [_project(tool="uv", without=("dev",))]),
    ("uv sync --no-dev --python 3.12 --python-preference only-system", [_project(tool="uv")]),
    # poetry
    ("poetry install", [_project(tool="poetry", dev=True)]),
    ("poetry install --only main --no-root", [_project(tool="poetry", groups=("main",))]),
    ("poetry install --only dev", [_project(tool="poetry", groups=("dev", "main"), main=False)]),
    ("poetry install --without dev,test --with docs", [_project(tool="poetry", groups=("docs",), dev=True,
                                                              without=("dev", "test"))]),
    ("poetry install --no-dev -E pg --extras 'redis s3'", [_project(tool="poetry", extras=("pg", "redis", "s3"))]),
    ("poetry install --only-root", [_project(tool="poetry", main=False)]),
    # pipenv
    ("pipenv install --deploy --system", [_project(tool="pipenv")]),
    ("pipenv install --dev --system", [_project(tool="pipenv", dev=True)]),
    ("pipenv install -r requirements.txt", [_reqs("requirements.txt")]),
    ("pipenv sync --categories 'packages web'", [_project(tool="pipenv", groups=("packages", "web"))]),
    # pdm
    ("pdm install --prod", [_project(tool="pdm")]),
    ("pdm install", [_project(tool="pdm", dev=True)]),
    ("pdm install --prod --no-lock --no-editable", [_project(tool="pdm")]),
    ("pdm install -G web --prod --frozen-lockfile", [_project(tool="pdm", extras=("web",), groups=("web",))]),
    ("pdm sync -G :all --no-self", [_project(tool="pdm", extras=("*",), groups=("*",), dev=True)]),
    ("pdm install --no-default -G web --prod", [_project(tool="pdm", extras=("web",), groups=("web",),
                                                          main=False)]),
]


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[c for c, _ in CASES])
def test_install_command(command: str, expected: list[tuple[Any, ...]]) -> None:
    rows, notes = _read(command)
    assert rows == expected
    assert not [n for n in notes if "skipped option" in n]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        # An unknown flag is noted and takes no value: the package after it is kept.
        ("pip install --frobnicate flask", [_pkg("flask")]),
        ("uv sync --frobnicate --no-dev", [_project(tool="uv")]),
    ],
)
def test_unknown_flags_are_noted_never_packages(command: str, expected: list[tuple[Any, ...]]) -> None:
    rows, notes = _read(command)
    assert rows == expected
    assert [n for n in notes if "--frobnicate" in n]


EXPORTS = [
    ("uv export --no-dev --format requirements-txt -o requirements.txt",
     ("requirements.txt", _project(tool="uv"))),
    ("uv export --frozen --no-hashes --no-emit-project --output-file out.txt",
     ("out.txt", _project(tool="uv", dev=True))),
    ("uv export --only-group web -o r.txt", ("r.txt", _project(tool="uv", groups=("web",), main=False))),
    ("uv export --no-dev --extra api -o r.txt", ("r.txt", _project(tool="uv", extras=("api",)))),
    ("poetry export -f requirements.txt -o r.txt --without-hashes", ("r.txt", _project(tool="poetry",
                                                                                      groups=("main",)))),
    ("poetry export -f requirements.txt -o r.txt --with web", ("r.txt", _project(tool="poetry",
                                                                                groups=("main", "web")))),
    ("poetry export -o r.txt --dev", ("r.txt", _project(tool="poetry", dev=True))),
    ("pdm export --prod -o r.txt", ("r.txt", _project(tool="pdm"))),
]


@pytest.mark.parametrize(("command", "expected"), EXPORTS, ids=[c for c, _ in EXPORTS])
def test_export(command: str, expected: tuple[str, tuple[Any, ...]]) -> None:
    found = parse_export(shlex.split(command), None, _resolve, [])
    assert found is not None
    output, i = found
    row = (i.kind.value, i.spec, i.tool, i.extras, i.groups, i.include_dev, i.main, i.without, i.no_deps)
    assert (output, row) == expected


def test_export_without_a_file_writes_nothing_we_follow() -> None:
    assert parse_export(["uv", "export", "--no-dev"], None, _resolve, []) is None


@pytest.mark.parametrize(
    ("command", "packages"),
    [
        # poetry 1.8 `poetry run`, pipenv 2024 `pipenv run`, pdm 2 `pdm run`, uv 0.9 `uv run`: the
        # command runs in the project's environment, so what it installs is installed there.
        ('poetry run pip install "Cython<3.0" pyyaml==5.4.1 --no-build-isolation',
         ["Cython<3.0", "pyyaml==5.4.1"]),
        ("pipenv run pip install gunicorn", ["gunicorn"]),
        ("pdm run python -m pip install uvicorn", ["uvicorn"]),
        ("uv run pip install whitenoise", ["whitenoise"]),
    ],
)
def test_a_project_tool_running_pip_installs_what_pip_names(command: str, packages: list[str]) -> None:
    parsed = parse_install(shlex.split(command), resolve=lambda path: None)
    assert parsed is not None
    assert [i.spec for i in parsed.installs if i.kind is InstallKind.PACKAGE] == packages


def test_a_project_tool_running_something_else_installs_nothing() -> None:
    words = shlex.split("poetry run python manage.py collectstatic")
    assert parse_install(words, resolve=lambda path: None) is None


@pytest.mark.parametrize(
    "command",
    [
        # pip 25 general options may precede the subcommand (`pip [general options] install ...`)
        "pip --no-cache-dir install --user mysqlclient",
        "pip -q --disable-pip-version-check install mysqlclient",
        "pip --cache-dir /tmp/c install mysqlclient",
        "python -m pip --no-cache-dir install mysqlclient",
    ],
)
def test_pip_general_options_before_the_subcommand(command: str) -> None:
    parsed = parse_install(shlex.split(command), resolve=lambda path: None)
    assert parsed is not None
    assert [i.spec for i in parsed.installs] == ["mysqlclient"]


@pytest.mark.parametrize("command", ["uv run --no-sync python manage.py check", "uv run --no-project python x.py"])
def test_uv_run_without_its_sync_installs_nothing(command: str) -> None:
    assert parse_install(shlex.split(command), resolve=_resolve) is None
