"""Programs a project's code runs in-process (`litestar_group()`, `pserve.main(argv)`), and Litestar's CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import pytest
from targets_support import check_start, write_files

from importaudit.targets.commands import StartCommand, parse_start_command

FILES = {
    "pyproject.toml": """\
        [project]
        name = "shop"
        [project.scripts]
        shop = "shop.__main__:run_cli"
        shop-literal = "shop.paste:serve_literal"
        shop-computed = "shop.paste:serve_computed"
        [project.entry-points."paste.app_factory"]
        main = "shop.server:make_app"
    """,
    "shop/__init__.py": "",
    "shop/server.py": """\
        from litestar import Litestar
        def create_app() -> Litestar:
            return Litestar([])
        def make_app(global_config, **settings):
            return create_app()
    """,
    "shop/__main__.py": """\
        import os
        def setup_environment():
            os.environ.setdefault("LITESTAR_APP", "shop.server:create_app")
        def run_cli():
            setup_environment()
            from litestar.cli.main import litestar_group
            litestar_group()
    """,
    "shop/paste.py": """\
        import sys
        from pyramid.scripts import pserve
        def serve_literal():
            pserve.main(argv=["pserve", "production.ini"])
        def serve_computed():
            argv = ["pserve", sys.argv[-1]]
            pserve.main(argv=argv)
    """,
    "production.ini": "[app:main]\nuse = egg:shop\n",
}
CREATE_APP = ("shop.server:create_app()", "app", "litestar (LITESTAR_APP)", "master")
# The script's function runs before the program it hands over to serves.
RUN_CLI = ("shop.__main__:run_cli()", "app", "pre-start", "master")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("handoffs")
    write_files(root, FILES)
    return root


def parse(root: Path, command: str, env: Optional[dict[str, str]] = None) -> StartCommand:
    return parse_start_command(command, root=root, files=sorted(FILES), env=env or {})


CASES: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    # the script's function sets LITESTAR_APP (setdefault), then runs Litestar's CLI group with the
    # script's own arguments: `shop run` is `litestar run` on that app
    (
        "shop run --host 0.0.0.0",
        {},
        {
            "entries": [RUN_CLI, CREATE_APP],
            "env": [("LITESTAR_APP", "shop.server:create_app")],
            "needs": ["litestar"],
        },
    ),
    # setdefault keeps a value the environment already has
    (
        "shop run",
        {"LITESTAR_APP": "shop.other:app"},
        {"entries": [RUN_CLI, ("shop.other:app()", "app", "litestar (LITESTAR_APP)", "master")]},
    ),
    ("litestar run", {"LITESTAR_APP": "shop.server:create_app"}, {"server": "litestar", "entries": [CREATE_APP]}),
    (
        "litestar --app shop.server:create_app run --port 8000",
        {},
        {"entries": [("shop.server:create_app()", "app", "litestar --app", "master")]},
    ),
    (
        "python -m litestar --app shop.server:create_app run",
        {},
        {"entries": [("shop.server:create_app()", "app", "litestar --app", "master")]},
    ),
    # a literal argv handed to pserve's main: the ini it names is read
    (
        "shop-literal",
        {},
        {
            "entries": [
                ("shop.paste:serve_literal()", "app", "pre-start", "master"),
                ("shop.server:make_app()", "app", "pserve (production.ini [app:main])", "master"),
            ]
        },
    ),
]


@pytest.mark.parametrize(("command", "env", "expected"), CASES, ids=[c for c, _, _ in CASES])
def test_program_run_in_process(
    project: Path, command: str, env: dict[str, str], expected: dict[str, Any]
) -> None:
    start = parse(project, command, env)
    check_start(start, expected)
    assert start.unfollowed == ()


def test_computed_arguments_are_not_followed(project: Path) -> None:
    """pserve handed an argv built at run time serves an app nobody can name: the target says so."""
    start = parse(project, "shop-computed start")
    assert [e.spec for e in start.entries] == ["shop.paste:serve_computed()"]
    assert len(start.unfollowed) == 1
    assert "-> pserve (in-process) (shop/paste.py:7): pserve is handed arguments built at run time" in (
        start.unfollowed[0]
    )


AUTODISCOVERY: list[tuple[dict[str, str], list[tuple[str, str]], bool]] = [
    # app.py holding a Litestar instance
    ({"app.py": "from litestar import Litestar\napp = Litestar([])\n"}, [("app:app", "app")], False),
    # app/ package: app/__init__.py is tried (and imported) first, then app/app.py, then app/*.py
    (
        {
            "app/__init__.py": "import os\n",
            "app/main.py": "from litestar import Litestar\ndef create_app():\n    return Litestar([])\n",
        },
        [("app", "module"), ("app.main:create_app()", "app")],
        False,
    ),
    # a factory annotated to return Litestar
    (
        {"application.py": "import litestar\ndef build() -> litestar.Litestar:\n    return litestar.Litestar()\n"},
        [("application:build()", "app")],
        False,
    ),
    # nothing to discover: every tried module is imported, and the app is not known
    ({"app.py": "import os\n", "other.py": ""}, [("app", "module")], True),
]


@pytest.mark.parametrize(
    ("files", "entries", "unfollowed"), AUTODISCOVERY, ids=["file", "package", "annotated", "none"]
)
def test_litestar_autodiscovery(
    tmp_path: Path, files: dict[str, str], entries: list[tuple[str, str]], unfollowed: bool
) -> None:
    write_files(tmp_path, files)
    start = parse_start_command("litestar run", root=tmp_path, files=sorted(files))
    assert [(e.spec, e.kind.value) for e in start.entries if e.kind.value != "server"] == entries
    assert bool(start.unfollowed) is unfollowed
    if unfollowed:
        assert "found no Litestar app or factory in app" in start.unfollowed[0]


def test_python_exec_of_its_own_arguments(tmp_path: Path) -> None:
    """`os.execvp(sys.argv[1], sys.argv[1:])` is Python's `exec "$@"`: the arguments are what runs."""
    files = {
        "entrypoint.py": "import os, sys\nif __name__ == '__main__':\n    os.execvp(sys.argv[1], sys.argv[1:])\n",
        "runner.py": "import os, sys\ncmd = sys.argv[2:]\nos.execvp(cmd[0], cmd)\n",
        "app.py": "",
    }
    write_files(tmp_path, files)
    start = parse_start_command("python entrypoint.py gunicorn app:app", root=tmp_path, files=sorted(files))
    assert [(e.spec, e.via) for e in start.entries if e.kind.value != "server"] == [
        ("entrypoint.py", "pre-start"),
        ("app:app", "gunicorn"),
    ]
    assert start.unfollowed == ()
    # an exec of a command built some other way: the process becomes something nobody can name
    start = parse_start_command("python runner.py x gunicorn app:app", root=tmp_path, files=sorted(files))
    assert len(start.unfollowed) == 1
    assert "python runner.py -> os.execvp (runner.py:3): execs a command built at run time" in start.unfollowed[0]


def test_heredoc_program_imports_run_before_the_server(tmp_path: Path) -> None:
    files = {
        "wait.sh": """\
            #!/bin/sh
            python << END
            import sys
            try:
                import ujson as json
            except ImportError:
                import json
            try:
                import psycopg2
            finally:
                pass
            from urllib.parse import urlparse
            def check():
                import redis
            END
            exec "$@"
        """,
        "app.py": "",
    }
    write_files(tmp_path, files)
    start = parse_start_command("./wait.sh gunicorn app:app", root=tmp_path, files=sorted(files))
    # unguarded top-level imports only: not the ImportError fallback, not a function's body
    assert [e.spec for e in start.entries if e.via == "pre-start"] == ["sys", "psycopg2", "urllib.parse"]
    assert start.server == "gunicorn" and start.unfollowed == ()
    # nothing after the heredoc: what the target serves is not known, and the reason says so
    start = parse_start_command("./wait.sh", root=tmp_path, files=sorted(files))
    assert start.unfollowed == (
        "python heredoc (wait.sh:2) runs first, and what starts after it was not followed",
    )
