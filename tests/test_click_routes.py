"""A project's click group: the command an argv selects, down to a mounted server's own CLI."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path
from typing import Optional

from targets_support import write_files

from importaudit.targets import read_targets
from importaudit.targets.click_routes import Route, route
from importaudit.targets.launchers import import_aliases

CLI = textwrap.dedent(
    """\
    import click
    import uvicorn
    from granian.cli import cli as granian_cli


    @click.group()
    @click.option("--debug", is_flag=True)
    def main(debug):
        pass


    @main.group("server")
    def server_group():
        pass


    @server_group.command("develop")
    def develop():
        uvicorn.run("pkg.dev:app")


    @main.command()
    def run_worker():
        pass


    @click.group()
    def jobs():
        pass


    server_group.add_command(uvicorn.main, name="start")
    server_group.add_command(granian_cli, "serve")
    main.add_command(jobs)


    def entrypoint():
        try:
            main()
        except KeyboardInterrupt:
            pass
    """
)


def _route(function: str, *args: str) -> Optional[Route]:
    tree = ast.parse(CLI)
    return route(tree, import_aliases(tree), function, args)


def test_a_mounted_server_takes_the_rest_of_the_argv() -> None:
    found = _route("entrypoint", "--debug", "server", "start", "pkg.main:app", "--port", "80")
    assert found is not None
    assert (found.path, found.program) == (("server", "start"), "uvicorn")
    assert found.argv == ("pkg.main:app", "--port", "80")
    served = _route("main", "server", "serve", "pkg.main:app")  # the group itself as the script
    assert served is not None and (served.program, served.argv) == ("granian", ("pkg.main:app",))


def test_a_project_command_is_its_function() -> None:
    develop = _route("entrypoint", "server", "develop")
    assert develop is not None and (develop.function, develop.program) == ("develop", None)
    worker = _route("entrypoint", "run-worker")  # click's name for run_worker
    assert worker is not None and worker.function == "run_worker"


def test_what_selects_nothing() -> None:
    assert _route("entrypoint", "server", "stop") is None  # no such command
    assert _route("entrypoint", "jobs") is None  # a group with no command chosen
    assert _route("entrypoint") is None
    assert _route("develop", "server", "start") is None  # not a group and calls none


def test_a_selected_project_command_is_followed_to_its_server(tmp_path: Path) -> None:
    files = write_files(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "pkg"\nversion = "1"\n'
            '[project.scripts]\npkg = "pkg.cli:entrypoint"\n',
            "pkg/__init__.py": "",
            "pkg/cli.py": CLI,
            "pkg/dev.py": "",
            "pkg/main.py": "",
            "Dockerfile": "FROM python:3.12\nCOPY . /app\nWORKDIR /app\nRUN pip install .\n"
            'ENTRYPOINT ["pkg"]\nCMD ["server", "develop"]\n',
        },
    )
    (target,) = read_targets(tmp_path, files)
    assert [e.spec for e in target.entries] == ["pkg.cli:entrypoint()", "pkg.dev:app", "uvicorn"]
